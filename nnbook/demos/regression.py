"""Figures of the gradient-descent chapter: pure functions (parameters -> Figure) for Demo."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from nnbook.history import History
from nnbook.plot import PALETTE, figure
from nnbook.scratch import regression as R

DEFAULT_POINTS = "-2, -2.4; -1, -0.3; 0, 0.9; 1, 2.0; 2, 4.1; 3, 5.3"


def parse_points(text: str) -> tuple[np.ndarray, np.ndarray]:
    """Points written as ``"x, y; x, y; ..."`` (at least two distinct x) -> arrays ``x, y``."""
    if not isinstance(text, str):
        raise TypeError(f"points must be a string like {DEFAULT_POINTS!r}; got {type(text).__name__}")
    pairs = [p for p in text.replace("\n", ";").split(";") if p.strip()]
    xs, ys = [], []
    for p in pairs:
        parts = p.replace("(", "").replace(")", "").split(",")
        try:
            x, y = (float(v) for v in parts)
        except ValueError:
            raise ValueError(
                f"each point must be 'x, y' with two numbers, points separated by ';'; could not read {p.strip()!r}"
            ) from None
        xs.append(x)
        ys.append(y)
    if len(set(xs)) < 2:
        raise ValueError(f"a line needs at least two points with different x; got {len(xs)} point(s) in {text!r}")
    return np.array(xs), np.array(ys)


def _window(centre, *points, pad=1.3, least=2.0):
    """Axis limits around ``centre`` that contain the finite ``points`` (clipped to 50 around it)."""
    spans = [least] + [min(abs(p - centre) * pad, 50.0) for p in points if np.isfinite(p)]
    s = max(spans)
    return centre - s, centre + s


def _contour(ax, x, y, hist: History, opt, extra=(), equal=False):
    """Loss surface of y = a x + b around the optimum ``opt``, with the GD path(s) drawn on it.

    With ``equal`` both axes get the same span and scale, so round contours look round."""
    P = hist["theta"]
    a_lim = _window(opt[0], *P[:, 0], *[e[0] for e in extra])
    b_lim = _window(opt[1], *P[:, 1], *[e[1] for e in extra])
    if equal:
        half = max(a_lim[1] - a_lim[0], b_lim[1] - b_lim[0]) / 2
        a_lim, b_lim = (opt[0] - half, opt[0] + half), (opt[1] - half, opt[1] + half)
        ax.set_aspect("equal")
    a = np.linspace(*a_lim, 120)
    b = np.linspace(*b_lim, 120)
    Z = R.loss_surface(x, y, a, b)
    ax.contourf(a, b, np.log10(Z), levels=25, cmap="viridis", alpha=0.85)
    ax.contour(a, b, np.log10(Z), levels=12, colors="white", linewidths=0.4, alpha=0.6)
    ax.plot(P[:, 0], P[:, 1], "o-", color=PALETTE[1], ms=3, lw=1.2, label="gradient descent")
    ax.plot(*opt, "*", color="white", ms=14, mec="black", label="least squares")
    ax.set_xlim(*a_lim)
    ax.set_ylim(*b_lim)
    ax.set_xlabel("slope $a$")
    ax.set_ylabel("intercept $b$")


def gd_figure(
    points: str = DEFAULT_POINTS, lr: float = 0.05, steps: int = 30, a0: float = -1.0, b0: float = 4.0
) -> Figure:
    """Fit y = a x + b to ``points`` with ``steps`` of batch gradient descent from (a0, b0).

    Left: the points and the line after every step (light to dark). Middle: the loss per step.
    Right: the path of (a, b) on the contour map of the loss (log scale).
    """
    x, y = parse_points(points)
    X = x[:, None]
    hist = R.descend(R.mse_loss_grad, X, y, lr=lr, steps=int(steps), theta0=np.array([a0, b0]))
    opt = R.least_squares(X, y)
    best = R.mse_loss_grad(opt, X, y)[0]
    fig, axes = figure(3, width=13.0, height=4.0)
    ax = axes[0]
    xx = np.linspace(x.min() - 0.5, x.max() + 0.5, 2)
    for k, (a, b) in enumerate(hist["theta"]):
        if np.isfinite(a) and np.isfinite(b):
            ax.plot(xx, a * xx + b, color=PALETTE[0], alpha=0.1 + 0.9 * k / max(len(hist["theta"]) - 1, 1), lw=1)
    ax.scatter(x, y, color=PALETTE[1], zorder=3, s=40, label="points")
    ax.set_ylim(y.min() - 2, y.max() + 2)
    ax.set_xlabel("$x$")
    ax.set_ylabel("$y$")
    ax.set_title("the line after each step")
    ax.legend(loc="upper left")

    ax = axes[1]
    finite = np.isfinite(hist["loss"])
    ax.semilogy(hist["updates"][finite], hist["loss"][finite], color=PALETTE[0], label="loss")
    ax.axhline(best, color="black", ls=":", label="least-squares minimum")
    ax.set_xlabel("step")
    ax.set_ylabel("mean squared error")
    ax.set_title("loss per step")
    ax.legend()

    _contour(axes[2], x, y, hist, opt, extra=[(a0, b0)])
    axes[2].set_title("path on the loss surface")
    last = hist["loss"][-1]
    if not np.isfinite(last) or last > hist["loss"][0]:
        verdict = f"lr = {lr:g} diverges: the loss grows from {hist['loss'][0]:.3g} to {last:.3g}"
    else:
        verdict = f"lr = {lr:g}, {hist['updates'][-1]} steps: a = {R.final_theta(hist)[0]:.3f}, b = {R.final_theta(hist)[1]:.3f}, loss {last:.4g} (minimum {best:.4g})"
    fig.suptitle(verdict)
    return fig


def learning_rates_figure(
    points: str = DEFAULT_POINTS, lrs=(0.005, 0.05, 0.1), steps: int = 40, a0: float = -1.0, b0: float = 4.0
) -> Figure:
    """One panel per learning rate: the path on the loss surface, titled with the final loss."""
    x, y = parse_points(points)
    X = x[:, None]
    opt = R.least_squares(X, y)
    best = R.mse_loss_grad(opt, X, y)[0]
    fig, axes = figure(len(lrs), width=4.3 * len(lrs), height=4.0)
    for ax, lr in zip(np.ravel(axes), lrs):
        h = R.descend(R.mse_loss_grad, X, y, lr=lr, steps=steps, theta0=np.array([a0, b0]))
        _contour(ax, x, y, h, opt, extra=[(a0, b0)])
        last = h["loss"][-1]
        verdict = (
            "diverges"
            if not np.isfinite(last) or last > h["loss"][0]
            else ("converged" if last < 1.01 * best else "too slow")
        )
        ax.set_title(f"lr = {lr:.3g}: {verdict}\nloss {h['loss'][0]:.3g} -> {last:.3g} in {h['updates'][-1]} steps")
    return fig


def scaling_figure(x: np.ndarray, y: np.ndarray, lr_fraction: float = 0.95, steps: int = 100) -> Figure:
    """The loss surface and GD path for raw ``x`` and for standardised ``x`` side by side.

    Each run uses ``lr_fraction`` of its largest stable learning rate ``2 / lambda_max``.
    """
    x = np.asarray(x, dtype=np.float64)
    fig, axes = figure(2, width=10.0, height=4.2)
    for ax, (name, xs) in zip(axes, [("raw x", x), ("standardised x", R.standardize(x[:, None])[0][:, 0])]):
        X = xs[:, None]
        lr = lr_fraction * R.max_stable_lr(X)
        h = R.descend(R.mse_loss_grad, X, y, lr=lr, steps=steps)
        opt = R.least_squares(X, y)
        _contour(ax, xs, y, h, opt, extra=[(0.0, 0.0)], equal=True)
        ax.set_title(
            f"{name}: condition number {R.condition_number(X):.3g}\nloss after {steps} steps: {h['loss'][-1]:.3g}"
        )
    return fig


def batch_modes_figure(histories: dict[str, History], best: float | None = None) -> Figure:
    """Loss against examples processed (left) and against parameter updates (right)."""
    fig, axes = figure(2, width=10.0, height=3.8)
    for k, (name, h) in enumerate(histories.items()):
        axes[0].semilogy(h["examples"], h["loss"], color=PALETTE[k], label=name)
        axes[1].semilogy(np.maximum(h["updates"], 1), h["loss"], color=PALETTE[k], label=name)
    axes[1].set_xscale("log")
    for ax, xl in zip(axes, ["examples processed (gradient evaluations)", "parameter updates"]):
        if best is not None:
            ax.axhline(best, color="black", ls=":", lw=1)
        ax.set_xlabel(xl)
        ax.set_ylabel("loss on all training data")
        ax.legend()
    axes[0].set_title("per example seen, small batches learn faster")
    axes[1].set_title("per update, full batches are steadier")
    return fig
