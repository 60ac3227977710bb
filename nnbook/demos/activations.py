"""Chapter 2's widget and experiment: what an activation does to a layer of Gaussian inputs."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from nnbook import checks
from nnbook.plot import PALETTE, figure
from nnbook.scratch import activations as A

CHOICES = [*(a.name for a in A.catalogue()), "softmax"]
SATURATED = 0.01  # a unit counts as saturated when its derivative is below this


def _f_and_grad(name: str, z: np.ndarray, *, alpha: float, beta: float, temperature: float):
    """Values and (diagonal) derivatives of the activation ``name`` at the pre-activations z (last axis = units)."""
    if name == "softmax":
        s = A.softmax(z, axis=-1, temperature=temperature)
        return s, s * (1.0 - s) / temperature  # ds_i / dz_i, the diagonal of the Jacobian
    act = A.get(name)
    param = {"alpha": alpha, "beta": beta}.get(act.param)
    return act(z, param), act.derivative_at(z, param)


def gaussian_layer(
    name: str,
    *,
    scale: float = 1.0,
    alpha: float = 0.01,
    beta: float = 1.0,
    temperature: float = 1.0,
    n: int = 1000,
    fan_in: int = 100,
    units: int = 10,
    seed: int = 0,
):
    """One dense layer on standard Gaussian inputs: z = x W with W ~ N(0, scale^2 / fan_in), so z ~ N(0, scale^2).

    Returns the pre-activations z, the outputs f(z) and the derivatives f'(z), each of shape (n, units).
    """
    checks.one_of(name, CHOICES, "activation")
    if not np.isfinite(scale) or scale <= 0:
        raise ValueError(
            f"scale must be a positive number (the standard deviation of the pre-activations); got {scale!r}"
        )
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, fan_in))
    W = rng.standard_normal((fan_in, units)) * scale / np.sqrt(fan_in)
    z = x @ W
    a, da = _f_and_grad(name, z, alpha=alpha, beta=beta, temperature=temperature)
    return z, a, da


def saturated_fraction(name: str, scale: float, **kw) -> float:
    """Fraction of a Gaussian layer's units whose derivative is below ``SATURATED`` (gradient almost lost)."""
    _, _, da = gaussian_layer(name, scale=scale, **kw)
    return float(np.mean(np.abs(da) < SATURATED))


def activation_figure(
    name: str = "sigmoid", alpha: float = 0.01, beta: float = 1.0, temperature: float = 1.0, scale: float = 1.0
) -> Figure:
    """Three panels: the activation, its derivative, and the histogram of a layer's outputs for Gaussian inputs."""
    x = np.linspace(-6, 6, 601)
    if name == "softmax":  # one unit's output as its own score moves, the other 9 scores held at 0
        Z = np.zeros((x.size, 10))
        Z[:, 0] = x
        y, dy = _f_and_grad(name, Z, alpha=alpha, beta=beta, temperature=temperature)
        y, dy = y[:, 0], dy[:, 0]
        label = f"softmax, unit 1 of 10 (T = {temperature:g})"
    else:
        y, dy = _f_and_grad(name, x, alpha=alpha, beta=beta, temperature=temperature)
        p = A.get(name).param
        label = name + (f" ({p} = {alpha if p == 'alpha' else beta:g})" if p else "")
    z, a, da = gaussian_layer(name, scale=scale, alpha=alpha, beta=beta, temperature=temperature)
    sat = np.mean(np.abs(da) < SATURATED)

    fig, (ax0, ax1, ax2) = figure(3, width=12.0, height=3.6)
    ax0.plot(x, y, color=PALETTE[0], lw=2)
    ax0.set(xlabel="pre-activation $z$", ylabel="$f(z)$", title=label)
    ax1.plot(x, dy, color=PALETTE[1], lw=2)
    ax1.axhline(SATURATED, color="grey", ls=":", lw=1)
    ax1.set(xlabel="pre-activation $z$", ylabel="$f'(z)$", title="derivative (dotted: 0.01)")
    ax2.hist(a.ravel(), bins=60, color=PALETTE[2], alpha=0.85)
    ax2.set(
        xlabel="output $f(z)$",
        ylabel="count",
        title=f"layer outputs, z ~ N(0, {scale:g}²): {100 * sat:.0f}% with |f'| < 0.01",
    )
    return fig
