"""Loss functions and the information theory behind them, in NumPy.

Regression losses (MAE, MSE, Huber) with their gradients, least squares in closed form and by
gradient descent, information content, entropy, cross-entropy and KL divergence (with the
convention 0 log 0 = 0), and the stable forms used for classification: logsumexp, log-softmax,
softmax cross-entropy from logits and binary cross-entropy with logits.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.special import rel_entr, xlogy

from nnbook import checks
from nnbook.checks import real_array as as_float_array
from nnbook.history import History
from nnbook.scratch.activations import sigmoid, softmax

__all__ = [
    "Loss",
    "value_and_grad",
    "mae",
    "mae_grad",
    "mse",
    "mse_grad",
    "huber",
    "huber_grad",
    "half_squared_error",
    "half_squared_error_grad",
    "LOSSES",
    "least_squares",
    "fit_line",
    "information_content",
    "entropy",
    "binary_entropy",
    "cross_entropy",
    "kl_divergence",
    "binary_cross_entropy",
    "bce_with_logits",
    "bce_with_logits_grad",
    "logsumexp",
    "log_softmax",
    "softmax_cross_entropy",
    "softmax_cross_entropy_grad",
]


def _pair(y_pred, y) -> tuple[np.ndarray, np.ndarray]:
    y_pred, y = as_float_array(y_pred, "y_pred"), as_float_array(y, "y")
    if y_pred.shape != y.shape:
        raise ValueError(f"y_pred and y must have the same shape; got {y_pred.shape} and {y.shape}")
    if y.size == 0:
        raise ValueError("a loss needs at least one example; got empty arrays")
    return y_pred, y


def _delta(delta) -> float:
    return checks.real_number(
        delta, "delta", low=0.0, low_inclusive=False, hint="where Huber turns from quadratic to linear"
    )


# --- regression losses (mean over all elements) ----------------------------------------------


def mae(y_pred, y) -> float:
    """Mean absolute error: mean |y_pred - y|."""
    y_pred, y = _pair(y_pred, y)
    return float(np.mean(np.abs(y_pred - y)))


def mae_grad(y_pred, y) -> np.ndarray:
    """Gradient of MAE with respect to y_pred: sign(y_pred - y) / n (0 where they are equal)."""
    y_pred, y = _pair(y_pred, y)
    return np.sign(y_pred - y) / y.size


def mse(y_pred, y) -> float:
    """Mean squared error: mean (y_pred - y)^2."""
    y_pred, y = _pair(y_pred, y)
    return float(np.mean((y_pred - y) ** 2))


def mse_grad(y_pred, y) -> np.ndarray:
    """Gradient of MSE with respect to y_pred: 2 (y_pred - y) / n."""
    y_pred, y = _pair(y_pred, y)
    return 2.0 * (y_pred - y) / y.size


def huber(y_pred, y, delta: float = 1.0) -> float:
    """Huber loss: mean of r^2 / 2 where |r| <= delta and delta (|r| - delta / 2) elsewhere, r = y_pred - y."""
    delta = _delta(delta)
    y_pred, y = _pair(y_pred, y)
    a = np.abs(y_pred - y)
    return float(np.mean(np.where(a <= delta, 0.5 * a * a, delta * (a - 0.5 * delta))))


def huber_grad(y_pred, y, delta: float = 1.0) -> np.ndarray:
    """Gradient of the Huber loss with respect to y_pred: clip(r, -delta, delta) / n."""
    delta = _delta(delta)
    y_pred, y = _pair(y_pred, y)
    return np.clip(y_pred - y, -delta, delta) / y.size


def half_squared_error(y_pred, y) -> float:
    """Half the squared error summed over outputs, averaged over the n examples (rows): sum (y_pred - y)^2 / (2 n)."""
    y_pred, y = _pair(y_pred, y)
    return float(0.5 * np.sum((y_pred - y) ** 2) / len(y))


def half_squared_error_grad(y_pred, y) -> np.ndarray:
    """Gradient of :func:`half_squared_error` with respect to y_pred: (y_pred - y) / n."""
    y_pred, y = _pair(y_pred, y)
    return (y_pred - y) / len(y)


# The one loss interface of NumPy training: loss(y_pred, target) -> (value, dvalue/dy_pred).
Loss = Callable[..., tuple[float, np.ndarray]]


def value_and_grad(value: Callable[..., float], grad: Callable[..., np.ndarray]) -> Loss:
    """A :data:`Loss` from a loss function and its gradient with respect to the prediction."""

    def loss(y_pred, y, **options) -> tuple[float, np.ndarray]:
        return value(y_pred, y, **options), grad(y_pred, y, **options)

    loss.__name__ = loss.__qualname__ = value.__name__
    loss.__doc__ = f"``({value.__name__}, {grad.__name__})`` of the prediction and the target."
    return loss


LOSSES: dict[str, Loss] = {}  # filled below, once every loss is defined


# --- fitting a line ---------------------------------------------------------------------------


def _xy(x, y) -> tuple[np.ndarray, np.ndarray]:
    x, y = as_float_array(x, "x"), as_float_array(y, "y")
    if x.ndim != 1 or x.shape != y.shape or x.size < 2:
        raise ValueError(f"x and y must be 1-D arrays of the same length >= 2; got shapes {x.shape} and {y.shape}")
    return x, y


def least_squares(X, y) -> np.ndarray:
    """The parameters ``theta* = (w_1, ..., w_d, b)`` minimising the squared error of ``X w + b``
    (the solution of the normal equations); a 1-D ``X`` is one feature, giving ``(slope, intercept)``."""
    X, y = as_float_array(X, "X"), as_float_array(y, "y")
    if X.ndim == 1:
        X = _xy(X, y)[0][:, None]
    if X.ndim != 2 or y.shape != (len(X),) or len(X) == 0:
        raise ValueError(f"X must have shape (n, d) and y shape (n,), one target per row; got {X.shape} and {y.shape}")
    return np.linalg.lstsq(np.c_[X, np.ones(len(X))], y, rcond=None)[0]


def fit_line(
    x, y, loss: str = "mse", *, delta: float = 1.0, lr: float = 0.1, steps: int = 5000, decay: bool = False
) -> tuple[float, float, History]:
    """Fit y ~ w x + b by full-batch gradient descent on ``loss`` ("mae", "mse" or "huber").

    Starts at w = b = 0. With ``decay`` the step shrinks as lr / sqrt(1 + t / 100), which a
    non-smooth loss (MAE) needs to settle. Returns w, b and a History of the loss after every step.
    """
    checks.one_of(loss, ("mae", "mse", "huber"), "loss")
    checks.positive_int(steps, "steps")
    lr = checks.learning_rate(lr)
    x, y = _xy(x, y)
    value_grad = LOSSES[loss]
    kw = {"delta": delta} if loss == "huber" else {}
    w = b = 0.0
    history = History()
    for t in range(steps):
        _, r = value_grad(w * x + b, y, **kw)  # dL/dy_pred for each point
        eta = lr / np.sqrt(1.0 + t / 100.0) if decay else lr
        w, b = w - eta * float(r @ x), b - eta * float(r.sum())
        history.record(loss=value_grad(w * x + b, y, **kw)[0])
    return float(w), float(b), history


# --- information theory -----------------------------------------------------------------------


def _log_base(base) -> float:
    return np.log(checks.real_number(base, "base", low=1.0, low_inclusive=False, hint="2 for bits, np.e for nats"))


def _distribution(p, name: str) -> np.ndarray:
    p = as_float_array(p, name)
    if p.ndim == 0 or p.shape[-1] == 0:
        raise ValueError(f"{name} must be a probability vector (or a batch of them, last axis); got shape {p.shape}")
    if np.any(~np.isfinite(p)) or np.any(p < 0):
        raise ValueError(f"{name} must hold probabilities >= 0; got {p}")
    if not np.allclose(p.sum(axis=-1), 1.0, rtol=0, atol=1e-9):
        raise ValueError(f"{name} must sum to 1 along its last axis; its sums are {p.sum(axis=-1)}")
    return p


def information_content(p, base: float = 2) -> np.ndarray:
    """Surprise -log(p) of an event of probability p, in bits (base 2) or nats (base e); inf for p = 0."""
    lb = _log_base(base)
    p = as_float_array(p, "p")
    if np.any(~(p >= 0) | (p > 1)):
        raise ValueError(f"p must be a probability in [0, 1]; got {p}")
    with np.errstate(divide="ignore"):  # log(0) = -inf is the right answer: an impossible event
        return -np.log(p) / lb


def entropy(p, base: float = 2) -> np.ndarray:
    """Entropy H(p) = -sum p log p over the last axis (0 log 0 = 0)."""
    lb = _log_base(base)
    p = _distribution(p, "p")
    return (0.0 - np.sum(xlogy(p, p), axis=-1)) / lb  # 0.0 - x: a certain outcome has entropy 0, not -0


def binary_entropy(p, base: float = 2) -> np.ndarray:
    """Entropy of a coin that shows heads with probability p."""
    p = as_float_array(p, "p")
    if np.any(~(p >= 0) | (p > 1)):
        raise ValueError(f"p must be a probability in [0, 1]; got {p}")
    return entropy(np.stack([p, 1.0 - p], axis=-1), base)


def _two(p, q) -> tuple[np.ndarray, np.ndarray]:
    p, q = _distribution(p, "p"), _distribution(q, "q")
    if p.shape != q.shape:
        raise ValueError(f"p and q must have the same shape; got {p.shape} and {q.shape}")
    return p, q


def cross_entropy(p, q, base: float = 2) -> np.ndarray:
    """Cross-entropy H(p, q) = -sum p log q over the last axis; inf where q = 0 but p > 0."""
    lb = _log_base(base)
    p, q = _two(p, q)
    return (0.0 - np.sum(xlogy(p, q), axis=-1)) / lb


def kl_divergence(p, q, base: float = 2) -> np.ndarray:
    """Kullback-Leibler divergence KL(p || q) = sum p log(p / q) over the last axis (>= 0)."""
    lb = _log_base(base)
    p, q = _two(p, q)
    return np.sum(rel_entr(p, q), axis=-1) / lb


# --- classification losses --------------------------------------------------------------------


def _targets01(y, shape, name="y") -> np.ndarray:
    y = as_float_array(y, name)
    if y.shape != shape:
        raise ValueError(f"{name} must have the shape of the predictions, {shape}; got {y.shape}")
    if np.any(~(y >= 0) | (y > 1)):
        raise ValueError(f"{name} must hold targets in [0, 1]; got {y}")
    return y


def binary_cross_entropy(p_hat, y) -> float:
    """Mean of -[y log p_hat + (1 - y) log(1 - p_hat)] over examples; inf when a certain prediction is wrong."""
    p_hat = as_float_array(p_hat, "p_hat")
    if p_hat.size == 0 or np.any(~(p_hat >= 0) | (p_hat > 1)):
        raise ValueError(f"p_hat must be a non-empty array of probabilities in [0, 1]; got {p_hat}")
    y = _targets01(y, p_hat.shape)
    return float(-np.mean(xlogy(y, p_hat) + xlogy(1.0 - y, 1.0 - p_hat)))


def bce_with_logits(z, y) -> float:
    """Binary cross-entropy of sigmoid(z), computed from the logit z as max(z, 0) - z y + log(1 + e^-|z|)."""
    z = as_float_array(z, "z")
    if z.size == 0:
        raise ValueError("a loss needs at least one example; got an empty array of logits")
    y = _targets01(y, z.shape)
    return float(np.mean(np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z)))))


def bce_with_logits_grad(z, y) -> np.ndarray:
    """Gradient of :func:`bce_with_logits` with respect to z: (sigmoid(z) - y) / n."""
    z = as_float_array(z, "z")
    y = _targets01(y, z.shape)
    return (sigmoid(z) - y) / z.size


def logsumexp(z, axis: int = -1) -> np.ndarray:
    """log sum exp(z) along ``axis``, as m + log sum exp(z - m) with m the maximum (no overflow)."""
    z = as_float_array(z, "z")
    if z.ndim == 0:
        raise ValueError("logsumexp needs at least one axis; got a scalar")
    m = np.max(z, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    return np.squeeze(m, axis=axis) + np.log(np.sum(np.exp(z - m), axis=axis))


def log_softmax(z, axis: int = -1) -> np.ndarray:
    """log softmax(z) = z - logsumexp(z): finite even where softmax underflows to 0."""
    z = as_float_array(z, "z")
    return z - np.expand_dims(logsumexp(z, axis=axis), axis)


def _class_targets(z, y) -> tuple[np.ndarray, np.ndarray]:
    z = as_float_array(z, "z")
    if z.ndim != 2 or z.shape[0] == 0:
        raise ValueError(f"logits z must have shape (n, K) with n >= 1; got {z.shape}")
    n, K = z.shape
    y = np.asarray(y)
    if y.shape == (n,) and np.issubdtype(y.dtype, np.integer):
        if np.any((y < 0) | (y >= K)):
            raise ValueError(f"class labels must be integers in [0, {K - 1}]; got {y}")
        return z, np.eye(K)[y]
    if y.shape == (n, K):
        return z, _distribution(y, "y")
    raise ValueError(
        f"y must be n = {n} integer labels or an (n, K) = {(n, K)} array of target distributions; got shape {y.shape}"
    )


def softmax_cross_entropy(z, y) -> float:
    """Mean cross-entropy between targets y (labels or distributions) and softmax(z), computed from logits."""
    z, Y = _class_targets(z, y)
    return float(-np.mean(np.sum(Y * log_softmax(z), axis=-1)))


def softmax_cross_entropy_grad(z, y) -> np.ndarray:
    """Gradient of :func:`softmax_cross_entropy` with respect to the logits: (softmax(z) - y) / n."""
    z, Y = _class_targets(z, y)
    return (softmax(z) - Y) / z.shape[0]


LOSSES.update(
    {
        "mae": value_and_grad(mae, mae_grad),
        "mse": value_and_grad(mse, mse_grad),
        "huber": value_and_grad(huber, huber_grad),
        "half_squared_error": value_and_grad(half_squared_error, half_squared_error_grad),
        "bce_with_logits": value_and_grad(bce_with_logits, bce_with_logits_grad),
        "softmax_cross_entropy": value_and_grad(softmax_cross_entropy, softmax_cross_entropy_grad),
    }
)
