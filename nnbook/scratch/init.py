"""Weight initialisation from scratch: constant, fixed-variance, Xavier/Glorot, He/Kaiming, orthogonal.

Every initialiser takes the weight ``shape`` (``(fan_out, fan_in)`` for a dense layer, the
PyTorch convention) and a NumPy ``Generator``, and returns a new float64 array. The variance each
one aims at is given by :func:`target_variance`, so the text, the tests and PyTorch can be
compared on the same formula.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from nnbook import checks
from nnbook.checks import rng as _check_rng
from nnbook.checks import shape as _check_shape

__all__ = [
    "fans",
    "gain",
    "constant",
    "normal",
    "uniform",
    "xavier_normal",
    "xavier_uniform",
    "he_normal",
    "he_uniform",
    "orthogonal",
    "INITIALISERS",
    "initialise",
    "target_variance",
]


def fans(shape: Sequence[int]) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight of ``shape``: inputs and outputs per unit, as PyTorch counts them.

    A dense weight ``(n_out, n_in)`` has fan_in ``n_in`` and fan_out ``n_out``; extra dimensions
    (a convolution's kernel) multiply both.
    """
    shape = _check_shape(shape, min_dims=2)
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


def gain(activation: str = "linear", slope: float = 0.01) -> float:
    """The factor by which an init scales its standard deviation for ``activation`` (PyTorch's values,
    stored with each activation in :data:`nnbook.scratch.activations.ACTIVATIONS`; "linear" is the identity).

    ReLU keeps half of a symmetric input's second moment, hence sqrt(2); leaky ReLU with negative
    slope ``slope`` keeps (1 + slope**2) / 2 of it.
    """
    from nnbook.scratch.activations import ACTIVATIONS

    if activation == "leaky_relu":
        return math.sqrt(2.0 / (1.0 + float(slope) ** 2))
    known = {"linear": 1.0, **{a.name: a.gain for a in ACTIVATIONS.values() if a.gain is not None}}
    checks.one_of(activation, [*known, "leaky_relu"], "activation")
    return known[activation]


def _fan(shape, mode: str) -> int:
    fan_in, fan_out = fans(shape)
    if mode == "fan_in":
        return fan_in
    if mode == "fan_out":
        return fan_out
    raise ValueError(
        f"mode must be 'fan_in' (keeps the forward variance) or 'fan_out' (the backward one); got {mode!r}"
    )


def constant(shape: Sequence[int], rng: np.random.Generator | None = None, *, value: float = 0.0) -> np.ndarray:
    """Every weight equal to ``value`` (``rng`` is accepted for a uniform signature and not used)."""
    shape = _check_shape(shape)
    if rng is not None:
        _check_rng(rng)
    return np.full(shape, float(value))


def normal(shape: Sequence[int], rng: np.random.Generator, *, std: float = 0.01) -> np.ndarray:
    """Gaussian weights N(0, std**2) with a fixed standard deviation, whatever the layer's size."""
    shape, rng, std = _check_shape(shape), _check_rng(rng), checks.positive_number(std, "std")
    return rng.normal(0.0, std, size=shape)


def uniform(shape: Sequence[int], rng: np.random.Generator, *, bound: float = 0.05) -> np.ndarray:
    """Uniform weights U(-bound, bound), variance bound**2 / 3, whatever the layer's size."""
    shape, rng, bound = _check_shape(shape), _check_rng(rng), checks.positive_number(bound, "bound")
    return rng.uniform(-bound, bound, size=shape)


def xavier_normal(shape: Sequence[int], rng: np.random.Generator, *, gain: float = 1.0) -> np.ndarray:
    """Glorot & Bengio (2010): N(0, gain**2 * 2 / (fan_in + fan_out))."""
    rng, g = _check_rng(rng), checks.positive_number(gain, "gain")
    fan_in, fan_out = fans(shape)
    return rng.normal(0.0, g * math.sqrt(2.0 / (fan_in + fan_out)), size=_check_shape(shape))


def xavier_uniform(shape: Sequence[int], rng: np.random.Generator, *, gain: float = 1.0) -> np.ndarray:
    """Glorot & Bengio (2010): U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)), the same variance."""
    rng, g = _check_rng(rng), checks.positive_number(gain, "gain")
    fan_in, fan_out = fans(shape)
    a = g * math.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-a, a, size=_check_shape(shape))


def he_normal(
    shape: Sequence[int], rng: np.random.Generator, *, mode: str = "fan_in", activation: str = "relu"
) -> np.ndarray:
    """He et al. (2015): N(0, gain**2 / fan) with gain sqrt(2) for ReLU, fan = fan_in by default."""
    rng = _check_rng(rng)
    return rng.normal(0.0, gain(activation) / math.sqrt(_fan(shape, mode)), size=_check_shape(shape))


def he_uniform(
    shape: Sequence[int], rng: np.random.Generator, *, mode: str = "fan_in", activation: str = "relu"
) -> np.ndarray:
    """He et al. (2015): U(-a, a) with a = gain * sqrt(3 / fan), the same variance as :func:`he_normal`."""
    rng = _check_rng(rng)
    a = gain(activation) * math.sqrt(3.0 / _fan(shape, mode))
    return rng.uniform(-a, a, size=_check_shape(shape))


def orthogonal(shape: Sequence[int], rng: np.random.Generator, *, gain: float = 1.0) -> np.ndarray:
    """Saxe et al. (2014): a random (semi-)orthogonal matrix times ``gain``.

    The weight is viewed as ``rows x cols`` with rows = shape[0]. Tall or square: W^T W = gain**2 I;
    wide: W W^T = gain**2 I. The QR factor's signs are fixed so the result is uniformly (Haar) distributed.
    """
    shape = _check_shape(shape, min_dims=2)
    rng, g = _check_rng(rng), checks.positive_number(gain, "gain")
    rows = shape[0]
    cols = math.prod(shape) // rows
    a = rng.normal(size=(max(rows, cols), min(rows, cols)))
    q, r = np.linalg.qr(a)
    q *= np.sign(np.diag(r))  # without this, QR's sign convention biases the distribution
    if rows < cols:
        q = q.T
    return g * q.reshape(shape)


INITIALISERS: dict[str, Callable[..., np.ndarray]] = {
    "constant": constant,
    "normal": normal,
    "uniform": uniform,
    "xavier_normal": xavier_normal,
    "xavier_uniform": xavier_uniform,
    "he_normal": he_normal,
    "he_uniform": he_uniform,
    "orthogonal": orthogonal,
}


def initialise(name: str, shape: Sequence[int], rng: np.random.Generator, **options) -> np.ndarray:
    """The initialiser called ``name`` (a key of :data:`INITIALISERS`) applied to ``shape``."""
    if name not in INITIALISERS:
        raise ValueError(f"unknown initialiser {name!r}; expected one of {sorted(INITIALISERS)}")
    return INITIALISERS[name](shape, rng, **options)


def target_variance(name: str, shape: Sequence[int], **options) -> float:
    """The variance of one weight that initialiser ``name`` aims at, for a weight of ``shape``.

    For ``orthogonal`` it is the mean square of the entries, gain**2 / max(rows, cols), which holds
    exactly because every column (or row) has unit length.
    """
    fan_in, fan_out = fans(shape) if len(_check_shape(shape)) >= 2 else (None, None)
    if name == "constant":
        return 0.0
    if name == "normal":
        return options.get("std", 0.01) ** 2
    if name == "uniform":
        return options.get("bound", 0.05) ** 2 / 3.0
    if name in {"xavier_normal", "xavier_uniform"}:
        return options.get("gain", 1.0) ** 2 * 2.0 / (fan_in + fan_out)
    if name in {"he_normal", "he_uniform"}:
        return gain(options.get("activation", "relu")) ** 2 / _fan(shape, options.get("mode", "fan_in"))
    if name == "orthogonal":
        rows = shape[0]
        cols = math.prod(shape) // rows
        return options.get("gain", 1.0) ** 2 / max(rows, cols)
    raise ValueError(f"unknown initialiser {name!r}; expected one of {sorted(INITIALISERS)}")
