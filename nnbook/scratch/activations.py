"""Activation functions and their derivatives in NumPy.

Every function accepts any finite input (|x| up to 1e3 and beyond) without overflow warnings or
NaN: exponentials are only ever taken of non-positive numbers. Derivatives follow PyTorch's
conventions at the kinks (ReLU'(0) = 0, LeakyReLU'(0) = alpha, step'(x) = 0).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from nnbook import checks
from nnbook.checks import real_array as as_float_array

__all__ = [
    "step",
    "step_grad",
    "sigmoid",
    "sigmoid_grad",
    "tanh",
    "tanh_grad",
    "relu",
    "relu_grad",
    "leaky_relu",
    "leaky_relu_grad",
    "softplus",
    "softplus_grad",
    "swish",
    "swish_grad",
    "silu",
    "silu_grad",
    "elu",
    "elu_grad",
    "selu",
    "selu_grad",
    "gelu",
    "gelu_grad",
    "SELU_ALPHA",
    "SELU_SCALE",
    "softmax",
    "softmax_jacobian",
    "softmax_backward",
    "identity",
    "identity_grad",
    "Activation",
    "ACTIVATIONS",
    "get",
    "catalogue",
    "summary_frame",
    "summary_table",
]


# --- identity ---------------------------------------------------------------------------------


def identity(x) -> np.ndarray:
    """The identity f(x) = x: a layer without a non-linearity (e.g. the output of a regression)."""
    return as_float_array(x)


def identity_grad(x) -> np.ndarray:
    """Derivative of the identity: 1 everywhere."""
    return np.ones_like(as_float_array(x))


# --- step -------------------------------------------------------------------------------------


def step(x) -> np.ndarray:
    """Unit step (Heaviside) u(x): 1 for x >= 0, else 0."""
    x = as_float_array(x)
    return np.where(x >= 0, 1.0, 0.0).astype(x.dtype)


def step_grad(x) -> np.ndarray:
    """Derivative of the step: 0 wherever it exists (x != 0); 0 is also returned at x = 0."""
    x = as_float_array(x)
    return np.zeros_like(x)


# --- sigmoid and tanh ---------------------------------------------------------------------------


def sigmoid(x) -> np.ndarray:
    """Logistic sigmoid 1 / (1 + e^-x), computed from e^-|x| so that no exponential overflows."""
    x = as_float_array(x)
    e = np.exp(-np.abs(x))  # in (0, 1]
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_grad(x) -> np.ndarray:
    """Derivative of the logistic sigmoid at x, computed as s * (1 - s)."""
    s = sigmoid(x)
    return s * (1.0 - s)


def tanh(x) -> np.ndarray:
    """Hyperbolic tangent (e^x - e^-x) / (e^x + e^-x)."""
    return np.tanh(as_float_array(x))


def tanh_grad(x) -> np.ndarray:
    """Derivative of tanh at x: 1 - tanh(x)^2."""
    t = tanh(x)
    return 1.0 - t * t


# --- rectifiers ---------------------------------------------------------------------------------


def relu(x) -> np.ndarray:
    """Rectified linear unit max(0, x)."""
    x = as_float_array(x)
    return np.maximum(x, 0.0)


def relu_grad(x) -> np.ndarray:
    """Derivative of ReLU: 1 for x > 0, 0 for x <= 0 (PyTorch's choice at the kink)."""
    x = as_float_array(x)
    return (x > 0).astype(x.dtype)


def leaky_relu(x, alpha: float = 0.01) -> np.ndarray:
    """Leaky ReLU: x for x >= 0, alpha * x for x < 0."""
    alpha = checks.real_number(alpha, "alpha", low=0.0, low_inclusive=True, hint="the slope for x < 0, usually 0.01")
    x = as_float_array(x)
    return np.where(x >= 0, x, alpha * x)


def leaky_relu_grad(x, alpha: float = 0.01) -> np.ndarray:
    """Derivative of Leaky ReLU: 1 for x > 0, alpha for x <= 0."""
    alpha = checks.real_number(alpha, "alpha", low=0.0, low_inclusive=True, hint="the slope for x < 0, usually 0.01")
    x = as_float_array(x)
    return np.where(x > 0, 1.0, alpha).astype(x.dtype)


def softplus(x, beta: float = 1.0) -> np.ndarray:
    """Softplus log(1 + e^(beta x)) / beta, a smooth ReLU; computed with logaddexp (no overflow)."""
    beta = checks.real_number(
        beta, "beta", low=0.0, low_inclusive=False, hint="the sharpness, 1 for the standard softplus"
    )
    x = as_float_array(x)
    return np.logaddexp(0.0, beta * x) / beta


def softplus_grad(x, beta: float = 1.0) -> np.ndarray:
    """Derivative of softplus: sigmoid(beta x)."""
    beta = checks.real_number(
        beta, "beta", low=0.0, low_inclusive=False, hint="the sharpness, 1 for the standard softplus"
    )
    return sigmoid(beta * as_float_array(x))


def swish(x, beta: float = 1.0) -> np.ndarray:
    """Swish x * sigmoid(beta x); beta = 1 is SiLU, beta = 0 gives x / 2, beta -> inf gives ReLU."""
    beta = checks.real_number(beta, "beta", low=0.0, low_inclusive=True, hint="the gate's sharpness, 1 for SiLU")
    x = as_float_array(x)
    return x * sigmoid(beta * x)


def swish_grad(x, beta: float = 1.0) -> np.ndarray:
    """Derivative of swish: s + beta x s (1 - s), with s = sigmoid(beta x)."""
    beta = checks.real_number(beta, "beta", low=0.0, low_inclusive=True, hint="the gate's sharpness, 1 for SiLU")
    x = as_float_array(x)
    s = sigmoid(beta * x)
    return s + beta * x * s * (1.0 - s)


def silu(x) -> np.ndarray:
    """SiLU, the sigmoid-weighted linear unit x * sigmoid(x) (swish with beta = 1)."""
    return swish(x, 1.0)


def silu_grad(x) -> np.ndarray:
    """Derivative of SiLU."""
    return swish_grad(x, 1.0)


# --- ELU, SELU, GELU ----------------------------------------------------------------------------

# SELU's constants (Klambauer et al. 2017): the values that make mean 0, variance 1 a fixed point.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def elu(x, alpha: float = 1.0) -> np.ndarray:
    """Exponential linear unit: x for x > 0, alpha (e^x - 1) for x <= 0 (expm1 of non-positive numbers only)."""
    alpha = checks.real_number(
        alpha, "alpha", low=0.0, low_inclusive=True, hint="the negative saturation value, usually 1"
    )
    x = as_float_array(x)
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0)))


def elu_grad(x, alpha: float = 1.0) -> np.ndarray:
    """Derivative of ELU: 1 for x > 0, alpha e^x for x <= 0 (PyTorch's choice at 0)."""
    alpha = checks.real_number(
        alpha, "alpha", low=0.0, low_inclusive=True, hint="the negative saturation value, usually 1"
    )
    x = as_float_array(x)
    return np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0.0))).astype(x.dtype)


def selu(x) -> np.ndarray:
    """Scaled ELU: SELU_SCALE * elu(x, SELU_ALPHA)."""
    return SELU_SCALE * elu(x, SELU_ALPHA)


def selu_grad(x) -> np.ndarray:
    """Derivative of SELU: SELU_SCALE for x > 0, SELU_SCALE * SELU_ALPHA * e^x for x <= 0."""
    return SELU_SCALE * elu_grad(x, SELU_ALPHA)


def gelu(x) -> np.ndarray:
    """Gaussian error linear unit x Phi(x), Phi the standard normal CDF (the exact form, not the tanh approximation)."""
    from scipy.special import ndtr

    x = as_float_array(x)
    return x * ndtr(x)


def gelu_grad(x) -> np.ndarray:
    """Derivative of GELU: Phi(x) + x phi(x), phi the standard normal density."""
    from scipy.special import ndtr

    x = as_float_array(x)
    return ndtr(x) + x * np.exp(-0.5 * x * x) / np.sqrt(2.0 * np.pi)


# --- softmax ------------------------------------------------------------------------------------


def _check_temperature(temperature) -> float:
    return checks.real_number(
        temperature,
        "temperature",
        low=0.0,
        low_inclusive=False,
        hint="T > 0; 1 is the plain softmax, small T sharpens, large T flattens",
    )


def softmax(z, axis: int = -1, temperature: float = 1.0) -> np.ndarray:
    """Softmax of z / temperature along ``axis``; the maximum is subtracted first, so exp never overflows."""
    T = _check_temperature(temperature)
    z = as_float_array(z, "z")
    if z.ndim == 0:
        raise ValueError("softmax needs at least one axis of scores (a vector); got a scalar")
    u = z / T
    u = u - np.max(u, axis=axis, keepdims=True)  # shift invariance: the result is unchanged
    e = np.exp(u)  # every exponent is <= 0, the largest is exactly 1
    return e / np.sum(e, axis=axis, keepdims=True)


def softmax_jacobian(z, temperature: float = 1.0) -> np.ndarray:
    """Jacobian ds_i/dz_j = s_i (delta_ij - s_j) / T of the softmax over the last axis; shape (..., K, K)."""
    T = _check_temperature(temperature)
    s = softmax(z, axis=-1, temperature=T)
    return (s[..., :, None] * np.eye(s.shape[-1]) - s[..., :, None] * s[..., None, :]) / T


def softmax_backward(z, grad_out, temperature: float = 1.0) -> np.ndarray:
    """The gradient with respect to z of sum(grad_out * softmax(z)): s * (g - sum(g s)) / T (last axis)."""
    T = _check_temperature(temperature)
    s = softmax(z, axis=-1, temperature=T)
    g = as_float_array(grad_out, "grad_out")
    if g.shape != s.shape:
        raise ValueError(f"grad_out must have the shape of z, {s.shape}; got {g.shape}")
    return s * (g - np.sum(g * s, axis=-1, keepdims=True)) / T


# --- the catalogue ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Activation:
    """An element-wise activation with its derivative and what the chapter says about it."""

    name: str
    f: Callable[..., np.ndarray]
    grad: Callable[..., np.ndarray]
    formula: str
    derivative: str
    bounds: tuple[float, float]  # infimum and supremum of the outputs (at the default parameter)
    range: str
    saturates: str
    used_in: str
    param: str | None = None
    default: float | None = None
    torch_module: str | None = None  # the torch.nn module computing it (default parameter), if any
    gain: float | None = None  # PyTorch's calculate_gain: the init scale that keeps the variance
    in_catalogue: bool = True  # False: a helper entry (identity) the chapter-2 table leaves out

    def __call__(self, x, param: float | None = None) -> np.ndarray:
        return self.f(x) if self.param is None else self.f(x, self.default if param is None else param)

    def derivative_at(self, x, param: float | None = None) -> np.ndarray:
        return self.grad(x) if self.param is None else self.grad(x, self.default if param is None else param)


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in [
        Activation(
            "identity",
            identity,
            identity_grad,
            "x",
            "1",
            (-np.inf, np.inf),
            "(-inf, inf)",
            "never",
            "outputs of regression networks; linear layers",
            gain=1.0,
            in_catalogue=False,
        ),
        Activation(
            "step",
            step,
            step_grad,
            "1 if x >= 0 else 0",
            "0 (undefined at 0)",
            (0.0, 1.0),
            "{0, 1}",
            "everywhere: the gradient is 0",
            "perceptrons (chapter 1); not trainable by gradients",
            torch_module=None,
        ),
        Activation(
            "sigmoid",
            sigmoid,
            sigmoid_grad,
            "1 / (1 + e^-x)",
            "s (1 - s)",
            (0.0, 1.0),
            "(0, 1)",
            "both sides: s' < 0.01 once x > 4.6 or x < -4.6",
            "binary outputs (probabilities), gates in LSTM/GRU",
            torch_module="Sigmoid",
            gain=1.0,
        ),
        Activation(
            "tanh",
            tanh,
            tanh_grad,
            "(e^x - e^-x) / (e^x + e^-x)",
            "1 - tanh^2",
            (-1.0, 1.0),
            "(-1, 1)",
            "both sides: tanh' < 0.01 once x > 3.0 or x < -3.0",
            "hidden layers of RNNs; zero-centred outputs",
            torch_module="Tanh",
            gain=5.0 / 3.0,
        ),
        Activation(
            "relu",
            relu,
            relu_grad,
            "max(0, x)",
            "1 if x > 0 else 0",
            (0.0, np.inf),
            "[0, inf)",
            "left side only: gradient exactly 0 for x < 0 ('dead' units)",
            "default for hidden layers of CNNs and MLPs",
            torch_module="ReLU",
            gain=float(np.sqrt(2.0)),
        ),
        Activation(
            "leaky_relu",
            leaky_relu,
            leaky_relu_grad,
            "x if x >= 0 else alpha x",
            "1 if x > 0 else alpha",
            (-np.inf, np.inf),
            "(-inf, inf)",
            "never: the slope is at least alpha",
            "hidden layers where ReLUs die; GAN discriminators",
            "alpha",
            0.01,
            torch_module="LeakyReLU",
        ),
        Activation(
            "softplus",
            softplus,
            softplus_grad,
            "log(1 + e^(beta x)) / beta",
            "sigmoid(beta x)",
            (0.0, np.inf),
            "(0, inf)",
            "left side: the slope tends to 0",
            "positive outputs (variances, rates); smooth ReLU",
            "beta",
            1.0,
            torch_module="Softplus",
        ),
        Activation(
            "swish",
            swish,
            swish_grad,
            "x sigmoid(beta x)",
            "s + beta x s (1 - s)",
            (-0.2784645427610738, np.inf),
            "[-0.278, inf) for beta = 1",
            "left side: output and slope tend to 0",
            "deep CNNs and transformers (SiLU, beta = 1)",
            "beta",
            1.0,
            torch_module="SiLU",
        ),
        Activation(
            "elu",
            elu,
            elu_grad,
            "x if x > 0 else alpha (e^x - 1)",
            "1 if x > 0 else alpha e^x",
            (-1.0, np.inf),
            "(-alpha, inf)",
            "left side: output tends to -alpha, slope to 0",
            "smooth ReLU with negative outputs",
            "alpha",
            1.0,
            torch_module="ELU",
        ),
        Activation(
            "selu",
            selu,
            selu_grad,
            "lambda elu_alpha(x), lambda = 1.0507, alpha = 1.6733",
            "lambda if x > 0 else lambda alpha e^x",
            (-SELU_SCALE * SELU_ALPHA, np.inf),
            "(-1.758, inf)",
            "left side: output tends to -1.758",
            "self-normalising MLPs (with LeCun init)",
            torch_module="SELU",
            gain=0.75,
        ),
        Activation(
            "gelu",
            gelu,
            gelu_grad,
            "x Phi(x)",
            "Phi(x) + x phi(x)",
            (-0.16997120747990366, np.inf),
            "[-0.170, inf)",
            "left side: output and slope tend to 0",
            "transformers (BERT, GPT)",
            torch_module="GELU",
        ),
    ]
}


def get(name: str) -> Activation:
    """The element-wise activation called ``name`` (see ``ACTIVATIONS``)."""
    return ACTIVATIONS[checks.one_of(name, ACTIVATIONS, "activation")]


def catalogue() -> list[Activation]:
    """The activations chapter 2 tabulates (every entry but helpers such as the identity)."""
    return [a for a in ACTIVATIONS.values() if a.in_catalogue]


def summary_frame():
    """The catalogue as a pandas DataFrame (renders as an HTML table in notebooks and the book)."""
    import pandas as pd

    rows = [
        {"f(x)": a.formula, "f'(x)": a.derivative, "range": a.range, "saturates": a.saturates, "used in": a.used_in}
        for a in catalogue()
    ]
    return pd.DataFrame(rows, index=pd.Index([a.name for a in catalogue()], name="activation"))


def summary_table() -> str:
    """A Markdown table of the element-wise activations: formula, derivative, range, saturation, use."""
    lines = ["| name | f(x) | f'(x) | range | saturates | used in |", "|---|---|---|---|---|---|"]
    for a in catalogue():
        lines.append(f"| {a.name} | `{a.formula}` | `{a.derivative}` | {a.range} | {a.saturates} | {a.used_in} |")
    return "\n".join(lines)
