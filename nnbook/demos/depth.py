"""Signals through depth: activation and gradient statistics layer by layer, for each init x activation.

A deep stack of equal-width dense layers (zero biases) gets a batch of standard-normal inputs; a
standard-normal gradient is fed in at the output and carried back. :func:`layer_statistics` returns
the spread of the activations and of the back-propagated signal at every layer, as pure data; the
figure functions draw it, and :func:`demo` wraps one of them in a widget.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure
from threadpoolctl import threadpool_limits

from nnbook import checks
from nnbook.plot import PALETTE, figure
from nnbook.scratch.activations import get
from nnbook.scratch.init import INITIALISERS
from nnbook.scratch.layers import dense_network

__all__ = ["INITS", "ACTS", "layer_statistics", "signal_summary", "depth_figure", "grid_figure"]

INITS = ("normal", "xavier_normal", "he_normal", "orthogonal")
ACTS = ("tanh", "relu", "sigmoid")


def layer_statistics(
    depth: int = 30,
    init: str = "xavier_normal",
    activation: str = "tanh",
    *,
    width: int = 256,
    batch: int = 64,
    seed: int = 0,
    keep_activations: bool = False,
    **init_options,
) -> dict[str, np.ndarray]:
    """Statistics of a ``depth``-layer network of ``width`` units, one entry per layer l = 1..depth.

    ``act_mean`` and ``act_std``: mean and standard deviation of the activations a^(l) over batch and units.
    ``grad_std``: standard deviation of dL/dz^(l), the signal that reaches layer l's pre-activations when
    dL/da^(depth) is standard normal. ``wgrad_std``: standard deviation of the weight gradient dL/dW^(l).
    With ``keep_activations`` the activations themselves come too, shape (depth, batch, width).
    """
    for name, value, lo, hi in (("depth", depth, 1, 1000), ("width", width, 1, 4096), ("batch", batch, 1, 100_000)):
        checks.int_in_range(value, name, lo, hi)
    checks.one_of(init, INITIALISERS, "init")
    get(activation)
    if init_options:
        return _simulate(
            depth, init, activation, width, batch, seed, keep_activations, tuple(sorted(init_options.items()))
        )
    stats = _cached(depth, init, activation, width, batch, seed, keep_activations)
    return {k: v.copy() for k, v in stats.items()}


@functools.lru_cache(maxsize=64)
def _cached(*args) -> dict[str, np.ndarray]:
    # the book draws the same (depth, init, activation) in a table, a grid and a widget: compute once
    return _simulate(*args, ())


def _simulate(depth, init, activation, width, batch, seed, keep_activations, init_options) -> dict[str, np.ndarray]:
    with threadpool_limits(1):  # small matrices: BLAS threads cost more than they save on a shared CPU
        return _run(depth, init, activation, width, batch, seed, keep_activations, dict(init_options))


def _run(depth, init, activation, width, batch, seed, keep_activations, init_options) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    net = dense_network(
        [width] * (depth + 1), rng, activation=activation, output_activation=activation, init=init, **init_options
    )
    X = rng.standard_normal((batch, width))
    y, caches = net.forward(X)
    g = rng.standard_normal((batch, width))  # dL/da at the output
    grad_std, wgrad_std = np.empty(depth), np.empty(depth)
    for l in reversed(range(depth)):
        _, z = caches[l]
        grad_std[l] = (g * get(activation).derivative_at(z)).std()  # dL/dz^(l+1)
        g, grads = net[l].backward(caches[l], g)  # dL/da^(l) and dL/dW^(l+1)
        wgrad_std[l] = grads["W"].std()
    a = np.stack([x for x, _ in caches[1:]] + [y])
    stats = {
        "layer": np.arange(1, depth + 1),
        "act_mean": a.mean(axis=(1, 2)),
        "act_std": a.std(axis=(1, 2)),
        "grad_std": grad_std,
        "wgrad_std": wgrad_std,
    }
    if keep_activations:
        stats["activations"] = a
    return stats


def signal_summary(
    depth: int = 50, inits: Sequence[str] = INITS, activations: Sequence[str] = ACTS, **kw
) -> list[dict]:
    """One row per (activation, init): the last layer's activation std and the first layer's gradient std."""
    rows = []
    for act in activations:
        for init in inits:
            s = layer_statistics(depth, init, act, **kw)
            rows.append(
                {
                    "activation": act,
                    "init": init,
                    "act_std_last": float(s["act_std"][-1]),
                    "grad_std_first": float(s["grad_std"][0]),
                    "grad_std_last": float(s["grad_std"][-1]),
                }
            )
    return rows


def _floor(x: np.ndarray) -> np.ndarray:
    # log axes cannot show exact zeros; anything below 1e-30 is drawn at 1e-30
    return np.maximum(x, 1e-30)


def depth_figure(depth: int = 30, init: str = "xavier_normal", activation: str = "tanh") -> Figure:
    """Left: histograms of the activations at three depths. Right: activation and gradient spread per layer."""
    s = layer_statistics(depth, init, activation, keep_activations=True)
    acts = {l: s["activations"][l - 1] for l in range(1, depth + 1)}
    fig, (ax0, ax1) = figure(2, width=10.0, height=3.8)
    picks = sorted({1, max(1, depth // 2), depth})
    lo, hi = {"tanh": (-1, 1), "sigmoid": (0, 1)}.get(activation, (None, None))
    if lo is None:
        hi = max(float(np.quantile(acts[l], 0.99)) for l in picks) or 1.0
        lo = -hi if activation == "identity" else 0.0
    bins = np.linspace(lo, hi, 41)
    for c, l in zip(PALETTE, picks):
        ax0.hist(
            np.clip(acts[l].ravel(), lo, hi),
            bins=bins,
            density=True,
            histtype="step",
            lw=2,
            color=c,
            label=f"layer {l} (std {acts[l].std():.1g})",
        )
    ax0.set_xlabel("activation value")
    ax0.set_ylabel("density")
    ax0.set_title(f"{activation}, {init}: activations")
    ax0.legend()
    ax1.semilogy(s["layer"], _floor(s["act_std"]), "-", color=PALETTE[0], label="activation std")
    ax1.semilogy(s["layer"], _floor(s["grad_std"]), "--", color=PALETTE[1], label="gradient std (dL/dz)")
    ax1.set_xlabel("layer l")
    ax1.set_ylabel("standard deviation (log scale)")
    ratio = s["grad_std"][0] / s["grad_std"][-1] if s["grad_std"][-1] > 0 else np.inf
    ax1.set_title(f"std at layer {depth}: {s['act_std'][-1]:.2g}; gradient layer 1 / layer {depth}: {ratio:.2g}")
    ax1.legend()
    return fig


def grid_figure(
    depth: int = 50, inits: Sequence[str] = INITS, activations: Sequence[str] = ACTS, *, title: str | None = None
) -> Figure:
    """One row per activation: activation std (left) and gradient std (right) per layer, one line per init.

    ``title`` should state what the figure shows; values below 1e-30 are drawn at 1e-30.
    """
    fig, axes = figure(2, len(activations), width=10.0, height=2.9, sharex=True)
    axes = np.atleast_2d(axes)
    for r, act in enumerate(activations):
        for k, (c, init) in enumerate(zip(PALETTE, inits)):
            s = layer_statistics(depth, init, act)
            style = dict(color=c, label=init, ls=["-", "--", "-", ":"][k % 4], lw=2)  # dashes show overlapping curves
            axes[r, 0].semilogy(s["layer"], _floor(s["act_std"]), **style)
            axes[r, 1].semilogy(s["layer"], _floor(s["grad_std"]), **style)
        axes[r, 0].set_ylabel(f"{act}\nstd (log)")
        axes[r, 0].set_title(f"{act}: activation std per layer")
        axes[r, 1].set_title(f"{act}: gradient std per layer")
    for ax in axes[-1]:
        ax.set_xlabel("layer l")
    axes[0, 1].legend(fontsize=9)
    fig.suptitle(title or f"{depth} layers of width 256: spread of activations and gradients (floor 1e-30)")
    return fig
