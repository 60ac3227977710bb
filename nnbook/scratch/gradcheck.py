"""Gradient checking: compare an analytic gradient with central differences.

The central difference ``(f(x + h e_i) - f(x - h e_i)) / (2 h)`` has error O(h^2), so with
``h = 1e-6`` in float64 a correct gradient agrees to a relative error of about 1e-8 or better,
while a wrong one is off by order 1.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def numerical_grad(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Central-difference gradient of the scalar function ``f`` at ``x`` (any shape and strides, float64).

    ``x`` is perturbed in place one entry at a time and restored, so ``f`` may close over it.
    """
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        got = x.dtype if isinstance(x, np.ndarray) else type(x).__name__
        raise TypeError(f"x must be a float64 NumPy array (central differences need the precision); got {got}")
    if not (isinstance(h, (int, float)) and h > 0):
        raise ValueError(f"h must be a positive step size such as 1e-6; got {h!r}")
    if not x.flags.writeable:
        raise ValueError("x must be writeable: it is perturbed in place (pass a copy of a read-only array)")
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):  # index x itself, so any strides work (a transposed weight, a slice)
        old = x[i]
        x[i] = old + h
        f_plus = float(f(x))
        x[i] = old - h
        f_minus = float(f(x))
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def relative_error(a: np.ndarray, b: np.ndarray, eps: float = 1e-12) -> float:
    """``max |a - b| / max(|a|, |b|)`` elementwise, the scale-free distance used for gradient checks."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"gradients to compare must have the same shape; got {a.shape} and {b.shape}")
    denom = np.maximum(np.maximum(np.abs(a), np.abs(b)), eps)
    return float(np.max(np.abs(a - b) / denom)) if a.size else 0.0


def gradcheck(
    f: Callable[[np.ndarray], float],
    grad: np.ndarray,
    x: np.ndarray,
    *,
    h: float = 1e-6,
    tol: float = 1e-6,
) -> tuple[bool, float]:
    """Check the analytic gradient ``grad`` of ``f`` at ``x``; returns ``(ok, relative error)``."""
    num = numerical_grad(f, x, h)
    err = relative_error(np.asarray(grad), num)
    return err < tol, err


def check_params(
    loss: Callable[[], float],
    params: dict[str, np.ndarray],
    grads: dict[str, np.ndarray],
    *,
    h: float = 1e-6,
) -> dict[str, float]:
    """Relative error of each named gradient, for a model whose ``loss()`` reads ``params`` in place."""
    missing = set(params) ^ set(grads)
    if missing:
        raise ValueError(f"params and grads must have the same names; these appear in only one: {sorted(missing)}")
    return {name: relative_error(grads[name], numerical_grad(lambda _p: loss(), params[name], h)) for name in params}


def check_layer(layer, x: np.ndarray, rng: np.random.Generator, *, h: float = 1e-6) -> dict[str, float]:
    """Relative errors of a core layer's backward pass against central differences.

    The loss is ``sum(r * layer(x))`` for a fixed random ``r``, so every output entry matters.
    Returns one error for the input gradient (key ``"x"``) and one per parameter.
    """
    x = np.array(x, dtype=np.float64)
    y, cache = layer.forward(x)
    r = rng.standard_normal(y.shape)
    grad_x, grads = layer.backward(cache, r)

    def loss() -> float:
        return float(np.sum(r * layer.forward(x)[0]))

    errors = {"x": relative_error(grad_x, numerical_grad(lambda _x: loss(), x, h))}
    errors.update(check_params(loss, layer.params, grads, h=h))
    return errors
