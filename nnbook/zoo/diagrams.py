"""Node diagrams of the 27 architectures of the network zoo, all drawn by one function in one style.

Each architecture is a list of columns of typed nodes plus a connection pattern; `draw` places the
columns left to right and draws the connections under the nodes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from matplotlib.figure import Figure

from nnbook import checks

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


# dense: each column to the next; random: some of those and some inside the middle columns;
# all: every pair of nodes; bipartite: the first column to the second; none: no connections
LINKS = ("dense", "random", "all", "bipartite", "none")


@dataclass(frozen=True)
class Architecture:
    """Columns of node kinds (left to right) and how they connect; ``columns`` may be given as
    ``"input 3, hidden 4, output 2"`` (kind and count of each column)."""

    abbr: str
    name: str
    columns: tuple[tuple[str, ...], ...] | str
    links: str = "dense"  # one of LINKS
    extra: tuple[tuple[int, int, int, int], ...] = field(default=())  # (col, row, col, row) extra edges (skips)
    self_loops: bool = False

    def __post_init__(self) -> None:
        if isinstance(self.columns, str):  # the compact form "input 3, hidden 4, output 2"
            object.__setattr__(self, "columns", _columns(self.columns))
        checks.one_of(self.links, LINKS, "links")


def _columns(spec: str) -> tuple[tuple[str, ...], ...]:
    """Columns from a compact description, left to right: ``"input 3, hidden 4, output 2"``."""
    cols = []
    for part in spec.split(","):
        words = part.split()
        if len(words) != 2 or not words[1].isdigit() or int(words[1]) < 1:
            raise ValueError(f"each column must read 'kind count', e.g. 'hidden 4'; got {part.strip()!r} in {spec!r}")
        kind = checks.one_of(words[0], NODE_KINDS, "node kind")
        cols.append((kind,) * int(words[1]))
    return tuple(cols)


ZOO: dict[str, Architecture] = {
    a.abbr: a
    for a in [
        Architecture("P", "perceptron", "input 2, output 1"),
        Architecture("FF", "feed-forward network", "input 2, hidden 2, output 1"),
        Architecture("RBF", "radial basis function network", "input 2, kernel 3, output 1"),
        Architecture("DFF", "deep feed-forward network", "input 3, hidden 4, hidden 4, hidden 4, output 2"),
        Architecture("RNN", "recurrent neural network", "input 3, recurrent 4, recurrent 4, output 2", self_loops=True),
        Architecture("LSTM", "long short-term memory", "input 3, memory 4, memory 4, output 2", self_loops=True),
        Architecture("GRU", "gated recurrent unit", "input 3, gated 4, gated 4, output 2", self_loops=True),
        Architecture("AE", "autoencoder", "input 4, hidden 2, match 4"),
        Architecture("VAE", "variational autoencoder", "input 4, prob 2, match 4"),
        Architecture("DAE", "denoising autoencoder", "noisy 4, hidden 2, match 4"),
        Architecture("SAE", "sparse autoencoder", "input 2, hidden 5, match 2"),
        Architecture("MC", "Markov chain", "prob 2, prob 2, prob 2", links="all"),
        Architecture("HN", "Hopfield network", "backfed 3, backfed 3", links="all"),
        Architecture("BM", "Boltzmann machine", "backfed 3, prob 3", links="all"),
        Architecture("RBM", "restricted Boltzmann machine", "backfed 4, prob 3", links="bipartite"),
        Architecture("DBN", "deep belief network", "backfed 4, prob 3, prob 3, match 2"),
        Architecture("DCN", "deep convolutional network", "input 4, conv 3, conv 2, hidden 3, output 2"),
        Architecture("DN", "deconvolutional network", "input 2, conv 2, conv 3, output 4"),
        Architecture(
            "DCIGN",
            "deep convolutional inverse graphics network",
            "input 4, conv 3, prob 2, conv 3, output 4",
        ),
        Architecture("GAN", "generative adversarial network", "backfed 2, hidden 3, match 3, hidden 3, output 1"),
        Architecture("LSM", "liquid state machine", "input 3, spiking 4, spiking 4, output 2", links="random"),
        Architecture("ELM", "extreme learning machine", "input 3, hidden 5, output 2"),
        Architecture(
            "ESN",
            "echo state network",
            "input 3, recurrent 4, recurrent 4, output 2",
            links="random",
            self_loops=True,
        ),
        Architecture(
            "DRN",
            "deep residual network",
            "input 3, hidden 3, hidden 3, hidden 3, output 3",
            extra=((1, 0, 3, 0), (1, 2, 3, 2)),
        ),
        Architecture("KN", "Kohonen network (self-organising map)", "input 3, hidden 5"),
        Architecture("SVM", "support vector machine", "input 3, kernel 3, output 1"),
        Architecture("NTM", "neural Turing machine", "input 3, hidden 3, memory 3, hidden 3, output 2"),
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
