"""Figures and widgets of the chapter "Neurons and the perceptron".

Each figure is a pure function of its parameters (the tests call them directly); the chapter wraps
two of them in :class:`nnbook.widgets.Demo`.
"""

from __future__ import annotations

from functools import lru_cache

import matplotlib.patches
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from nnbook.data import blobs, truth_table
from nnbook.plot import PALETTE, decision_regions, figure, images
from nnbook.scratch.perceptron import Perceptron, Trained, layer_outputs, neuron, sigmoid, step

GATES = ("and", "or", "xor")
DATASETS = ("and", "or", "nand", "xor", "blobs")
STEP_MAX_EPOCHS = 10  # a perceptron on XOR never converges; the demo stops it here


def boundary_line(ax: Axes, w: np.ndarray, b: float, xlim: tuple[float, float], **kw) -> None:
    """Draw the line ``w[0] x1 + w[1] x2 + b = 0`` across ``xlim`` (nothing when w is zero)."""
    kw = {"color": "black", "lw": 1.5, **kw}
    x1 = np.linspace(*xlim, 2)
    if abs(w[1]) > 1e-12:
        ax.plot(x1, -(w[0] * x1 + b) / w[1], **kw)
    elif abs(w[0]) > 1e-12:
        ax.axvline(-b / w[0], **kw)


def mark_mistakes(ax: Axes, X: np.ndarray, wrong: np.ndarray) -> None:
    """Ring the misclassified points in black."""
    if wrong.any():
        ax.scatter(X[wrong, 0], X[wrong, 1], s=260, facecolor="none", edgecolor="black", lw=2, zorder=4, label="wrong")


def _limits(ax: Axes, X: np.ndarray, pad: float = 0.5) -> tuple[float, float]:
    lo, hi = X.min(0) - pad, X.max(0) + pad
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    return lo[0], hi[0]


# --- widget (a): one neuron over the logic gates -------------------------------------------------


def neuron_mistakes(w1: float, w2: float, b: float) -> dict[str, int]:
    """How many of the four rows of AND, OR and XOR the step neuron (w1, w2, b) gets wrong."""
    out = {}
    for g in GATES:
        X, y = truth_table(g)
        out[g] = int(np.sum(neuron(X, [w1, w2], b) != y))
    return out


def neuron_figure(w1: float = 1.0, w2: float = 1.0, b: float = -1.5) -> Figure:
    """The step neuron (w1, w2, b) drawn over AND, OR and XOR: its two regions, its boundary
    line and a ring around every point it classifies wrongly."""
    fig, axes = figure(3, width=9.6, height=3.4)
    wrong_counts = neuron_mistakes(w1, w2, b)
    for ax, g in zip(axes, GATES):
        X, y = truth_table(g)
        decision_regions(ax, lambda P: neuron(P, [w1, w2], b), X, y)
        xlim = _limits(ax, X)
        boundary_line(ax, np.array([w1, w2]), b, xlim)
        mark_mistakes(ax, X, neuron(X, [w1, w2], b) != y)
        n = wrong_counts[g]
        ax.set_title(f"{g.upper()}: {'all 4 right' if n == 0 else f'{n} of 4 wrong'}")
        ax.set_aspect("equal")
    fig.suptitle(f"Neuron $w_1$={w1:g}, $w_2$={w2:g}, $b$={b:g}: it fires on the shaded side of the line")
    return fig


# --- widget (b): stepping through perceptron updates ---------------------------------------------


def dataset(name: str) -> tuple[np.ndarray, np.ndarray]:
    """A 2-D data set of the step-through demo: a logic gate or 100 separable blobs."""
    if name not in DATASETS:
        raise ValueError(f"dataset must be one of {list(DATASETS)}; got {name!r}")
    return blobs(100, margin=0.2, spread=1.5, seed=0) if name == "blobs" else truth_table(name)


@lru_cache(maxsize=32)
def perceptron_run(name: str, lr: float = 1.0) -> Perceptron:
    """The perceptron trained (in order, from zero weights) on :func:`dataset` ``name``."""
    X, y = dataset(name)
    return Perceptron(lr=lr, max_epochs=STEP_MAX_EPOCHS).fit(X, y)


def perceptron_steps_figure(update: int = 0, name: str = "and", lr: float = 1.0) -> Figure:
    """Left: the boundary after ``update`` updates (clipped to the last one), the point that caused
    it ringed. Right: mistakes per epoch, the current epoch highlighted."""
    X, y = dataset(name)
    p = perceptron_run(name, float(lr))
    k = int(np.clip(update, 0, p.n_updates_))
    w, b = p.history_[k]
    fig, (ax, ax_err) = figure(2, width=9.6, height=3.8)
    decision_regions(ax, lambda P: step(P @ w + b).astype(int), X, y)
    xlim = _limits(ax, X)
    boundary_line(ax, w, b, xlim)
    if k > 0:
        i = p.updated_on_[k - 1]
        ax.scatter(*X[i], s=300, facecolor="none", edgecolor="black", lw=2.5, zorder=4, label="caused this update")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=3, fontsize=8)
    wrong = int(np.sum(step(X @ w + b) != y))
    ax.set_title(f"After update {k} of {p.n_updates_}: {wrong} of {len(y)} points wrong")
    epochs = np.arange(1, len(p.errors_) + 1)
    current = p.update_epoch_[k - 1] if k > 0 else None
    colours = [PALETTE[1] if e == current else PALETTE[0] for e in epochs]
    ax_err.bar(epochs, p.errors_, color=colours)
    ax_err.set_xlabel("epoch")
    ax_err.set_ylabel("mistakes (= updates) in the epoch")
    ax_err.set_xticks(epochs)
    ax_err.yaxis.set_major_locator(MaxNLocator(integer=True))
    verdict = f"converged after {len(p.errors_)} epochs" if p.converged_ else f"no error-free epoch in {len(p.errors_)}"
    ax_err.set_title(f"{name.upper() if name != 'blobs' else 'Blobs'}: {verdict}")
    return fig


# --- figures of the chapter ------------------------------------------------------------------


def neuron_diagram_figure() -> Figure:
    """A schematic artificial neuron: inputs, weights, the weighted sum with bias, the step, the output."""
    fig, ax = figure(width=7.0, height=3.4)
    ax.set_axis_off()
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 5)
    ax.set_aspect("equal")
    arrow = dict(arrowstyle="-|>", color="black", lw=1.3, shrinkA=14, shrinkB=24)
    for k, yk in enumerate((4.2, 2.5, 0.8)):
        name = f"x_{k + 1}" if k < 2 else "x_d"
        ax.add_patch(matplotlib.patches.Circle((1.0, yk), 0.35, fc=PALETTE[5], ec="black"))
        ax.text(1.0, yk, f"${name}$", ha="center", va="center", fontsize=12)
        ax.annotate("", xy=(4.5, 2.5), xytext=(1.0, yk), arrowprops=arrow)
        ax.text(2.6, (yk + 2.5) / 2 + 0.25, f"$w_{name[2:]}$", ha="center", fontsize=12, color=PALETTE[1])
    ax.text(1.0, 1.65, "$\\vdots$", ha="center", va="center", fontsize=14)
    ax.add_patch(matplotlib.patches.Circle((4.5, 2.5), 0.75, fc="white", ec="black", lw=1.5))
    ax.text(4.5, 2.5, "$\\Sigma$", ha="center", va="center", fontsize=20)
    ax.text(4.5, 1.35, "$+\\,b$", ha="center", va="center", fontsize=12, color=PALETTE[1])
    ax.annotate("", xy=(7.0, 2.5), xytext=(4.5, 2.5), arrowprops=dict(arrow, shrinkA=30, shrinkB=30))
    ax.text(5.9, 2.75, "$z$", ha="center", fontsize=12)
    ax.add_patch(
        matplotlib.patches.FancyBboxPatch(
            (6.5, 1.9), 1.1, 1.2, boxstyle="round,pad=0.05", fc="white", ec="black", lw=1.5
        )
    )
    ax.plot([6.65, 7.05, 7.05, 7.45], [2.15, 2.15, 2.85, 2.85], color=PALETTE[0], lw=2)
    ax.annotate("", xy=(9.3, 2.5), xytext=(7.6, 2.5), arrowprops=dict(arrow, shrinkA=0, shrinkB=0))
    ax.text(9.5, 2.5, "$y$", ha="left", va="center", fontsize=14)
    ax.text(7.05, 0.9, "activation $u(z)$", ha="center", fontsize=10)
    ax.text(4.5, 4.5, "weighted sum $z = w \\cdot x + b$", ha="center", fontsize=10)
    ax.set_title("An artificial neuron: weight the inputs, add the bias, fire if the sum reaches 0")
    return fig


def activations_figure() -> Figure:
    """The unit step and the sigmoid against the weighted input z."""
    fig, ax = figure(width=6.4, height=3.2)
    z = np.linspace(-6, 6, 601)
    ax.plot(z, step(z), label="unit step $u(z)$", lw=2, drawstyle="steps-post")
    ax.plot(z, sigmoid(z), label=r"sigmoid $\sigma(z)$", lw=2)
    ax.set_xlabel("weighted input $z$")
    ax.set_ylabel("output $y$")
    ax.set_title("The sigmoid is a smooth version of the step: both switch at z = 0")
    ax.legend()
    return fig


def errors_per_epoch_figure(runs: dict[str, Perceptron]) -> Figure:
    """Mistakes per epoch of several perceptron runs, one line each."""
    fig, ax = figure(width=6.4, height=3.6)
    for (name, p), marker in zip(runs.items(), "osD^v"):
        epochs = np.arange(1, len(p.errors_) + 1)
        ax.plot(epochs, p.errors_, marker=marker, label=name)
    ax.set_xlabel("epoch (one pass over the four rows)")
    ax.set_ylabel("mistakes in the epoch")
    ax.set_ylim(-0.2, None)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend()
    ax.set_title("AND and OR reach an error-free epoch; XOR never does")
    return fig


def hidden_space_figure(params: dict, activation: str = "step", title: str = "") -> Figure:
    """XOR through a 2-2-1 network. Left: the inputs and the hidden units' lines. Right: the same
    four points in hidden space (h1, h2), where the output unit's line separates them."""
    X, y = truth_table("xor")
    H, _ = layer_outputs(params, X, activation)
    fig, (ax_in, ax_h) = figure(2, width=9.6, height=4.0)
    f = lambda P: layer_outputs(params, P, activation)[1][:, 0] >= 0.5
    decision_regions(ax_in, lambda P: f(P).astype(int), X, y)
    xlim = _limits(ax_in, X)
    for j, style in zip(range(2), ("--", ":")):
        boundary_line(ax_in, params["W1"][j], params["b1"][j], xlim, ls=style, label=f"hidden unit {j + 1}")
    ax_in.legend(loc="upper right", fontsize=8)
    ax_in.set_title("Input space: two lines, XOR regions")
    ax_in.set_aspect("equal")
    for c in (0, 1):
        m = y == c
        ax_h.scatter(H[m, 0], H[m, 1], color=PALETTE[c], edgecolor="white", s=80, label=f"XOR = {c}", zorder=3)
    labels: dict[tuple[float, float], list[str]] = {}
    for h, (x1, x2) in zip(np.round(H, 2), X):  # inputs that land on the same hidden point share a label
        labels.setdefault(tuple(h), []).append(f"({x1:.0f},{x2:.0f})")
    for (h1, h2), names in labels.items():
        ax_h.annotate("x = " + " and ".join(names), (h1, h2), textcoords="offset points", xytext=(6, -14), fontsize=8)
    ax_h.set_xlim(-0.3, 1.3)
    ax_h.set_ylim(-0.3, 1.3)
    boundary_line(ax_h, params["W2"][0], params["b2"][0], (-0.3, 1.3), label="output unit")
    ax_h.set_xlabel("$h_1$ (hidden unit 1)")
    ax_h.set_ylabel("$h_2$ (hidden unit 2)")
    ax_h.set_title("Hidden space: one line separates XOR")
    ax_h.set_aspect("equal")
    ax_h.legend(loc="upper left", fontsize=8)
    if title:
        fig.suptitle(title)
    return fig


def pixel_images_figure(X: np.ndarray, y: np.ndarray, title: str) -> Figure:
    """A row of 4x3-pixel images (black = 1), each framed and titled with its label."""
    fig, axes = figure(len(X), width=0.8 * len(X), height=1.6)
    images(axes, X, shape=(4, 3), titles=[str(int(d)) for d in y])
    for ax in np.ravel(axes):
        ax.spines[:].set_visible(True)
    fig.suptitle(title)
    return fig


def detector_weights_figure(net: Trained) -> Figure:
    """The hidden detectors' 12 input weights as 4x3 images on one symmetric colour scale."""
    W1, b1, W2 = net.params["W1"], net.params["b1"], net.params["W2"]
    n = len(W1)
    fig, axes = figure(n, width=2.2 * n + 1.0, height=3.2)
    vote = W2[1] - W2[0]
    titles = [f"detector {chr(65 + j)}\nbias {b1[j]:+.1f}, votes '{int(vote[j] > 0)}'" for j in range(n)]
    images(axes, W1, shape=(4, 3), titles=titles, symmetric=True)
    for ax in np.ravel(axes):
        ax.spines[:].set_visible(False)
    lim = np.abs(W1).max()
    sm = axes[0].images[0]
    sm.set_clim(-lim, lim)
    fig.colorbar(sm, ax=list(np.ravel(axes)), shrink=0.8, label="weight (red +, blue -)")
    fig.suptitle("Each hidden detector learns a pixel pattern: red pixels excite it, blue inhibit it")
    return fig
