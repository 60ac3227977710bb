"""The book's figure style and small plotting helpers shared by all chapters."""

from __future__ import annotations

from collections.abc import Callable

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from nnbook import checks

# Colour-blind-safe palette (Okabe & Ito), in the order the book uses for classes and curves.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]

STYLE = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
    "legend.frameon": False,
    "image.cmap": "viridis",
}


def use_style() -> None:
    """Apply the book's matplotlib style (readable at book width, colour-blind-safe colours);
    in a notebook, figures are shown as double-resolution PNG (crisp on high-density screens)."""
    matplotlib.rcParams.update(STYLE)
    _crisp_inline_figures()


def _crisp_inline_figures() -> None:
    try:
        from IPython import get_ipython
    except ImportError:
        return
    ip = get_ipython()
    if ip is None or getattr(ip, "_nnbook_retina", False):
        return
    from matplotlib_inline.backend_inline import set_matplotlib_formats

    set_matplotlib_formats("retina")
    ip._nnbook_retina = True


def figure(
    ncols: int = 1, nrows: int = 1, *, width: float = 6.4, height: float = 4.0, **kw
) -> tuple[Figure, np.ndarray | Axes]:
    """A new figure in the book's style; ``width`` and ``height`` are per panel row/total width in inches."""
    use_style()
    fig, axes = plt.subplots(nrows, ncols, figsize=(width, height * nrows), layout="constrained", **kw)
    return fig, axes


def decision_regions(
    ax: Axes,
    predict: Callable[[np.ndarray], np.ndarray],
    X: np.ndarray,
    y: np.ndarray,
    *,
    pad: float = 0.5,
    resolution: int = 200,
) -> None:
    """Shade the regions where ``predict`` (a map from (n, 2) points to labels) gives each class,
    and scatter the labelled points ``X`` on top."""
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must have shape (n, 2) to draw 2-D decision regions; got {X.shape}")
    x0 = np.linspace(X[:, 0].min() - pad, X[:, 0].max() + pad, resolution)
    x1 = np.linspace(X[:, 1].min() - pad, X[:, 1].max() + pad, resolution)
    g0, g1 = np.meshgrid(x0, x1)
    z = np.asarray(predict(np.c_[g0.ravel(), g1.ravel()])).reshape(g0.shape)
    classes = np.unique(y)
    colours = matplotlib.colors.ListedColormap([PALETTE[int(c) % len(PALETTE)] for c in range(int(classes.max()) + 1)])
    ax.contourf(g0, g1, z, levels=np.arange(-0.5, classes.max() + 1), cmap=colours, alpha=0.18)
    for c in classes:
        m = y == c
        ax.scatter(
            X[m, 0],
            X[m, 1],
            color=PALETTE[int(c) % len(PALETTE)],
            edgecolor="white",
            s=60,
            label=f"class {c}",
            zorder=3,
        )
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")


def images(
    ax_row, imgs: np.ndarray, *, shape: tuple[int, int], titles=None, cmap: str = "gray_r", symmetric: bool = False
) -> None:
    """Draw each row of ``imgs`` reshaped to ``shape`` on the matching axis of ``ax_row``.

    With ``symmetric`` the colour scale is centred on zero (for weights: blue negative, red positive).
    """
    imgs = np.asarray(imgs, dtype=float)
    axes = np.ravel(ax_row)
    if len(axes) < len(imgs):
        raise ValueError(f"need at least {len(imgs)} axes to draw {len(imgs)} images; got {len(axes)}")
    lim = np.abs(imgs).max() if symmetric else None
    for i, (ax, img) in enumerate(zip(axes, imgs)):
        kw = dict(cmap="RdBu_r", vmin=-lim, vmax=lim) if symmetric else dict(cmap=cmap)
        ax.imshow(img.reshape(shape), **kw)
        bare_axis(ax, frame=True)
        if titles is not None:
            ax.set_title(titles[i])


def bare_axis(ax: Axes, *, frame: bool = False) -> Axes:
    """Make ``ax`` an axis for a picture: no ticks, no grid, and a thin grey frame on all four sides
    with ``frame`` (so a white background still shows the picture's edge) or none; returns it."""
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(frame)
        if frame:
            spine.set(color="0.6", linewidth=0.6)
    return ax


def weights_figure(
    weights: np.ndarray, *, shape: tuple[int, int], title: str, ncols: int = 8, numbered: bool = False
) -> Figure:
    """Each row of ``weights`` (a unit's incoming weights, a convolution kernel) drawn as a ``shape``
    image, all on one colour scale centred on zero (red positive, blue negative), ``ncols`` to a row;
    with ``numbered`` each image is titled with its index."""
    w = np.asarray(weights, dtype=float)
    if w.ndim < 2 or len(w) == 0 or int(np.prod(w.shape[1:])) != shape[0] * shape[1]:
        raise ValueError(
            f"weights must be a non-empty stack of {shape} images (or of rows of that size); got {w.shape}"
        )
    w = w.reshape(len(w), -1)
    cols = min(checks.positive_int(ncols, "ncols"), len(w))
    rows = -(-len(w) // cols)
    fig, axes = figure(cols, rows, width=0.8 * cols, height=0.8 + 0.25 * numbered, squeeze=False)
    for ax in axes.flat[len(w) :]:
        ax.axis("off")
    images(
        axes.flat[: len(w)],
        w,
        shape=shape,
        titles=[str(i) for i in range(len(w))] if numbered else None,
        symmetric=True,
    )
    fig.suptitle(title)
    return fig
