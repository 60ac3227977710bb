"""Chapter 4's widget and experiments: outliers under MAE / MSE / Huber, and moving a predicted distribution."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from nnbook import checks
from nnbook.plot import PALETTE, figure
from nnbook.scratch import losses as L
from nnbook.scratch.activations import softmax

TRUE_W, TRUE_B = 2.0, 1.0
TARGETS = {"soft": np.array([0.5, 0.25, 0.15, 0.10]), "one-hot": np.array([1.0, 0.0, 0.0, 0.0])}


def line_data(n: int = 40, n_outliers: int = 0, *, shift: float = -6.0, noise: float = 0.1, seed: int = 0):
    """Points on y = 2x + 1 plus Gaussian noise, x in [0, 1]; the ``n_outliers`` largest x get ``shift`` added to y.

    Returns x, y and a boolean mask of the outliers.
    """
    if not 0 <= n_outliers < n:
        raise ValueError(f"n_outliers must be in [0, n) = [0, {n}); got {n_outliers}")
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(0, 1, n))
    y = TRUE_W * x + TRUE_B + noise * rng.standard_normal(n)
    out = np.zeros(n, dtype=bool)
    if n_outliers:
        out[-n_outliers:] = True  # a failing sensor at the end of the range
    y[out] += shift
    return x, y, out


def fit_all(x, y, delta: float = 0.3, steps: int = 3000) -> dict[str, tuple[float, float]]:
    """Slope and intercept of the line fitted under each loss (MSE in closed form, MAE and Huber by gradient descent)."""
    return {
        "mse": L.least_squares(x, y),
        "mae": L.fit_line(x, y, "mae", lr=0.1, steps=steps, decay=True)[:2],
        "huber": L.fit_line(x, y, "huber", delta=delta, lr=0.5, steps=steps)[:2],
    }


def outlier_figure(n_outliers: int = 4, delta: float = 0.3) -> Figure:
    """The data with its outliers and the line each loss fits to it."""
    x, y, out = line_data(n_outliers=n_outliers)
    fits = fit_all(x, y, delta=delta)
    fig, ax = figure(width=6.4, height=4.2)
    ax.scatter(x[~out], y[~out], s=18, color="grey", label="data")
    ax.scatter(x[out], y[out], s=40, marker="x", color="black", label="outliers")
    grid = np.array([0.0, 1.0])
    ax.plot(grid, TRUE_W * grid + TRUE_B, color="grey", ls=":", label="true line y = 2x + 1")
    for (name, (w, b)), c in zip(fits.items(), PALETTE):
        ax.plot(
            grid,
            w * grid + b,
            color=c,
            lw=2,
            label=f"{name.upper() if name != 'huber' else f'Huber (δ={delta:g})'}: slope {w:.2f}",
        )
    worst = max(fits, key=lambda k: abs(fits[k][0] - TRUE_W))
    ax.set(
        xlabel="x",
        ylabel="y",
        title=f"{n_outliers} outliers of {x.size}: {worst.upper() if worst != 'huber' else 'Huber'} is pulled furthest",
    )
    ax.legend(fontsize=9, loc="lower left")
    return fig


def distribution_figure(z1: float = 0.0, z2: float = 1.0, z3: float = 0.0, target: str = "soft") -> Figure:
    """Target p against prediction q = softmax(z1, z2, z3, 0), with H(p), H(p, q), KL(p||q) and KL(q||p) in bits."""
    checks.one_of(target, TARGETS, "target")
    p = TARGETS[target]
    q = softmax(np.array([z1, z2, z3, 0.0]))
    H, CE, KL, KLr = L.entropy(p), L.cross_entropy(p, q), L.kl_divergence(p, q), L.kl_divergence(q, p)
    fig, (ax0, ax1) = figure(2, width=11.0, height=3.8)
    k = np.arange(4)
    ax0.bar(k - 0.2, p, width=0.4, color=PALETTE[0], label="target p")
    ax0.bar(k + 0.2, q, width=0.4, color=PALETTE[1], label="prediction q")
    ax0.set(
        xticks=k,
        xticklabels=[f"class {i + 1}" for i in k],
        ylabel="probability",
        ylim=(0, 1.05),
        title="move the scores z to reshape q",
    )
    ax0.legend()
    names = ["H(p)", "H(p, q)", "KL(p || q)", "KL(q || p)"]
    vals = [H, CE, KL, KLr]
    right = max(4.0, 1.25 * max(v for v in vals if np.isfinite(v)))
    shown = [min(v, right) for v in vals]  # KL(q || p) is infinite when q puts mass where p has none
    bars = ax1.barh(names[::-1], shown[::-1], color=[PALETTE[3], PALETTE[2], PALETTE[1], PALETTE[0]])
    for bar, v in zip(bars, vals[::-1]):
        ax1.text(
            bar.get_width(), bar.get_y() + bar.get_height() / 2, f" {v:.3f}" if np.isfinite(v) else " ∞", va="center"
        )
    ax1.set(xlabel="bits", xlim=(0, 1.12 * right), title=f"H(p, q) = H(p) + KL(p || q): {CE:.3f} = {H:.3f} + {KL:.3f}")
    return fig
