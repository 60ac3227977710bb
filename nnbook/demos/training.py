"""Chapters 7 and 8: the digits experiment runner and the figures (pure functions, for Demo and
the text). The data (digits splits, shifts) lives in ``nnbook.data``, the metrics in ``nnbook.metrics``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import torch
from matplotlib.figure import Figure

from nnbook import fit as _fit
from nnbook import runtime
from nnbook.augment import random_shift
from nnbook.data import DigitsSplits, subsample
from nnbook.history import History
from nnbook.keras_style import make_optimiser
from nnbook.metrics import expected_cost
from nnbook.models.mlp import mlp
from nnbook.plot import PALETTE, figure


# ---------------------------------------------------------------------------------------------
# One experiment on digits
# ---------------------------------------------------------------------------------------------
def train_digits_mlp(
    data: DigitsSplits,
    *,
    hidden: Sequence[int] = (64,),
    dropout: float = 0.0,
    batch_norm: bool = False,
    weight_decay: float = 0.0,
    optimiser: str = "adam",
    lr: float = 1e-3,
    momentum: float = 0.0,
    nesterov: bool = False,
    schedule: bool = False,
    epochs: int = 30,
    batch_size: int | None = 128,
    n_train: int | None = None,
    augment: int = 0,
    augment_p: float = 0.5,
    early_stopping: _fit.EarlyStopping | int | None = None,
    seed: int = 0,
):
    """Build ``mlp((64, *hidden, 10))`` with seed ``seed``, train it on (a stratified subsample of
    ``n_train``) training digits with validation on ``data.val``; return ``(model, history)``.

    ``optimiser`` is ``"sgd"`` (with ``momentum``, optionally ``nesterov``) or ``"adam"``;
    ``schedule`` adds a cosine decay of the learning rate to zero over the epochs; ``augment``
    moves a fraction ``augment_p`` of each batch's images by up to that many pixels
    (:func:`nnbook.augment.random_shift`).
    """
    X, y = data.train if n_train is None else subsample(*data.train, n_train, seed=0)
    runtime.seed(seed)
    model = mlp((64, *hidden, 10), dropout=dropout, batch_norm=batch_norm)
    if optimiser not in ("sgd", "adam"):
        raise ValueError(f"optimiser must be 'sgd' or 'adam'; got {optimiser!r}")
    options = {"momentum": momentum, "nesterov": nesterov} if optimiser == "sgd" else {}
    opt = make_optimiser(optimiser, model.parameters(), lr=lr, weight_decay=weight_decay, **options)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs) if schedule else None
    aug = (lambda xb: random_shift(xb, augment, p=augment_p)) if augment else None
    history = _fit.fit(
        model,
        (X, y),
        loss="cross_entropy",
        optimiser=opt,
        epochs=epochs,
        batch_size=batch_size,
        val_data=data.val,
        metrics=["accuracy"],
        scheduler=sched,
        augment=aug,
        early_stopping=early_stopping,
        device="cpu",
        seed=seed,
        progress=False,
    )
    return model, history


def fit_workflow_mlp(data: DigitsSplits, *, seed: int = 0, progress: bool = True):
    """Chapter 7's workflow model, trained as the chapter shows: ``(model, history, early_stopping)``."""
    runtime.seed(seed)
    model = mlp((64, 256, 10), dropout=0.2)
    optimiser = torch.optim.Adam(model.parameters(), lr=2e-3, weight_decay=1e-4)
    early = _fit.EarlyStopping(patience=10)
    history = _fit.fit(
        model,
        data.train,
        loss="cross_entropy",
        optimiser=optimiser,
        epochs=100,
        batch_size=128,
        val_data=data.val,
        metrics=["accuracy"],
        early_stopping=early,
        seed=seed,
        progress=progress,
    )
    return model, history, early


def digits_test_accuracy(model, data: DigitsSplits) -> float:
    """Accuracy of ``model`` on the digits test set."""
    return _fit.evaluate(model, data.test, metrics=["accuracy"], device="cpu")["accuracy"]


# ---------------------------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------------------------
def curves_figure(
    histories: Mapping[str, History],
    *,
    metric: str = "loss",
    title: str = "",
    ax=None,
    val: bool = True,
    train: bool = True,
) -> Figure:
    """Per-epoch training (dashed) and validation (solid) curves of several runs on one axis."""
    if ax is None:
        fig, ax = figure()
    else:
        fig = ax.figure
    for i, (label, h) in enumerate(histories.items()):
        c = PALETTE[i % len(PALETTE)]
        epochs = np.arange(1, len(h) + 1)
        if train:
            ax.plot(epochs, h[metric], "--", color=c, alpha=0.8, label=f"{label} (train)" if val else label)
        if val:
            ax.plot(epochs, h[f"val_{metric}"], "-", color=c, label=f"{label} (validation)" if train else label)
    ax.set_xlabel("epoch")
    ax.set_ylabel(metric.replace("_", " "))
    ax.set_title(title)
    ax.legend(fontsize=8)
    return fig


def regularisation_figure(
    runs: Mapping[tuple[float, float], History], dropout: float = 0.0, weight_decay: float = 0.0
) -> Figure:
    """Learning curves of the precomputed run with this ``dropout`` and ``weight_decay``, over
    the unregularised run in grey (the widget of the regularisation section)."""
    key = (float(dropout), float(weight_decay))
    if key not in runs:
        raise ValueError(f"no precomputed run for dropout={dropout}, weight_decay={weight_decay}; have {sorted(runs)}")
    base, h = runs[min(runs)], runs[key]
    fig, ax = figure(width=6.4, height=3.8)
    e = np.arange(1, len(h) + 1)
    ax.plot(np.arange(1, len(base) + 1), base["val_loss"], color="0.7", label="no regularisation (validation)")
    ax.plot(e, h["loss"], "--", color=PALETTE[0], label="training")
    ax.plot(e, h["val_loss"], color=PALETTE[1], label="validation")
    best = int(np.argmin(h["val_loss"]))
    ax.plot(best + 1, h["val_loss"][best], "o", color=PALETTE[1], label="lowest validation loss")
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("cross-entropy loss")
    ax.set_title(f"dropout {dropout:g}, weight decay {weight_decay:g}: final validation loss {h['val_loss'][-1]:.3f}")
    ax.legend(fontsize=8)
    return fig


def sweep_figure(
    xs, train_vals, val_vals, *, xlabel: str, ylabel: str = "error rate", title: str = "", logx: bool = True, ax=None
) -> Figure:
    """Training and validation values against a swept setting (capacity, data size, ...)."""
    if ax is None:
        fig, ax = figure()
    else:
        fig = ax.figure
    ax.plot(xs, train_vals, "o--", color=PALETTE[0], label="training")
    ax.plot(xs, val_vals, "o-", color=PALETTE[1], label="validation")
    if logx:
        ax.set_xscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend()
    return fig


def shifted_examples_figure(images: np.ndarray, max_shift: int = 1, n: int = 6, seed: int = 0) -> Figure:
    """A row of digits and, below, the same digits after one random shift each."""
    from nnbook.plot import images as draw

    g = torch.Generator().manual_seed(seed)
    orig = np.asarray(images[:n], dtype=float)
    moved = random_shift(orig, max_shift, generator=g).numpy()
    fig, axes = figure(n, 2, width=1.2 * n, height=1.3)
    draw(axes[0], orig, shape=(8, 8))
    draw(axes[1], moved, shape=(8, 8))
    axes[0, 0].set_ylabel("original")
    axes[1, 0].set_ylabel("shifted")
    fig.suptitle(f"Random shifts of up to {max_shift} pixel keep the digit's identity")
    return fig


def similarity_matrix_figure(S: np.ndarray, labels: Sequence[str], *, title: str, ax=None, vmin: float = 0.0) -> Figure:
    """A labelled heat map of a similarity (or dissimilarity) matrix, values written in the cells."""
    if ax is None:
        fig, ax = figure(width=5.2, height=4.4)
    else:
        fig = ax.figure
    im = ax.imshow(S, vmin=vmin, vmax=1.0, cmap="viridis")
    ax.set_xticks(range(len(labels)), labels, rotation=90, fontsize=8)
    ax.set_yticks(range(len(labels)), labels, fontsize=8)
    ax.grid(False)
    if len(labels) <= 8:
        for i in range(len(labels)):
            for j in range(len(labels)):
                ax.text(
                    j,
                    i,
                    f"{S[i, j]:.2f}",
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="w" if S[i, j] < 0.5 * (1 + vmin) else "k",
                )
    fig.colorbar(im, ax=ax, shrink=0.8)
    ax.set_title(title)
    return fig


def mds_figure(points: np.ndarray, groups: Sequence[int], layers: Sequence[str], *, title: str) -> Figure:
    """MDS map: one point per (network, layer), a network's layers joined by a grey line."""
    points, groups = np.asarray(points), np.asarray(groups)
    fig, ax = figure(width=5.6, height=4.6)
    markers = ["o", "s", "^", "D", "v"]
    for g in np.unique(groups):
        m = groups == g
        ax.plot(points[m, 0], points[m, 1], color="0.75", zorder=1)
    for k, name in enumerate(layers):
        m = np.arange(len(points)) % len(layers) == k
        ax.scatter(
            points[m, 0], points[m, 1], marker=markers[k % len(markers)], s=60, color=PALETTE[k], label=name, zorder=2
        )
    ax.set_xlabel("MDS dimension 1")
    ax.set_ylabel("MDS dimension 2")
    ax.set_aspect("equal", adjustable="datalim")
    ax.legend(fontsize=8)
    ax.set_title(title)
    return fig


def workflow_figure() -> Figure:
    """The training workflow as a row of boxes: the steps of the chapter, with the loop marked."""
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    steps = [
        "data",
        "preprocess\n(one-hot,\nnormalise)",
        "model",
        "loss",
        "optimiser",
        "training\nloop",
        "evaluate",
        "save /\nload",
    ]
    fig, ax = figure(width=9.0, height=2.3)
    ax.set_xlim(-0.6, len(steps) - 0.4)
    ax.set_ylim(-1.2, 1.0)
    ax.axis("off")
    for i, s in enumerate(steps):
        colour = PALETTE[1] if s.startswith("training") else PALETTE[0]
        ax.add_patch(
            FancyBboxPatch((i - 0.42, -0.4), 0.84, 0.8, boxstyle="round,pad=0.03", fc=colour, alpha=0.15, ec=colour)
        )
        ax.text(i, 0, s, ha="center", va="center", fontsize=9)
        if i:
            ax.add_patch(
                FancyArrowPatch((i - 0.58, 0), (i - 0.44, 0), arrowstyle="-|>", mutation_scale=12, color="0.3")
            )
    ax.add_patch(
        FancyArrowPatch(
            (5.3, -0.45),
            (4.7, -0.45),
            connectionstyle="arc3,rad=-0.9",
            arrowstyle="-|>",
            mutation_scale=12,
            color=PALETTE[1],
        )
    )
    ax.text(
        5,
        -1.05,
        "repeat for every mini-batch and epoch:\nforward, loss, backward, step",
        ha="center",
        va="center",
        fontsize=8,
        color=PALETTE[1],
    )
    ax.set_title("Training in practice: eight steps, one of them a loop")
    return fig


def reliability_figure(y, probabilities: Mapping[str, np.ndarray], *, n_bins: int = 5, title: str = "") -> Figure:
    """Reliability curves: for each model, the observed fraction of positives against the mean
    predicted probability in equal-count bins. A calibrated model lies on the diagonal."""
    from sklearn.calibration import calibration_curve

    fig, ax = figure(width=5.0, height=4.4)
    ax.plot([0, 1], [0, 1], ":", color="0.5", label="perfectly calibrated")
    for i, (name, p) in enumerate(probabilities.items()):
        frac, mean_p = calibration_curve(y, p, n_bins=n_bins, strategy="quantile")
        ax.plot(mean_p, frac, "o-", color=PALETTE[i], label=name)
    ax.set_xlabel("predicted probability of the positive class")
    ax.set_ylabel("observed fraction positive")
    ax.set_title(title)
    ax.legend(fontsize=8)
    return fig


def cost_figure(
    y, probabilities: Mapping[str, np.ndarray], cost_fp: float, cost_fn: float, *, title: str = ""
) -> Figure:
    """Expected cost per case against the decision threshold for each model, with the threshold
    ``cost_fp / (cost_fp + cost_fn)`` that is optimal for calibrated probabilities marked."""
    ts = np.linspace(0.0, 1.0, 201)
    fig, ax = figure(width=6.0, height=3.8)
    for i, (name, p) in enumerate(probabilities.items()):
        ax.plot(ts, [expected_cost(y, p, t, cost_fp, cost_fn) for t in ts], color=PALETTE[i], label=name)
    ax.axvline(cost_fp / (cost_fp + cost_fn), color="0.4", ls=":", label="$c_{FP}/(c_{FP}+c_{FN})$")
    ax.axvline(0.5, color="0.7", ls="--", label="0.5")
    ax.set_xlabel("decision threshold $t$ (flag when $p \\geq t$)")
    ax.set_ylabel("expected cost per case")
    ax.set_title(title)
    ax.legend(fontsize=8)
    return fig
