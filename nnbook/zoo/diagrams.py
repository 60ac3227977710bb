"""Node diagrams of the 27 architectures of the network zoo, all drawn by one function in one style.

Each architecture is a list of columns of typed nodes plus a connection pattern; `draw` places the
columns left to right and draws the connections under the nodes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from matplotlib.figure import Figure

__all__ = ["NODE_KINDS", "Architecture", "ZOO", "draw", "zoo_figure", "legend_figure"]

# node kind -> (face colour, edge colour, hatch, description)
NODE_KINDS: dict[str, tuple[str, str, str, str]] = {
    "input": ("#F5D76E", "#8a6d00", "", "input cell"),
    "noisy": ("#F5D76E", "#8a6d00", "////", "noisy input cell"),
    "backfed": ("#F5D76E", "#2c6fbb", "", "back-fed input cell"),
    "hidden": ("#7FC97F", "#2d6a2d", "", "hidden cell"),
    "prob": ("#7FC97F", "#2d6a2d", "....", "probabilistic hidden cell"),
    "spiking": ("#7FC97F", "#2d6a2d", "xx", "spiking hidden cell"),
    "recurrent": ("#6BAED6", "#1f4e79", "", "recurrent cell"),
    "memory": ("#6BAED6", "#1f4e79", "||", "memory cell"),
    "gated": ("#6BAED6", "#1f4e79", "--", "gated memory cell"),
    "kernel": ("#BCBDDC", "#54278f", "", "kernel"),
    "conv": ("#F4A6C6", "#8e0152", "", "convolution or pooling"),
    "output": ("#FDAE6B", "#a63603", "", "output cell"),
    "match": ("#FDAE6B", "#8a6d00", "\\\\\\\\", "match input output cell"),
}


@dataclass(frozen=True)
class Architecture:
    """Columns of node kinds (left to right) and how they connect."""

    abbr: str
    name: str
    columns: tuple[tuple[str, ...], ...]
    links: str = "dense"  # dense | all (every pair) | bipartite | chain | random | none
    extra: tuple[tuple[int, int, int, int], ...] = field(default=())  # (col, row, col, row) extra edges (skips)
    self_loops: bool = False


def _col(kind: str, n: int) -> tuple[str, ...]:
    return (kind,) * n


ZOO: dict[str, Architecture] = {
    a.abbr: a
    for a in [
        Architecture("P", "perceptron", (_col("input", 2), _col("output", 1))),
        Architecture("FF", "feed-forward network", (_col("input", 2), _col("hidden", 2), _col("output", 1))),
        Architecture("RBF", "radial basis function network", (_col("input", 2), _col("kernel", 3), _col("output", 1))),
        Architecture(
            "DFF",
            "deep feed-forward network",
            (_col("input", 3), _col("hidden", 4), _col("hidden", 4), _col("hidden", 4), _col("output", 2)),
        ),
        Architecture(
            "RNN",
            "recurrent neural network",
            (_col("input", 3), _col("recurrent", 4), _col("recurrent", 4), _col("output", 2)),
            self_loops=True,
        ),
        Architecture(
            "LSTM",
            "long short-term memory",
            (_col("input", 3), _col("memory", 4), _col("memory", 4), _col("output", 2)),
            self_loops=True,
        ),
        Architecture(
            "GRU",
            "gated recurrent unit",
            (_col("input", 3), _col("gated", 4), _col("gated", 4), _col("output", 2)),
            self_loops=True,
        ),
        Architecture("AE", "autoencoder", (_col("input", 4), _col("hidden", 2), _col("match", 4))),
        Architecture("VAE", "variational autoencoder", (_col("input", 4), _col("prob", 2), _col("match", 4))),
        Architecture("DAE", "denoising autoencoder", (_col("noisy", 4), _col("hidden", 2), _col("match", 4))),
        Architecture("SAE", "sparse autoencoder", (_col("input", 2), _col("hidden", 5), _col("match", 2))),
        Architecture("MC", "Markov chain", (_col("prob", 2), _col("prob", 2), _col("prob", 2)), links="all"),
        Architecture("HN", "Hopfield network", (_col("backfed", 3), _col("backfed", 3)), links="all"),
        Architecture("BM", "Boltzmann machine", (_col("backfed", 3), _col("prob", 3)), links="all"),
        Architecture("RBM", "restricted Boltzmann machine", (_col("backfed", 4), _col("prob", 3)), links="bipartite"),
        Architecture(
            "DBN", "deep belief network", (_col("backfed", 4), _col("prob", 3), _col("prob", 3), _col("match", 2))
        ),
        Architecture(
            "DCN",
            "deep convolutional network",
            (_col("input", 4), _col("conv", 3), _col("conv", 2), _col("hidden", 3), _col("output", 2)),
        ),
        Architecture(
            "DN", "deconvolutional network", (_col("input", 2), _col("conv", 2), _col("conv", 3), _col("output", 4))
        ),
        Architecture(
            "DCIGN",
            "deep convolutional inverse graphics network",
            (_col("input", 4), _col("conv", 3), _col("prob", 2), _col("conv", 3), _col("output", 4)),
        ),
        Architecture(
            "GAN",
            "generative adversarial network",
            (_col("backfed", 2), _col("hidden", 3), _col("match", 3), _col("hidden", 3), _col("output", 1)),
        ),
        Architecture(
            "LSM",
            "liquid state machine",
            (_col("input", 3), _col("spiking", 4), _col("spiking", 4), _col("output", 2)),
            links="random",
        ),
        Architecture("ELM", "extreme learning machine", (_col("input", 3), _col("hidden", 5), _col("output", 2))),
        Architecture(
            "ESN",
            "echo state network",
            (_col("input", 3), _col("recurrent", 4), _col("recurrent", 4), _col("output", 2)),
            links="random",
            self_loops=True,
        ),
        Architecture(
            "DRN",
            "deep residual network",
            (_col("input", 3), _col("hidden", 3), _col("hidden", 3), _col("hidden", 3), _col("output", 3)),
            extra=((1, 0, 3, 0), (1, 2, 3, 2)),
        ),
        Architecture(
            "KN", "Kohonen network (self-organising map)", (_col("input", 3), _col("hidden", 5)), links="dense"
        ),
        Architecture("SVM", "support vector machine", (_col("input", 3), _col("kernel", 3), _col("output", 1))),
        Architecture(
            "NTM",
            "neural Turing machine",
            (_col("input", 3), _col("hidden", 3), _col("memory", 3), _col("hidden", 3), _col("output", 2)),
        ),
    ]
}


def _positions(arch: Architecture) -> list[list[tuple[float, float]]]:
    cols = arch.columns
    return [[(float(i), (len(c) - 1) / 2 - j) for j in range(len(c))] for i, c in enumerate(cols)]


def draw(ax, abbr: str, *, title: bool = True) -> None:
    """Draw the node diagram of architecture ``abbr`` (a key of :data:`ZOO`) on ``ax``."""
    from matplotlib.patches import Circle

    if abbr not in ZOO:
        raise ValueError(f"unknown architecture {abbr!r}; expected one of {list(ZOO)}")
    arch = ZOO[abbr]
    pos = _positions(arch)
    flat = [(i, j) for i, col in enumerate(pos) for j in range(len(col))]
    edges: list[tuple[tuple[float, float], tuple[float, float]]] = []
    if arch.links in ("dense", "random"):
        rng = np.random.default_rng(len(arch.abbr) + len(flat))
        for i in range(len(pos) - 1):
            for a in pos[i]:
                for b in pos[i + 1]:
                    if arch.links == "dense" or rng.random() < 0.45:
                        edges.append((a, b))
        if arch.links == "random":  # connections inside the reservoir
            for i in range(1, len(pos) - 1):
                for a in pos[i]:
                    for b in pos[i]:
                        if a != b and rng.random() < 0.25:
                            edges.append((a, b))
    elif arch.links == "all":
        pts = [pos[i][j] for i, j in flat]
        edges += [(a, b) for k, a in enumerate(pts) for b in pts[k + 1 :]]
    elif arch.links == "bipartite":
        edges += [(a, b) for a in pos[0] for b in pos[1]]
    for c0, r0, c1, r1 in arch.extra:
        a, b = pos[c0][r0], pos[c1][r1]
        ax.annotate(
            "",
            xy=b,
            xytext=a,
            arrowprops=dict(arrowstyle="-", color="#555555", lw=0.9, connectionstyle="arc3,rad=-0.45"),
        )
    for a, b in edges:
        ax.plot([a[0], b[0]], [a[1], b[1]], color="#9e9e9e", lw=0.6, zorder=1)
    for i, col in enumerate(pos):
        for j, (x, y) in enumerate(col):
            face, edge, hatch, _ = NODE_KINDS[arch.columns[i][j]]
            ax.add_patch(Circle((x, y), 0.22, fc=face, ec=edge, lw=1.2, hatch=hatch, zorder=3))
            if arch.self_loops and arch.columns[i][j] in ("recurrent", "memory", "gated"):
                ax.add_patch(Circle((x, y + 0.3), 0.12, fc="none", ec=edge, lw=0.8, zorder=2))
    # one scale for every diagram, so that node sizes agree across the zoo
    ax.set(xlim=(-0.5, 4.5), ylim=(-2.8, 2.9), aspect="equal")
    ax.axis("off")
    if title:
        import textwrap

        ax.set_title(f"{arch.abbr}\n" + "\n".join(textwrap.wrap(arch.name, 24)), fontsize=8, va="top", y=1.12)


def zoo_figure(abbrs=None, ncols: int = 5) -> Figure:
    """All (or the chosen) architectures, one small diagram each, in a grid."""
    import matplotlib.pyplot as plt

    abbrs = list(ZOO) if abbrs is None else list(abbrs)
    nrows = -(-len(abbrs) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(2.0 * ncols, 2.6 * nrows))
    for ax in np.ravel(axes):
        ax.axis("off")
    for ax, abbr in zip(np.ravel(axes), abbrs):
        draw(ax, abbr)
    fig.tight_layout()
    return fig


def legend_figure() -> Figure:
    """The node kinds used in the diagrams."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Circle

    fig, ax = plt.subplots(figsize=(9.0, 1.4))
    for k, (face, edge, hatch, text) in enumerate(NODE_KINDS.values()):
        x, y = (k % 5) * 1.9, -(k // 5) * 0.55
        ax.add_patch(Circle((x, y), 0.17, fc=face, ec=edge, hatch=hatch, lw=1.2))
        ax.text(x + 0.27, y, text, va="center", fontsize=8)
    ax.set(xlim=(-0.3, 9.5), ylim=(-1.45, 0.3), aspect="equal")
    ax.axis("off")
    return fig
