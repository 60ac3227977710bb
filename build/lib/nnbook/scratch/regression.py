"""Linear and logistic regression trained by gradient descent, from scratch in NumPy.

Parameters are one flat vector ``theta = (w_1, ..., w_d, b)``: the weights, then the bias.
The losses are means over the examples, so their gradients do not grow with the data set:

* linear:   L = (1/n) sum_i (w.x_i + b - y_i)^2          (mean squared error)
* logistic: L = -(1/n) sum_i [y_i log p_i + (1 - y_i) log(1 - p_i)],  p_i = sigmoid(w.x_i + b)

:func:`fit` runs batch, stochastic or mini-batch gradient descent and records the history of
parameters and full-data loss, which the chapter plots.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from nnbook.scratch.activations import sigmoid
from nnbook.scratch.losses import bce_with_logits, bce_with_logits_grad, mse, mse_grad

LossGrad = Callable[[np.ndarray, np.ndarray, np.ndarray], tuple[float, np.ndarray]]


def _check_xy(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"X must have shape (n, d), one row per example; got shape {X.shape}")
    if y.shape != (X.shape[0],):
        raise ValueError(f"y must have shape (n,) = ({X.shape[0]},) to match X; got {y.shape}")
    if X.shape[0] == 0:
        raise ValueError("X must hold at least one example; got 0 rows")
    return X, y


def _check_theta(theta: np.ndarray, X: np.ndarray) -> np.ndarray:
    theta = np.asarray(theta, dtype=np.float64)
    if theta.shape != (X.shape[1] + 1,):
        raise ValueError(f"theta must have shape (d + 1,) = ({X.shape[1] + 1},): d weights then the bias; got {theta.shape}")
    return theta


def predict_linear(theta: np.ndarray, X: np.ndarray) -> np.ndarray:
    """The linear model's outputs ``X w + b``."""
    return np.asarray(X, dtype=np.float64) @ theta[:-1] + theta[-1]


def predict_proba(theta: np.ndarray, X: np.ndarray) -> np.ndarray:
    """The logistic model's probabilities ``sigmoid(X w + b)`` of class 1."""
    return sigmoid(predict_linear(theta, X))


def mse_loss_grad(theta: np.ndarray, X: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean squared error of the linear model and its gradient ``(2/n) [X 1]^T r`` with residuals r."""
    X, y = _check_xy(X, y)
    theta = _check_theta(theta, X)
    y_hat = predict_linear(theta, X)
    g = mse_grad(y_hat, y)  # dL/dy_hat = 2 r / n; the chain rule multiplies by dy_hat/dtheta = [x 1]
    return mse(y_hat, y), np.append(X.T @ g, g.sum())


def logistic_loss_grad(theta: np.ndarray, X: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Binary cross-entropy of the logistic model and its gradient ``(1/n) [X 1]^T (p - y)``."""
    X, y = _check_xy(X, y)
    theta = _check_theta(theta, X)
    if not np.all((y == 0) | (y == 1)):
        raise ValueError(f"logistic regression needs labels y in {{0, 1}}; got values {np.unique(y)[:5]}")
    z = predict_linear(theta, X)
    g = bce_with_logits_grad(z, y)  # dL/dz = (sigmoid(z) - y) / n
    return bce_with_logits(z, y), np.append(X.T @ g, g.sum())


@dataclass
class History:
    """What gradient descent did: parameters and full-data loss after each recorded update."""

    params: np.ndarray  # (k, d + 1); row 0 is the start
    loss: np.ndarray  # (k,)
    updates: np.ndarray  # (k,) number of parameter updates made when the row was recorded
    examples: np.ndarray  # (k,) number of per-example gradients computed so far

    @property
    def theta(self) -> np.ndarray:
        """The final parameters."""
        return self.params[-1]

    def steps_to(self, target: float) -> int | None:
        """Updates needed until the full-data loss first falls to ``target`` (None if never)."""
        hit = np.flatnonzero(self.loss <= target)
        return int(self.updates[hit[0]]) if hit.size else None


def fit(
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
    """Gradient descent on ``loss_grad`` (``mse_loss_grad`` or ``logistic_loss_grad``).

    ``batch_size=None`` is batch gradient descent (every step sees all n examples), ``1`` is
    stochastic and anything between is mini-batch; each epoch visits the examples once in a fresh
    random order. ``steps`` (if given) stops after that many updates instead of after ``epochs``.
    Divergence is not an error: the loss simply becomes ``inf``/``nan`` and training stops.
    """
    X, y = _check_xy(X, y)
    n, d = X.shape
    if not (isinstance(lr, (int, float, np.floating)) and lr > 0):
        raise ValueError(f"lr (the learning rate) must be a positive number; got {lr!r}")
    bs = n if batch_size is None else batch_size
    if isinstance(bs, bool) or not isinstance(bs, (int, np.integer)) or not 1 <= bs <= n:
        raise ValueError(f"batch_size must be an integer in [1, n={n}] or None for full batch; got {batch_size!r}")
    if steps is None:
        if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 0:
            raise ValueError(f"epochs must be a non-negative integer; got {epochs!r}")
        steps = epochs * int(np.ceil(n / bs))
    elif isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"steps must be a non-negative integer; got {steps!r}")
    theta = np.zeros(d + 1) if theta0 is None else _check_theta(theta0, X).copy()
    rng = np.random.default_rng(seed)

    loss, g = loss_grad(theta, X, y)
    rows = [(theta.copy(), loss, 0, 0)]
    order, pos, seen = np.arange(n), n, 0
    for t in range(1, steps + 1):
        if bs == n:  # full batch: the gradient at theta was computed together with its loss
            theta = theta - lr * g
            seen += n
            with np.errstate(over="ignore", invalid="ignore"):
                loss, g = loss_grad(theta, X, y)
        else:
            if pos >= n:
                order, pos = rng.permutation(n), 0
            idx = order[pos : pos + bs]
            pos += bs
            theta = theta - lr * loss_grad(theta, X[idx], y[idx])[1]
            seen += len(idx)
            if t % record_every == 0 or t == steps:
                with np.errstate(over="ignore", invalid="ignore"):
                    loss = loss_grad(theta, X, y)[0]
        if t % record_every == 0 or t == steps:
            rows.append((theta.copy(), loss, t, seen))
            if not np.isfinite(loss):
                break
    P, L, U, E = zip(*rows)
    return History(np.array(P), np.array(L, dtype=float), np.array(U), np.array(E))


def standardize(X: np.ndarray, mean: np.ndarray | None = None, std: np.ndarray | None = None):
    """Scale each column to mean 0 and standard deviation 1; returns ``(X_scaled, mean, std)``.

    Pass the training set's ``mean`` and ``std`` to scale test data the same way. Constant
    columns are left centred but not divided (their std is taken as 1).
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"X must have shape (n, d); got {X.shape}")
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


def least_squares(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The exact minimiser ``theta*`` of the MSE (the target gradient descent should reach)."""
    X, y = _check_xy(X, y)
    return np.linalg.lstsq(np.c_[X, np.ones(len(X))], y, rcond=None)[0]


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
