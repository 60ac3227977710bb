"""Chapter 7, training in practice: the digits experiments, data augmentation by small shifts,
the cost-based decision threshold, and the figures (pure functions, for Demo and the text)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from matplotlib.figure import Figure

from nnbook import fit as _fit
from nnbook import train as _train
from nnbook.models.mlp import mlp
from nnbook.plot import PALETTE, figure


# ---------------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DigitsSplits:
    """The book's digits split, with a validation set carved out of the training images."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray

    @property
    def train(self):
        return self.X_train, self.y_train

    def transformed(self, fn) -> "DigitsSplits":
        """The same split with ``fn`` applied to the inputs of every set (e.g. a rescaling)."""
        return DigitsSplits(fn(self.X_train), self.y_train, fn(self.X_val), self.y_val, fn(self.X_test), self.y_test)

    @property
    def val(self):
        return self.X_val, self.y_val

    @property
    def test(self):
        return self.X_test, self.y_test


def digits_splits(val_fraction: float = 0.2, seed: int = 0) -> DigitsSplits:
    """Train / validation / test digits: the fixed test set of ``nnbook.data.load_digits`` and a
    stratified ``val_fraction`` of its training images held out for choosing settings."""
    from sklearn.model_selection import train_test_split

    from nnbook.data import load_digits

    if not 0 < val_fraction < 1:
        raise ValueError(f"val_fraction must be in (0, 1); got {val_fraction!r}")
    X, y = load_digits("train")
    X_te, y_te = load_digits("test")
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=val_fraction, random_state=seed, stratify=y)
    return DigitsSplits(X_tr, y_tr, X_va, y_va, X_te, y_te)


def subsample(X: np.ndarray, y: np.ndarray, n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` examples drawn without replacement, stratified by class."""
    from sklearn.model_selection import train_test_split

    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 0 < n <= len(X):
        raise ValueError(f"n must be an integer in [1, {len(X)}]; got {n!r}")
    if n == len(X):
        return X, y
    Xs, _, ys, _ = train_test_split(X, y, train_size=int(n), random_state=seed, stratify=y)
    return Xs, ys


def random_shift(images, max_shift: int = 1, p: float = 1.0, generator: torch.Generator | None = None) -> torch.Tensor:
    """Move each 8x8 image, with probability ``p``, by a random whole number of pixels, at most
    ``max_shift`` in each direction, filling the uncovered border with zeros (background).
    Works on (n, 64) or (n, 8, 8) images; returns a new tensor of the same shape."""
    x = _fit.as_tensor(images, "images")
    if x.ndim not in (2, 3) or x.shape[1:] not in ((64,), (8, 8)):
        raise ValueError(f"images must have shape (n, 8, 8) or (n, 64); got {tuple(x.shape)}")
    if isinstance(max_shift, bool) or not isinstance(max_shift, (int, np.integer)) or not 0 <= max_shift < 8:
        raise ValueError(f"max_shift must be an integer in [0, 7] pixels; got {max_shift!r}")
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0.0 <= p <= 1.0:
        raise ValueError(f"p must be a probability in [0, 1]; got {p!r}")
    flat = x.ndim == 2
    img = x.reshape(-1, 8, 8)
    s = int(max_shift)
    if s == 0:
        return x.clone()
    n = img.shape[0]
    shifts = torch.randint(-s, s + 1, (n, 2), generator=generator, device=img.device)
    if p < 1.0:
        keep = torch.rand(n, generator=generator, device=img.device) >= p
        shifts[keep] = 0
    padded = torch.nn.functional.pad(img, (s, s, s, s))
    # output pixel (r, c) of image i is input pixel (r - dy, c - dx), i.e. padded (r - dy + s, c - dx + s)
    rows = (torch.arange(8, device=img.device)[None, :] - shifts[:, :1] + s)[:, :, None].expand(n, 8, 8)
    cols = (torch.arange(8, device=img.device)[None, :] - shifts[:, 1:] + s)[:, None, :].expand(n, 8, 8)
    out = padded[torch.arange(n, device=img.device)[:, None, None], rows, cols]
    return out.reshape(n, 64) if flat else out


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
    schedule: bool = False,
    epochs: int = 30,
    batch_size: int | None = 128,
    n_train: int | None = None,
    augment: int = 0,
    augment_p: float = 0.5,
    early_stopping: int | None = None,
    seed: int = 0,
):
    """Build ``mlp((64, *hidden, 10))`` with seed ``seed``, train it on (a stratified subsample of
    ``n_train``) training digits with validation on ``data.val``; return ``(model, history)``.

    ``optimiser`` is ``"sgd"`` (with ``momentum``) or ``"adam"``; ``schedule`` adds a cosine decay of
    the learning rate to zero over the epochs; ``augment`` shifts a fraction ``augment_p`` of each
    batch's images by up to that many pixels (:func:`random_shift`).
    """
    X, y = data.train if n_train is None else subsample(*data.train, n_train, seed=0)
    _train.seed(seed)
    model = mlp((64, *hidden, 10), dropout=dropout, batch_norm=batch_norm)
    if optimiser == "sgd":
        opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum, weight_decay=weight_decay)
    elif optimiser == "adam":
        opt = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    else:
        raise ValueError(f"optimiser must be 'sgd' or 'adam'; got {optimiser!r}")
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs) if schedule else None
    aug = (lambda xb: random_shift(xb, augment, p=augment_p)) if augment else None
    history = _fit.fit(
        model, (X, y), loss="cross_entropy", optimiser=opt, epochs=epochs, batch_size=batch_size,
        val_data=data.val, metrics=["accuracy"], scheduler=sched, augment=aug,
        early_stopping=early_stopping, device="cpu", seed=seed, progress=False,
    )
    return model, history


def digits_test_accuracy(model, data: DigitsSplits) -> float:
    """Accuracy of ``model`` on the digits test set."""
    return _fit.evaluate(model, data.test, metrics=["accuracy"], device="cpu")["accuracy"]


# ---------------------------------------------------------------------------------------------
# Costs and thresholds (tabular chapter section)
# ---------------------------------------------------------------------------------------------
def expected_cost(y, p, threshold: float, cost_fp: float, cost_fn: float) -> float:
    """Mean cost per case of flagging ``p >= threshold`` as positive: a false positive costs
    ``cost_fp``, a false negative ``cost_fn``, correct decisions cost nothing."""
    y, p = np.asarray(y), np.asarray(p, dtype=float)
    if y.shape != p.shape or y.ndim != 1:
        raise ValueError(f"y and p must be vectors of the same length; got shapes {y.shape} and {p.shape}")
    if not set(np.unique(y)) <= {0, 1}:
        raise ValueError("y must hold labels 0 (negative) and 1 (positive)")
    if cost_fp < 0 or cost_fn < 0:
        raise ValueError(f"costs must be >= 0; got cost_fp={cost_fp}, cost_fn={cost_fn}")
    flag = p >= threshold
    return float((cost_fp * np.sum(flag & (y == 0)) + cost_fn * np.sum(~flag & (y == 1))) / len(y))


def best_threshold(y, p, cost_fp: float, cost_fn: float) -> float:
    """The threshold among the observed probabilities (and 1.0 + tiny, flag none) of least expected cost."""
    candidates = np.unique(np.r_[np.asarray(p, dtype=float), np.nextafter(1.0, 2.0)])
    costs = [expected_cost(y, p, t, cost_fp, cost_fn) for t in candidates]
    return float(candidates[int(np.argmin(costs))])


# ---------------------------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------------------------
def curves_figure(histories: Mapping[str, _fit.History], *, metric: str = "loss", title: str = "", ax=None, val: bool = True, train: bool = True) -> Figure:
    """Per-epoch training (dashed) and validation (solid) curves of several runs on one axis."""
    if ax is None:
        fig, ax = figure()
    else:
        fig = ax.figure
    for i, (label, h) in enumerate(histories.items()):
        c = PALETTE[i % len(PALETTE)]
        epochs = np.arange(1, len(h) + 1)
        if train:
            ax.plot(epochs, h.train[metric], "--", color=c, alpha=0.8, label=f"{label} (train)" if val else label)
        if val:
            ax.plot(epochs, h.val[metric], "-", color=c, label=f"{label} (validation)" if train else label)
    ax.set_xlabel("epoch")
    ax.set_ylabel(metric.replace("_", " "))
    ax.set_title(title)
    ax.legend(fontsize=8)
    return fig


def regularisation_figure(runs: Mapping[tuple[float, float], _fit.History], dropout: float = 0.0, weight_decay: float = 0.0) -> Figure:
    """Learning curves of the precomputed run with this ``dropout`` and ``weight_decay``, over
    the unregularised run in grey (the widget of the regularisation section)."""
    key = (float(dropout), float(weight_decay))
    if key not in runs:
        raise ValueError(f"no precomputed run for dropout={dropout}, weight_decay={weight_decay}; have {sorted(runs)}")
    base, h = runs[min(runs)], runs[key]
    fig, ax = figure(width=6.4, height=3.8)
    e = np.arange(1, len(h) + 1)
    ax.plot(np.arange(1, len(base) + 1), base.val["loss"], color="0.7", label="no regularisation (validation)")
    ax.plot(e, h.train["loss"], "--", color=PALETTE[0], label="training")
    ax.plot(e, h.val["loss"], color=PALETTE[1], label="validation")
    best = int(np.argmin(h.val["loss"]))
    ax.plot(best + 1, h.val["loss"][best], "o", color=PALETTE[1], label="lowest validation loss")
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("cross-entropy loss")
    ax.set_title(f"dropout {dropout:g}, weight decay {weight_decay:g}: final validation loss {h.val['loss'][-1]:.3f}")
    ax.legend(fontsize=8)
    return fig


def sweep_figure(xs, train_vals, val_vals, *, xlabel: str, ylabel: str = "error rate", title: str = "", logx: bool = True, ax=None) -> Figure:
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
                ax.text(j, i, f"{S[i, j]:.2f}", ha="center", va="center", fontsize=7, color="w" if S[i, j] < 0.5 * (1 + vmin) else "k")
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
        ax.scatter(points[m, 0], points[m, 1], marker=markers[k % len(markers)], s=60, color=PALETTE[k], label=name, zorder=2)
    ax.set_xlabel("MDS dimension 1")
    ax.set_ylabel("MDS dimension 2")
    ax.set_aspect("equal", adjustable="datalim")
    ax.legend(fontsize=8)
    ax.set_title(title)
    return fig


def workflow_figure() -> Figure:
    """The training workflow as a row of boxes: the steps of the chapter, with the loop marked."""
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    steps = ["data", "preprocess\n(one-hot,\nnormalise)", "model", "loss", "optimiser", "training\nloop", "evaluate", "save /\nload"]
    fig, ax = figure(width=9.0, height=2.3)
    ax.set_xlim(-0.6, len(steps) - 0.4)
    ax.set_ylim(-1.2, 1.0)
    ax.axis("off")
    for i, s in enumerate(steps):
        colour = PALETTE[1] if s.startswith("training") else PALETTE[0]
        ax.add_patch(FancyBboxPatch((i - 0.42, -0.4), 0.84, 0.8, boxstyle="round,pad=0.03", fc=colour, alpha=0.15, ec=colour))
        ax.text(i, 0, s, ha="center", va="center", fontsize=9)
        if i:
            ax.add_patch(FancyArrowPatch((i - 0.58, 0), (i - 0.44, 0), arrowstyle="-|>", mutation_scale=12, color="0.3"))
    ax.add_patch(FancyArrowPatch((5.3, -0.45), (4.7, -0.45), connectionstyle="arc3,rad=-0.9", arrowstyle="-|>", mutation_scale=12, color=PALETTE[1]))
    ax.text(5, -1.05, "repeat for every mini-batch and epoch:\nforward, loss, backward, step", ha="center", va="center", fontsize=8, color=PALETTE[1])
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


def cost_figure(y, probabilities: Mapping[str, np.ndarray], cost_fp: float, cost_fn: float, *, title: str = "") -> Figure:
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
