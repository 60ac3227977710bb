"""Chapter 11, energy-based models: the figures (pure functions, for the text and for Demo) and the
small experiment helpers of the Hopfield network, the RBM and the deep belief network."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

import numpy as np
import torch
from matplotlib.figure import Figure

from nnbook.augment import augment_digits
from nnbook.demos.cnn import AUGMENT
from nnbook.history import History
from nnbook.plot import PALETTE, figure, images, use_style
from nnbook.runtime import seed as _seed
from nnbook.scratch import dbn
from nnbook.scratch import hopfield as H
from nnbook.scratch.rbm import RBM, gibbs_step, sample_bernoulli, train_rbm

# --- Hopfield ---------------------------------------------------------------------------------------


def recall_figure(run: H.Recall, shape: tuple[int, int], title: str) -> Figure:
    """The state after each asynchronous sweep (top) and the energy after every unit update (bottom)."""
    import matplotlib.pyplot as plt

    use_style()
    n = len(run.states)
    fig = plt.figure(figsize=(max(1.3 * n, 6.4), 4.2), layout="constrained")
    grid = fig.add_gridspec(2, max(n, 4), height_ratios=[1, 1.2])
    for k, s in enumerate(run.states):
        ax = fig.add_subplot(grid[0, k])
        images([ax], H.to_binary(s)[None], shape=shape, titles=["start" if k == 0 else f"sweep {k}"])
    ax = fig.add_subplot(grid[1, :])
    ax.plot(run.unit_energies, color=PALETTE[0], drawstyle="steps-post")
    ax.set_xlabel("single-unit updates")
    ax.set_ylabel("energy $E(s)$")
    fig.suptitle(title)
    return fig


def capacity_figure(loads: np.ndarray, recalled: np.ndarray, overlaps: np.ndarray, n_units: int) -> Figure:
    """Fraction of recalled random patterns and mean final overlap against the load P/N."""
    fig, ax = figure(width=6.4, height=3.6)
    ax.plot(loads, recalled, "o-", color=PALETTE[0], label="patterns recalled (at most 2% wrong units)")
    ax.plot(loads, overlaps, "s--", color=PALETTE[1], label="mean overlap with the stored pattern")
    ax.axvline(0.138, color="grey", linestyle=":", label=r"$\alpha_c \approx 0.138$ (large-$N$ theory)")
    ax.set_xlabel(r"load $\alpha = P / N$ (stored patterns per unit)")
    ax.set_ylabel("fraction")
    first_loss = loads[np.argmax(recalled < 1)] if np.any(recalled < 1) else None
    mostly_lost = loads[np.argmax(recalled < 0.2)] if np.any(recalled < 0.2) else None
    if first_loss is not None and mostly_lost is not None:
        ax.set_title(f"N = {n_units}: recall starts to fail at load {first_loss:.2f}, below 20% by {mostly_lost:.2f}")
    else:
        ax.set_title(f"N = {n_units}: recall against the load")
    ax.legend(loc="lower left")
    return fig


def attractors(W: np.ndarray, patterns: np.ndarray, n_starts: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Run recall from ``n_starts`` random states; sort the distinct end states into stored patterns,
    reversed patterns and spurious states (neither). Returns the states and how often each was reached."""
    ends: dict[tuple, int] = {}
    for _ in range(n_starts):
        s0 = rng.choice([-1.0, 1.0], size=W.shape[0])
        key = tuple(H.recall(W, s0, rng, max_sweeps=50).final)
        ends[key] = ends.get(key, 0) + 1
    states = np.array(list(ends), dtype=float)
    counts = np.array(list(ends.values()))
    order = np.argsort(-counts)
    states, counts = states[order], counts[order]
    stored = np.array([any(np.array_equal(s, p) for p in patterns) for s in states])
    reversed_ = np.array([any(np.array_equal(s, -p) for p in patterns) for s in states])
    return {
        "states": states,
        "counts": counts,
        "stored": stored,
        "reversed": reversed_,
        "spurious": ~stored & ~reversed_,
    }


def attractors_figure(found: dict[str, np.ndarray], shape: tuple[int, int], n_show: int = 8) -> Figure:
    """The most frequent end states of recall from random starts, labelled by kind and count."""
    k = min(n_show, len(found["states"]))
    fig, axes = figure(ncols=k, width=1.25 * k, height=1.9)
    kinds = np.where(found["stored"], "stored", np.where(found["reversed"], "reversed", "spurious"))
    images(
        np.atleast_1d(axes),
        H.to_binary(found["states"][:k]),
        shape=shape,
        titles=[f"{kinds[i]}\n{found['counts'][i]}x" for i in range(k)],
    )
    fig.suptitle("Where recall from random states ends: stored, reversed and spurious attractors")
    return fig


# --- RBM ----------------------------------------------------------------------------------------------


def likelihood_figure(histories: dict[str, np.ndarray], best: float) -> Figure:
    """Exact mean log-likelihood of the tiny RBM's training data during training, one line per method."""
    fig, ax = figure(width=6.4, height=3.6)
    for i, (name, ll) in enumerate(histories.items()):
        ax.plot(ll, color=PALETTE[i], label=name)
    ax.axhline(best, color="grey", linestyle=":", label="best possible (minus the data entropy)")
    ax.set_xlabel("epoch")
    ax.set_ylabel("mean log-likelihood (nats)")
    ax.set_title("Exact log-likelihood of a 6-4 RBM rises under CD-1, CD-10 and PCD")
    ax.legend(loc="lower right")
    return fig


def gibbs_chain(rbm: RBM, v0: np.ndarray, n_steps: int, rng: np.random.Generator) -> np.ndarray:
    """p(v | h) after 0..n_steps block Gibbs steps from the binary states ``v0``: (n_steps + 1, n, n_visible)."""
    v = np.atleast_2d(np.asarray(v0, dtype=float))
    means = [v.copy()]
    for _ in range(n_steps):
        v, h = gibbs_step(rbm, v, rng)
        means.append(rbm.visible_probs(h))  # the noise-free picture of the sampled hidden state
    return np.array(means)


def gibbs_start(rbm: RBM, start: str, digit: np.ndarray, corrupt: float, rng: np.random.Generator) -> np.ndarray:
    """A chain's first state: random pixels (``start="noise"``), or ``digit`` with a fraction
    ``corrupt`` of its pixels replaced by random ones (``start="corrupted digit"``)."""
    if start == "noise":
        return sample_bernoulli(np.full(rbm.n_visible, 0.5), rng)
    if start != "corrupted digit":
        raise ValueError(f"start must be 'noise' or 'corrupted digit'; got {start!r}")
    if not 0 <= corrupt <= 1:
        raise ValueError(f"corrupt must be a fraction in [0, 1]; got {corrupt!r}")
    v = sample_bernoulli(np.asarray(digit, dtype=float), rng)
    mask = rng.random(v.shape) < corrupt
    v[mask] = sample_bernoulli(np.full(mask.sum(), 0.5), rng)
    return v


def gibbs_figure(
    rbm: RBM, digit: np.ndarray, start: str = "corrupted digit", corrupt: float = 0.3, steps: int = 10, seed: int = 0
) -> Figure:
    """The widget's figure: a Gibbs chain of the digits RBM, shown at 0, 1, ..., ``steps`` steps."""
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or not 1 <= steps <= 50:
        raise ValueError(f"steps must be an integer between 1 and 50; got {steps!r}")
    rng = np.random.default_rng(seed)
    chain = gibbs_chain(rbm, gibbs_start(rbm, start, digit, corrupt, rng), steps, rng)[:, 0]
    shown = np.unique(np.linspace(0, steps, min(steps + 1, 11)).round().astype(int))
    fig, axes = figure(ncols=len(shown), width=0.9 * len(shown) + 0.6, height=1.6)
    images(np.atleast_1d(axes), chain[shown], shape=(8, 8), titles=[f"step {t}" for t in shown])
    where = "pure noise" if start == "noise" else f"a digit with {corrupt:.0%} of its pixels randomised"
    fig.suptitle(f"One Gibbs chain of the digits RBM, started from {where}")
    return fig


def digits_grid_figure(
    rows: Sequence[np.ndarray], row_labels: Sequence[str], title: str, titles: Sequence[Sequence[str]] | None = None
) -> Figure:
    """Rows of 8x8 images with a label at the left of each row."""
    n = max(len(r) for r in rows)
    fig, axes = figure(ncols=n, nrows=len(rows), width=0.8 * n + 0.8, height=1.0 if titles is None else 1.2)
    axes = np.atleast_2d(axes)
    for i, row in enumerate(rows):
        images(axes[i], row, shape=(8, 8), titles=None if titles is None else titles[i])
        axes[i, 0].set_ylabel(row_labels[i], rotation=0, ha="right", va="center")
        for ax in axes[i, len(row) :]:
            ax.set_visible(False)
    fig.suptitle(title)
    return fig


def comparison_figure(results: dict[str, Sequence[float]], title: str, baseline: float | None = None) -> Figure:
    """Test accuracy of each method (mean and the individual seeds); ``baseline``, a fraction such as a
    target accuracy, is drawn as a dashed line."""
    fig, ax = figure(width=6.4, height=3.2)
    names = list(results)
    for i, name in enumerate(names):
        accs = 100 * np.asarray(results[name])
        ax.barh(i, accs.mean(), color=PALETTE[i % len(PALETTE)], alpha=0.6)
        ax.plot(accs, np.full(len(accs), i), "k.", markersize=8)
        ax.text(accs.max() + 0.1, i, f"{accs.mean():.1f}%", va="center")
    ax.set_yticks(range(len(names)), names)
    lo = min(100 * min(v) for v in results.values())
    ax.set_xlim(max(0.0, lo - 3), 100)
    if baseline is not None:
        ax.axvline(100 * baseline, color="0.3", linestyle="--", linewidth=1)
        ax.text(100 * baseline, len(names) - 0.45, f" {100 * baseline:g}%", color="0.3", va="bottom", fontsize=9)
    ax.set_xlabel("test accuracy (%), bar = mean, dots = seeds")
    ax.set_title(title)
    return fig


# --- experiments on the digits ---------------------------------------------------------------------


def digit_rbm(X_train: np.ndarray, seed: int) -> tuple[RBM, History]:
    """Chapter 11's digit RBM of one seed: 200 hidden units, CD-1 for 40 epochs with learning rate 0.1
    on batches of 20, visible biases started at the pixel means; returns it and its training history."""
    rng = _seed(seed)
    rbm = RBM.create(X_train.shape[1], 200, rng, visible_mean=X_train.mean(axis=0))
    history = train_rbm(rbm, X_train, epochs=40, lr=0.1, rng=rng, batch_size=20)
    return rbm, history


def choose_C(
    F_train: np.ndarray,
    y_train: np.ndarray,
    Cs: Sequence[float] = (1.0, 10.0, 100.0),
    *,
    val_fraction: float = 0.2,
    seed: int = 0,
) -> tuple[float, dict[float, float]]:
    """The inverse regularisation strength C of logistic regression with the best accuracy on a
    stratified validation split of the training rows; returns (C, {C: validation accuracy})."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split

    F_tr, F_va, y_tr, y_va = train_test_split(
        F_train, y_train, test_size=val_fraction, random_state=seed, stratify=y_train
    )
    scores = {C: LogisticRegression(C=C, max_iter=3000).fit(F_tr, y_tr).score(F_va, y_va) for C in Cs}
    return max(scores, key=scores.get), scores


def logistic_test_accuracy(
    F_train: np.ndarray, y_train: np.ndarray, F_test: np.ndarray, y_test: np.ndarray, C: float
) -> float:
    """Test accuracy of logistic regression with strength C fitted on all training rows."""
    from sklearn.linear_model import LogisticRegression

    return float(LogisticRegression(C=C, max_iter=3000).fit(F_train, y_train).score(F_test, y_test))


# --- the deep belief network against a random start (one seed per call, for nnbook.parallel) -------


def _pretrained_start(stack: Sequence[RBM], rng: np.random.Generator) -> dbn.Sequential:
    return dbn.classifier_from_rbms(stack, 10, rng, dropout=0.2)


def _random_start(stack: Sequence[RBM], rng: np.random.Generator) -> dbn.Sequential:
    return dbn.random_classifier(stack[0].W.shape[1], [r.n_hidden for r in stack], 10, rng, dropout=0.2)


DBN_STARTS = {"DBN (pretrained)": _pretrained_start, "random init": _random_start}
"""Chapter 11's two starts of the 64-...-10 classifier: the pretrained RBM stack, or Xavier weights."""


def augmented_digits(X: np.ndarray, generator: torch.Generator) -> np.ndarray:
    """Chapter 9's digit augmentation (:data:`nnbook.demos.cnn.AUGMENT`) of the flat images ``X``, clipped
    to the pixel range [0, 1] of the RBMs, as a float64 array."""
    moved = augment_digits(X, generator=generator, **AUGMENT).numpy().astype(np.float64)
    return np.clip(moved, 0.0, 1.0)


def dbn_stack(
    X: np.ndarray, seed: int, first: RBM | None = None, hidden: Sequence[int] = (200, 200), epochs: int = 40
) -> list[RBM]:
    """Chapter 11's RBM stack of one seed, pretrained on ``X`` layer by layer with CD-1 as :func:`digit_rbm`
    (learning rate 0.1, batches of 20); ``first``, if given, is its already trained bottom RBM."""
    return dbn.pretrain_stack(X, list(hidden), _seed(seed), epochs=epochs, lr=0.1, batch_size=20, first=first)


def fine_tune_start(
    stack: Sequence[RBM],
    start: str,
    train: tuple[np.ndarray, np.ndarray],
    test: tuple[np.ndarray, np.ndarray],
    seed: int,
    epochs: int = 200,
) -> float:
    """The network ``DBN_STARTS[start]`` built from ``stack``, fine-tuned on ``train`` with
    :func:`nnbook.scratch.dbn.fine_tune` and :func:`augmented_digits` (``seed`` drives the initial
    weights, mini-batches, dropout and augmentation); returns its test accuracy."""
    rng, generator = _seed(seed), torch.Generator().manual_seed(seed)
    net = DBN_STARTS[start](stack, rng)
    dbn.fine_tune(net, *train, rng, augment=partial(augmented_digits, generator=generator), epochs=epochs)
    return dbn.classifier_accuracy(net, *test)
