"""Linear and logistic regression trained by gradient descent, from scratch in NumPy.

Parameters are one flat vector ``theta = (w_1, ..., w_d, b)``: the weights, then the bias.
The losses are means over the examples, so their gradients do not grow with the data set:

* linear:   L = (1/n) sum_i (w.x_i + b - y_i)^2          (mean squared error)
* logistic: L = -(1/n) sum_i [y_i log p_i + (1 - y_i) log(1 - p_i)],  p_i = sigmoid(w.x_i + b)

:func:`descend` runs batch, stochastic or mini-batch gradient descent and records the history of
parameters and full-data loss, which the chapter plots.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import islice

import numpy as np

from nnbook import checks
from nnbook.history import History
from nnbook.scratch.activations import sigmoid
from nnbook.scratch.core import minibatches
from nnbook.scratch.losses import LOSSES, Loss, least_squares

__all__ = [
    "predict_linear",
    "predict_proba",
    "linear_loss_grad",
    "mse_loss_grad",
    "logistic_loss_grad",
    "gradient_descent",
    "batch_schedule",
    "record",
    "descend",
    "final_theta",
    "steps_to",
    "standardize",
    "mse_hessian",
    "condition_number",
    "max_stable_lr",
    "least_squares",
    "loss_surface",
]

LossGrad = Callable[[np.ndarray, np.ndarray, np.ndarray], tuple[float, np.ndarray]]


def _check_xy(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    X = checks.ndim(np.asarray(X, dtype=np.float64), 2, "X", "(n, d), one row per example")
    y = checks.shape_is(np.asarray(y, dtype=np.float64), (X.shape[0],), "y", "(n,)", hint="one target per row of X")
    return checks.min_length(X, 1, "X", "example"), y


def _check_theta(theta: np.ndarray, X: np.ndarray) -> np.ndarray:
    theta = np.asarray(theta, dtype=np.float64)
    return checks.shape_is(theta, (X.shape[1] + 1,), "theta", "(d + 1,)", hint="d weights then the bias")


def predict_linear(theta: np.ndarray, X: np.ndarray) -> np.ndarray:
    """The linear model's outputs ``X w + b``."""
    return np.asarray(X, dtype=np.float64) @ theta[:-1] + theta[-1]


def predict_proba(theta: np.ndarray, X: np.ndarray) -> np.ndarray:
    """The logistic model's probabilities ``sigmoid(X w + b)`` of class 1."""
    return sigmoid(predict_linear(theta, X))


def linear_loss_grad(loss: Loss, theta: np.ndarray, X: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """``loss`` of the linear model ``X w + b`` and its gradient: the chain rule multiplies dL/dy_hat by [x 1]."""
    value, g = loss(predict_linear(theta, X), y)
    return value, np.append(X.T @ g, g.sum())


def mse_loss_grad(theta: np.ndarray, X: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean squared error of the linear model and its gradient ``(2/n) [X 1]^T r`` with residuals r."""
    X, y = _check_xy(X, y)
    return linear_loss_grad(LOSSES["mse"], _check_theta(theta, X), X, y)


def logistic_loss_grad(theta: np.ndarray, X: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Binary cross-entropy of the logistic model and its gradient ``(1/n) [X 1]^T (p - y)``."""
    X, y = _check_xy(X, y)
    theta = _check_theta(theta, X)
    checks.labels01(y, len(y))
    return linear_loss_grad(LOSSES["bce_with_logits"], theta, X, y)  # dL/dz = (sigmoid(z) - y) / n


# --- gradient descent: the loop, the batches, the recorder ---------------------------------------


def gradient_descent(
    loss_grad: LossGrad, theta: np.ndarray, X: np.ndarray, y: np.ndarray, lr: float, batches: Iterable[np.ndarray]
) -> Iterator[np.ndarray]:
    """Yield the parameters after each step ``theta <- theta - lr * grad L(theta)``, L on one batch of rows."""
    for rows in batches:
        _, grad = loss_grad(theta, X[rows], y[rows])
        theta = theta - lr * grad
        yield theta


def batch_schedule(n: int, batch_size: int, steps: int, rng: np.random.Generator) -> list[np.ndarray]:
    """The rows of each of ``steps`` updates: all n rows every time for ``batch_size == n``, otherwise
    consecutive mini-batches of epochs, each epoch a fresh random order."""
    if batch_size == n:
        return [np.arange(n)] * steps

    def epochs() -> Iterator[np.ndarray]:
        while True:
            yield from minibatches(n, batch_size, rng)

    return list(islice(epochs(), steps))


def record(
    thetas: Iterable[np.ndarray],
    full_loss: Callable[[np.ndarray], float],
    theta0: np.ndarray,
    batch_sizes: list[int],
    every: int = 1,
) -> History:
    """Consume the parameters gradient descent yields and record, every ``every`` updates and after the
    last, ``theta``, the full-data ``loss``, ``updates`` made and ``examples`` seen; stop at a non-finite loss."""
    seen = np.cumsum([0, *batch_sizes])
    history = History()
    with np.errstate(over="ignore", invalid="ignore"):  # divergence is a result, not an error
        history.record(theta=theta0, loss=full_loss(theta0), updates=0, examples=0)
        for t, theta in enumerate(thetas, start=1):
            if t % every == 0 or t == len(batch_sizes):
                history.record(theta=theta, loss=full_loss(theta), updates=t, examples=seen[t])
                if not np.isfinite(history.records["loss"][-1]):
                    break
    return history


def descend(
    loss_grad: LossGrad,
    X: np.ndarray,
    y: np.ndarray,
    *,
    lr: float,
    epochs: int = 1,
    steps: int | None = None,
    batch_size: int | None = None,
    theta0: np.ndarray | None = None,
    seed: int = 0,
    record_every: int = 1,
) -> History:
    """Gradient descent on ``loss_grad`` (``mse_loss_grad`` or ``logistic_loss_grad``), recorded in a History.

    ``batch_size=None`` is batch gradient descent (every step sees all n examples), ``1`` is
    stochastic and anything between is mini-batch; each epoch visits the examples once in a fresh
    random order. ``steps`` (if given) stops after that many updates instead of after ``epochs``.
    Divergence is not an error: the loss simply becomes ``inf``/``nan`` and training stops.
    """
    X, y = _check_xy(X, y)
    n, d = X.shape
    lr = checks.learning_rate(lr)
    bs = checks.int_in_range(batch_size, "batch_size", 1, n, none="full batch")
    bs = n if bs is None else bs
    if steps is None:
        steps = checks.positive_int(epochs, "epochs", minimum=0) * int(np.ceil(n / bs))
    else:
        checks.positive_int(steps, "steps", minimum=0)
    theta = np.zeros(d + 1) if theta0 is None else _check_theta(theta0, X).copy()
    batches = batch_schedule(n, bs, steps, np.random.default_rng(seed))
    thetas = gradient_descent(loss_grad, theta, X, y, lr, batches)
    return record(thetas, lambda th: loss_grad(th, X, y)[0], theta, [len(b) for b in batches], record_every)


def final_theta(history: History) -> np.ndarray:
    """The parameters after the last recorded update."""
    return history["theta"][-1]


def steps_to(history: History, target: float) -> int | None:
    """Updates needed until the recorded full-data loss first falls to ``target`` (None if never)."""
    hit = np.flatnonzero(history["loss"] <= target)
    return int(history["updates"][hit[0]]) if hit.size else None


def standardize(X: np.ndarray, mean: np.ndarray | None = None, std: np.ndarray | None = None):
    """Scale each column to mean 0 and standard deviation 1; returns ``(X_scaled, mean, std)``.

    Pass the training set's ``mean`` and ``std`` to scale test data the same way. Constant
    columns are left centred but not divided (their std is taken as 1).
    """
    X = checks.ndim(np.asarray(X, dtype=np.float64), 2, "X", "(n, d)")
    mean = X.mean(axis=0) if mean is None else np.asarray(mean, dtype=np.float64)
    std = X.std(axis=0) if std is None else np.asarray(std, dtype=np.float64)
    std = np.where(std > 0, std, 1.0)
    return (X - mean) / std, mean, std


def mse_hessian(X: np.ndarray) -> np.ndarray:
    """The (constant) Hessian ``(2/n) [X 1]^T [X 1]`` of the mean squared error of a linear model."""
    X = np.asarray(X, dtype=np.float64)
    A = np.c_[X, np.ones(len(X))]
    return 2.0 * A.T @ A / len(X)


def condition_number(X: np.ndarray) -> float:
    """Largest over smallest eigenvalue of the MSE Hessian: how elongated the loss valleys are."""
    ev = np.linalg.eigvalsh(mse_hessian(X))
    return float(ev[-1] / ev[0])


def max_stable_lr(X: np.ndarray) -> float:
    """Batch gradient descent on the MSE converges exactly when ``lr < 2 / lambda_max``."""
    return float(2.0 / np.linalg.eigvalsh(mse_hessian(X))[-1])


def loss_surface(x: np.ndarray, y: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """MSE of the line ``y = a x + b`` on the 1-D points (x, y) for every (a, b) on a grid.

    ``a`` and ``b`` are 1-D grids; the result has shape ``(len(b), len(a))`` for ``contour(a, b, Z)``.
    """
    x = np.asarray(x, dtype=np.float64).ravel()
    y = np.asarray(y, dtype=np.float64).ravel()
    if x.shape != y.shape:
        raise ValueError(f"x and y must have the same number of points; got {x.size} and {y.size}")
    A, B = np.meshgrid(np.asarray(a, float), np.asarray(b, float))
    r = A[..., None] * x + B[..., None] - y
    return np.mean(r**2, axis=-1)
