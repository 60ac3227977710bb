"""Experiments and figures of the introduction: methods compared, universal approximation."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from nnbook.approximation import GRID, fit_shallow, sup_error, target
from nnbook.grey import gm11_forecast
from nnbook.plot import PALETTE, figure

__all__ = [
    "growth_series",
    "forecast_errors",
    "forecast_comparison",
    "tabular_comparison",
    "approximation_figure",
    "nesting_figure",
]


def growth_series(rng: np.random.Generator, n: int = 10) -> np.ndarray:
    """A short series growing exponentially (rate 5-15 % per step) with 3 % multiplicative noise."""
    rate = rng.uniform(0.05, 0.15)
    return 50.0 * (1 + rate) ** np.arange(n) * (1 + 0.03 * rng.standard_normal(n))


def forecast_errors(series: np.ndarray, horizon: int = 3, seed: int = 0) -> dict[str, float]:
    """Mean absolute percentage error of the last ``horizon`` values, each method fitted on the rest."""
    from sklearn.linear_model import LinearRegression
    from sklearn.neural_network import MLPRegressor

    train, test = series[:-horizon], series[-horizon:]
    k = np.arange(len(series), dtype=float)[:, None]
    kt, kf = k[:-horizon], k[-horizon:]
    line = LinearRegression().fit(kt, train).predict(kf)
    scale = train.mean()
    mlp = MLPRegressor(hidden_layer_sizes=(16,), activation="tanh", solver="lbfgs", max_iter=5000, random_state=seed)
    mlp.fit(kt / len(series), train / scale)
    preds = {
        "GM(1,1)": gm11_forecast(train, horizon)[-horizon:],
        "straight line (least squares)": line,
        "neural network (16 tanh units)": mlp.predict(kf / len(series)) * scale,
    }
    return {name: float(100 * np.mean(np.abs(p - test) / test)) for name, p in preds.items()}


def forecast_comparison(n_series: int = 20, seed: int = 0):
    """Forecast errors of the three methods on ``n_series`` random growth series: one row per series."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    return pd.DataFrame([forecast_errors(growth_series(rng), seed=i) for i in range(n_series)])


def tabular_comparison(seed: int = 0):
    """5-fold cross-validated accuracy of logistic regression, a decision tree and an MLP on two bundled data sets."""
    import pandas as pd
    from sklearn.datasets import load_breast_cancer, load_digits
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.tree import DecisionTreeClassifier

    models = {
        "logistic regression": make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)),
        "decision tree": DecisionTreeClassifier(random_state=seed),
        "neural network (MLP, 64 units)": make_pipeline(
            StandardScaler(), MLPClassifier(hidden_layer_sizes=(64,), max_iter=1000, random_state=seed)
        ),
    }
    data = {
        "breast cancer (569 x 30)": load_breast_cancer(return_X_y=True),
        "digits (1797 x 64)": load_digits(return_X_y=True),
    }
    rows = {
        name: {d: float(cross_val_score(m, X, y, cv=5).mean()) for d, (X, y) in data.items()}
        for name, m in models.items()
    }
    return pd.DataFrame(rows).T


def approximation_figure(width: int = 8, widths=(1, 2, 4, 8, 16, 32)) -> Figure:
    """Left: the target and a one-hidden-layer network of ``width`` units. Right: largest error against width."""
    import torch

    fig, (ax0, ax1) = figure(2, width=10.0, height=3.6)
    with torch.no_grad():
        pred = fit_shallow(width)(torch.tensor(GRID[:, None]))[:, 0].numpy()
    ax0.plot(GRID, target(GRID), color="black", lw=2, label="target f(x)")
    ax0.plot(GRID, pred, color=PALETTE[1], lw=1.5, label=f"network, {width} tanh units")
    ax0.set(xlabel="x", ylabel="y", title=f"width {width}: largest error {sup_error(width):.3f}")
    ax0.legend(fontsize=8, loc="lower right")
    errs = [sup_error(w) for w in widths]
    ax1.plot(widths, errs, "o-", color=PALETTE[0])
    ax1.plot([width], [sup_error(width)], "o", color=PALETTE[1], ms=10)
    ax1.set(
        xscale="log",
        yscale="log",
        xlabel="hidden units",
        ylabel="largest |error| on [-π, π]",
        title="wider hidden layer, smaller error",
    )
    ax1.set_xticks(list(widths), [str(w) for w in widths])
    ax1.minorticks_off()
    fig.tight_layout()
    return fig


def nesting_figure() -> Figure:
    """AI contains machine learning, which contains deep learning; reinforcement learning overlaps both."""
    from matplotlib.patches import Ellipse

    fig, ax = figure(width=6.4, height=4.0)
    for (cx, cy, w, h), label, c, ty in [
        ((0, 0, 10, 6.4), "artificial intelligence", PALETTE[0], 2.7),
        ((0.6, -0.5, 7.4, 4.6), "machine learning", PALETTE[2], 1.6),
        ((1.2, -1.0, 4.2, 2.6), "deep learning", PALETTE[1], -0.3),
    ]:
        ax.add_patch(Ellipse((cx, cy), w, h, fc=c, alpha=0.15, ec=c, lw=1.5))
        ax.text(cx, ty, label, ha="center", fontsize=10, color=c)
    ax.add_patch(Ellipse((-1.5, -0.8), 3.0, 2.0, fc="none", ec=PALETTE[3], lw=1.5, ls="--"))
    ax.text(-1.7, -1.0, "reinforcement\nlearning", ha="center", fontsize=9, color=PALETTE[3])
    ax.set(
        xlim=(-5.2, 5.2), ylim=(-3.4, 3.4), aspect="equal", title="deep learning is machine learning with deep networks"
    )
    ax.axis("off")
    return fig
