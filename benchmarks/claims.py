"""The book's headline accuracies, each recomputed over several seeds on the book's fixed split.

Each claim names the chapter that makes it, the target it must meet (as the mean over seeds), a
function ``seed -> accuracy``, and ``calls``: the one package function, also called by the chapter, that
holds the chapter's settings (tests/test_benchmarks.py checks that the chapter calls it), so that the
benchmark never restates a chapter's model, optimiser or schedule. ``calls=None`` marks a claim that
still restates them because its chapter has no such function yet. A claim whose code cannot run is
reported as missing, which is a miss.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np


@dataclass(frozen=True)
class Claim:
    name: str
    chapter: str
    target: float  # the mean over seeds must reach this accuracy
    run: Callable[[int], float]
    note: str = ""
    calls: str | None = None  # dotted name of the package function the chapter also calls


def numpy_mlp(seed: int) -> float:
    """Chapter 6: the from-scratch 64-32-10 ReLU MLP, trained by the chapter's function."""
    from nnbook.data import load_digits
    from nnbook.demos.backprop import train_scratch_mlp

    model, _ = train_scratch_mlp(*load_digits("train"), seed=seed)
    return float(model.accuracy(*load_digits("test")))


def torch_mlp(seed: int) -> float:
    """Chapter 7: the PyTorch MLP of the training workflow, early-stopped on the validation split."""
    from nnbook.data import digits_splits
    from nnbook.demos.training import digits_test_accuracy, fit_workflow_mlp

    data = digits_splits()
    model, _, _ = fit_workflow_mlp(data, seed=seed, progress=False)
    return float(digits_test_accuracy(model, data))


def _lenet(seed: int, augment) -> float:
    from nnbook import fit as F
    from nnbook.data import load_digits
    from nnbook.demos import cnn as D

    train, test = load_digits("train"), load_digits("test")
    model, _ = D.train_lenet(train, seed=seed, epochs=D.EPOCHS, augment=augment)
    return float(F.evaluate(model, test)["accuracy"])


def lenet_augmented(seed: int) -> float:
    """Chapter 9: the LeNet-style CNN trained with shifts, rotations and noise."""
    from nnbook.demos import cnn as D

    return _lenet(seed, D.AUGMENT)


def lenet_plain(seed: int) -> float:
    """Chapter 9: the same CNN without augmentation (reported; its target is the MLP's)."""
    return _lenet(seed, None)


def lstm_digits(seed: int) -> float:
    """Chapter 10: the LSTM reading the digits row by row, with the settings the chapter chose on validation."""
    from nnbook.demos.rnn import digit_reader_test_accuracy

    return digit_reader_test_accuracy(seed)


@lru_cache(maxsize=8)
def _digit_rbm(seed: int):
    """Chapter 11: the digit RBM of one seed, as the chapter trains it."""
    from nnbook.data import load_digits
    from nnbook.demos import energy as D

    return D.digit_rbm(load_digits("train")[0], seed)[0]


def rbm_logistic(seed: int) -> float:
    """Chapter 11: logistic regression on the digit RBM's hidden probabilities, C chosen on the validation split (seed-0 RBM)."""
    from nnbook.data import load_digits
    from nnbook.demos import energy as D

    X, y = load_digits("train")
    Xt, yt = load_digits("test")
    C, _ = D.choose_C(_digit_rbm(0).hidden_probs(X), y, Cs=(10.0, 100.0, 1000.0))
    rbm = _digit_rbm(seed)
    return D.logistic_test_accuracy(rbm.hidden_probs(X), y, rbm.hidden_probs(Xt), yt, C)


@lru_cache(maxsize=8)
def _dbn_pair(seed: int) -> tuple[float, float]:
    """Chapter 11: test accuracies of 64-200-200-10 (dropout 0.2) from an RBM stack pretrained on the 1347
    training images (its bottom RBM the chapter's digit RBM) and from a random start, both fine-tuned
    with the chapter's recipe (``dbn.fine_tune``: cosine Adam, weight decay, chapter 9's augmentation,
    200 epochs) by the functions the chapter runs (``demos.energy.dbn_stack``, ``fine_tune_start``)."""
    from nnbook.data import load_digits
    from nnbook.demos.energy import DBN_STARTS, dbn_stack, fine_tune_start

    train, test = load_digits("train"), load_digits("test")
    stack = dbn_stack(train[0], seed, first=_digit_rbm(seed))
    return tuple(fine_tune_start(stack, name, train, test, seed=100 + seed) for name in DBN_STARTS)


def dbn_pretrained(seed: int) -> float:
    """Chapter 11: the pretrained DBN, fine-tuned."""
    return _dbn_pair(seed)[0]


def dbn_random_start(seed: int) -> float:
    """Chapter 11: the same network and recipe from Xavier-initialised weights."""
    return _dbn_pair(seed)[1]


@lru_cache(maxsize=8)
def _cgan_per_digit(seed: int) -> tuple[float, ...]:
    from nnbook.demos.gan import conditional_gan_accuracy

    return tuple(conditional_gan_accuracy(seed)[1])


def cgan_class_accuracy(seed: int) -> float:
    """Chapter 12: share of conditional-GAN samples (100 per digit) the digit judge reads as the requested digit."""
    return float(np.mean(_cgan_per_digit(seed)))


def cgan_worst_digit(seed: int) -> float:
    """Chapter 12: the same, for the worst digit of each seed (stricter than the worst digit of the seed mean)."""
    return float(np.min(_cgan_per_digit(seed)))


CLAIMS: list[Claim] = [
    Claim(
        "NumPy MLP (from scratch)", "ch06_backprop", 0.95, numpy_mlp, calls="nnbook.demos.backprop.train_scratch_mlp"
    ),
    Claim("PyTorch MLP", "ch07_training", 0.97, torch_mlp, calls="nnbook.demos.training.fit_workflow_mlp"),
    Claim(
        "CNN (LeNet-style) with augmentation", "ch09_cnn", 0.995, lenet_augmented, calls="nnbook.demos.cnn.train_lenet"
    ),
    Claim(
        "CNN (LeNet-style) without augmentation", "ch09_cnn", 0.98, lenet_plain, calls="nnbook.demos.cnn.train_lenet"
    ),
    Claim(
        "LSTM reading digits row by row",
        "ch10_rnn",
        0.98,
        lstm_digits,
        calls="nnbook.demos.rnn.digit_reader_test_accuracy",
    ),
    Claim(
        "RBM features + logistic regression",
        "ch11_energy",
        0.95,
        rbm_logistic,
        calls="nnbook.demos.energy.digit_rbm",
    ),
    Claim(
        "DBN fine-tuned (pretrained)",
        "ch11_energy",
        0.98,
        dbn_pretrained,
        calls="nnbook.demos.energy.fine_tune_start",
    ),
    Claim(
        "DBN architecture from a random start, same recipe",
        "ch11_energy",
        0.98,
        dbn_random_start,
        calls="nnbook.demos.energy.fine_tune_start",
    ),
    Claim(
        "Conditional GAN: samples read as the requested digit",
        "ch12_gan",
        0.97,
        cgan_class_accuracy,
        calls="nnbook.demos.gan.conditional_gan_accuracy",
    ),
    Claim(
        "Conditional GAN: worst digit",
        "ch12_gan",
        0.90,
        cgan_worst_digit,
        calls="nnbook.demos.gan.conditional_gan_accuracy",
    ),
]


def run_chapter_seed(chapter: str, seed: int, names: tuple[str, ...]) -> dict[str, float | str]:
    """The accuracies of the claims ``names`` of one chapter for one seed, in one process (claims of a
    chapter share cached models); an error message, not an exception, for a claim that cannot run."""
    out: dict[str, float | str] = {}
    for claim in CLAIMS:
        if claim.chapter == chapter and claim.name in names:
            try:
                out[claim.name] = float(claim.run(seed))
            except Exception as exc:  # noqa: BLE001 - a missing or broken claim is reported, not fatal
                out[claim.name] = f"{type(exc).__name__}: {exc}"
    return out


def summarise(claim: Claim, seeds, values: list[float | str]) -> dict:
    """Mean, spread and per-seed accuracies of one claim; ``error`` when any seed could not run."""
    row = {"claim": claim.name, "chapter": claim.chapter, "target": claim.target, "calls": claim.calls}
    errors = [v for v in values if isinstance(v, str)]
    if errors:
        return {**row, "error": errors[0]}
    return {
        **row,
        "seeds": list(seeds),
        "accuracies": list(values),
        "mean": float(np.mean(values)),
        "std": float(np.std(values, ddof=1)) if len(values) > 1 else 0.0,
        "met": bool(np.mean(values) >= claim.target),
    }


def measure_claims(claims: list[Claim], seeds=(0, 1, 2), jobs: int = 1) -> list[dict]:
    """Every claim over ``seeds``: one task per (chapter, seed), run by ``jobs`` worker processes.

    Accuracies do not depend on timing, so running two tasks side by side changes no result (each
    is seeded and single-threaded), only the suite's length.
    """
    tasks = sorted({(c.chapter, s) for c in claims for s in seeds}, key=lambda t: (t[0], t[1]), reverse=True)
    names = tuple(c.name for c in claims)
    if jobs <= 1:
        done = {t: run_chapter_seed(*t, names) for t in tasks}
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
            futures = {t: pool.submit(run_chapter_seed, *t, names) for t in tasks}
            done = {t: f.result() for t, f in futures.items()}
    return [summarise(c, seeds, [done[(c.chapter, s)][c.name] for s in seeds]) for c in claims]
