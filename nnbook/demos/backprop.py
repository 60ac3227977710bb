"""Chapter 6's figures: the computational graph of the autograd engine and vanishing gradients."""

from __future__ import annotations

import numpy as np

from nnbook.history import History
from nnbook.scratch.autograd import Value
from nnbook.scratch.backprop import MLP, layer_grad_norms

__all__ = ["draw_graph", "neuron_graph", "train_scratch_mlp", "vanishing_figure"]


_SYMBOL = {"sigmoid": "σ", "tanh": "tanh", "relu": "relu", "neg": "−", "-": "−", "*": "×", "/": "÷"}


def draw_graph(root: Value, ax=None, *, show_grad: bool = True):
    """Draw the computational graph of ``root`` with matplotlib (no graphviz): leaves on the left.

    Each value is a box with its label, value and gradient; the operation that produced it is a
    circle feeding the box. Returns the figure.
    """
    import matplotlib.pyplot as plt

    if not isinstance(root, Value):
        raise TypeError(f"root must be a Value; got {type(root).__name__}")
    order = root.topo()
    consumers: dict[int, list[Value]] = {id(n): [] for n in order}
    for n in order:
        for p in set(n.parents):
            consumers[id(p)].append(n)
    depth: dict[int, int] = {}
    for n in order:  # parents come first, so their depth is known
        depth[id(n)] = 0 if not n.parents else 1 + max(depth[id(p)] for p in n.parents)
    for n in order:  # a leaf sits just left of its first consumer, not far away in column 0
        if not n.parents and consumers[id(n)]:
            depth[id(n)] = min(depth[id(c)] for c in consumers[id(n)]) - 1
    layers: dict[int, list[Value]] = {}
    for n in order:
        layers.setdefault(depth[id(n)], []).append(n)
    pos: dict[int, tuple[float, float]] = {}
    for d in sorted(layers, reverse=True):  # from the output leftwards, near the nodes they feed
        nodes = sorted(
            layers[d], key=lambda n: -sum(pos[id(c)][1] for c in consumers[id(n)]) / max(len(consumers[id(n)]), 1)
        )
        for i, n in enumerate(nodes):
            pos[id(n)] = (2.0 * d, (len(nodes) - 1) / 2.0 - i)
    n_layers = max(layers) + 1
    height = max(len(v) for v in layers.values())
    if ax is None:
        fig, ax = plt.subplots(figsize=(min(2.3 * n_layers + 1, 12), 1.1 * height + 0.8), layout="constrained")
    else:
        fig = ax.figure
    box = dict(boxstyle="round,pad=0.3", fc="#f4f4f4", ec="#444444")
    for n in order:
        x, y = pos[id(n)]
        text = (f"{n.label}\n" if n.label else "") + f"{n.data:.4g}" + (f"\ngrad {n.grad:.4g}" if show_grad else "")
        ax.text(x, y, text, ha="center", va="center", fontsize=8, bbox=box, zorder=3)
        if n.parents:
            ox, oy = x - 0.8, y
            ax.text(
                ox,
                oy,
                _SYMBOL.get(n.op, n.op),
                ha="center",
                va="center",
                fontsize=8,
                zorder=3,
                bbox=dict(boxstyle="circle,pad=0.25", fc="#cfe3f3", ec="#0072B2"),
            )
            ax.annotate("", (x - 0.45, y), (ox + 0.2, oy), arrowprops=dict(arrowstyle="->", color="#444444"))
            for p in set(map(id, n.parents)):
                px, py = pos[p]
                ax.annotate("", (ox - 0.2, oy), (px + 0.45, py), arrowprops=dict(arrowstyle="->", color="#888888"))
    ax.set_xlim(-0.8, 2.0 * (n_layers - 1) + 0.8)
    ax.set_ylim(-height / 2.0 - 0.2, height / 2.0 + 0.2)
    ax.set_axis_off()
    return fig


def neuron_graph(w: float = 0.8, b: float = -0.2, x: float = 1.5, t: float = 1.0):
    """The graph of one sigmoid neuron with squared error, E = (sigmoid(w x + b) - t)^2 / 2, after
    ``backward``: each box shows its value and dE/d(box). The title states dE/dw = x dE/dz."""
    w_, x_, b_, t_ = Value(w, label="w"), Value(x, label="x"), Value(b, label="b"), Value(t, label="t")
    z = w_ * x_ + b_
    z.label = "z"
    a = z.sigmoid()
    a.label = "a"
    E = 0.5 * (a - t_) ** 2
    E.label = "E"
    E.backward()
    fig = draw_graph(E)
    fig.axes[0].set_title(f"dE/dw = x · dE/dz = {x:g} · {z.grad:.4f} = {w_.grad:.4f}")
    return fig


def vanishing_figure(depth: int = 8, activation: str = "sigmoid", width: int = 32, seed: int = 0):
    """Bar chart of the RMS weight gradient per layer of a ``depth``-hidden-layer MLP at initialisation,
    on 256 training digits; the title states how much smaller the first layer's gradient is."""
    from nnbook.data import load_digits
    from nnbook.plot import PALETTE, figure

    X, y = load_digits("train")
    model = MLP([64] + [int(width)] * int(depth) + [10], activation, seed=seed)
    norms = layer_grad_norms(model, X[:256], y[:256])
    fig, ax = figure(width=6.4, height=3.6)
    ax.bar(np.arange(1, len(norms) + 1), norms, color=PALETTE[0] if activation != "sigmoid" else PALETTE[1])
    ax.set_yscale("log")
    ax.set_xlabel("layer (1 = next to the input)")
    ax.set_ylabel("RMS of dL/dW")
    ratio = norms[-1] / norms[0]
    ax.set_title(f"{activation}, {depth} hidden layers: layer 1 gets {ratio:.3g}x less gradient than the last")
    return fig


def train_scratch_mlp(X, y, *, seed: int = 0, X_val=None, y_val=None) -> tuple[MLP, History]:
    """Chapter 6's digit classifier: the 64-32-10 ReLU MLP from scratch, 30 epochs of mini-batch SGD
    (batches of 32, learning rate 0.1); returns ``(model, history)``."""
    model = MLP([64, 32, 10], "relu", seed=seed)
    history = model.fit(X, y, epochs=30, batch_size=32, lr=0.1, seed=seed, X_val=X_val, y_val=y_val)
    return model, history
