"""Offline datasets: everything is bundled with a dependency or generated, nothing is downloaded."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from nnbook import checks

Split = Literal["train", "test", "all"]

DIGITS_TEST_FRACTION = 0.25
DIGITS_SPLIT_SEED = 0

_TRUTH_TABLES = {
    "and": (0, 0, 0, 1),
    "or": (0, 1, 1, 1),
    "xor": (0, 1, 1, 0),
    "nand": (1, 1, 1, 0),
    "nor": (1, 0, 0, 0),
}

# The 4x3-pixel templates (rows top to bottom) of the handwritten 0/1 recogniser.
PIXEL_TEMPLATES: dict[int, tuple[np.ndarray, ...]] = {
    0: (
        np.array([[1, 1, 1], [1, 0, 1], [1, 0, 1], [1, 1, 1]]),  # square zero
        np.array([[0, 1, 0], [1, 0, 1], [1, 0, 1], [0, 1, 0]]),  # round zero
    ),
    1: (
        np.array([[0, 1, 0], [0, 1, 0], [0, 1, 0], [0, 1, 0]]),  # upright one
        np.array([[0, 1, 0], [1, 1, 0], [0, 1, 0], [0, 1, 0]]),  # one with a flag
    ),
}


def _check_split(split: str) -> None:
    if split not in ("train", "test", "all"):
        raise ValueError(f"split must be 'train', 'test' or 'all'; got {split!r}")


def load_digits(split: Split = "train", *, flatten: bool = True, scale: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's bundled 8x8 handwritten digits, with the book's fixed train/test split.

    Returns ``(X, y)``: ``X`` has shape ``(n, 64)`` (or ``(n, 8, 8)`` with ``flatten=False``), pixel
    values in [0, 1] when ``scale`` (the raw data is 0..16), and ``y`` holds integer labels 0..9.
    The split is stratified, 25 % test, seed 0: every chapter sees the same 1347 / 450 images.
    """
    _check_split(split)
    from sklearn.datasets import load_digits as _sk_digits
    from sklearn.model_selection import train_test_split

    bunch = _sk_digits()
    X = bunch.images.astype(np.float64)
    y = bunch.target.astype(np.int64)
    if scale:
        X = X / 16.0
    if flatten:
        X = X.reshape(len(X), 64)
    if split == "all":
        return X, y
    X_tr, X_te, y_tr, y_te = train_test_split(
        X, y, test_size=DIGITS_TEST_FRACTION, random_state=DIGITS_SPLIT_SEED, stratify=y
    )
    return (X_tr, y_tr) if split == "train" else (X_te, y_te)


def truth_table(name: str) -> tuple[np.ndarray, np.ndarray]:
    """The four rows of a two-input logic gate: ``X`` of shape (4, 2) and targets ``y`` in {0, 1}."""
    key = str(name).lower()
    if key not in _TRUTH_TABLES:
        raise ValueError(f"unknown logic gate {name!r}; expected one of {sorted(_TRUTH_TABLES)}")
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    return X, np.array(_TRUTH_TABLES[key], dtype=np.int64)


def blobs(n: int = 100, *, margin: float = 0.5, spread: float = 1.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two Gaussian clouds in 2-D that are linearly separable with at least ``margin`` between them.

    Points closer than ``margin / 2`` to the true separating line ``x1 + x2 = 0`` are redrawn, so
    a perceptron is guaranteed to converge. Returns ``X`` of shape (n, 2) and ``y`` in {0, 1}.
    """
    checks.int_at_least(n, "n", 2, "an integer >= 2 (points in total)")
    checks.real_number(margin, "margin", low=0, low_inclusive=True)
    checks.positive_number(spread, "spread")
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    centres = np.where(y[:, None] == 1, 1.5, -1.5) * np.ones((n, 2))
    X = np.empty((n, 2))
    for i in range(n):
        while True:
            p = centres[i] + spread * rng.standard_normal(2)
            signed = (p[0] + p[1]) / np.sqrt(2.0)  # signed distance to the line x1 + x2 = 0
            if (signed >= margin / 2 and y[i] == 1) or (signed <= -margin / 2 and y[i] == 0):
                X[i] = p
                break
    return X, y.astype(np.int64)


def pixel_digits(noise: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """The 4x3-pixel black-and-white images of the digits 0 and 1.

    Every image within ``noise`` flipped pixels of one of :data:`PIXEL_TEMPLATES` (two templates per
    digit). Returns ``X`` of shape (n, 12) with pixels in {0, 1}, row by row, and labels ``y``.
    """
    if isinstance(noise, bool) or noise not in (0, 1, 2):
        raise ValueError(f"noise must be 0, 1 or 2 flipped pixels; got {noise!r}")
    from itertools import combinations

    images: dict[tuple[int, ...], int] = {}
    for label, templates in PIXEL_TEMPLATES.items():
        for template in templates:
            base = template.reshape(12)
            for k in range(noise + 1):
                for idx in combinations(range(12), k):
                    img = base.copy()
                    img[list(idx)] ^= 1
                    key = tuple(int(v) for v in img)
                    if images.setdefault(key, label) != label:
                        raise AssertionError(f"pixel image {key} would be both a {label} and a {images[key]}")
    keys = sorted(images)
    X = np.array(keys, dtype=np.float64)
    y = np.array([images[k] for k in keys], dtype=np.int64)
    return X, y


# ---------------------------------------------------------------------------------------------
# The digits with a validation set, and the shift augmentation of chapter 7
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
    def train(self) -> tuple[np.ndarray, np.ndarray]:
        return self.X_train, self.y_train

    @property
    def val(self) -> tuple[np.ndarray, np.ndarray]:
        return self.X_val, self.y_val

    @property
    def test(self) -> tuple[np.ndarray, np.ndarray]:
        return self.X_test, self.y_test

    def transformed(self, fn) -> DigitsSplits:
        """The same split with ``fn`` applied to the inputs of every set (e.g. a rescaling)."""
        return DigitsSplits(fn(self.X_train), self.y_train, fn(self.X_val), self.y_val, fn(self.X_test), self.y_test)


def digits_splits(val_fraction: float = 0.2, seed: int = 0) -> DigitsSplits:
    """Train / validation / test digits: the fixed test set of :func:`load_digits` and a
    stratified ``val_fraction`` of its training images held out for choosing settings."""
    from sklearn.model_selection import train_test_split

    if not 0 < val_fraction < 1:
        raise ValueError(f"val_fraction must be in (0, 1); got {val_fraction!r}")
    X, y = load_digits("train")
    X_te, y_te = load_digits("test")
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=val_fraction, random_state=seed, stratify=y)
    return DigitsSplits(X_tr, y_tr, X_va, y_va, X_te, y_te)


def subsample(X: np.ndarray, y: np.ndarray, n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` examples drawn without replacement, stratified by class."""
    from sklearn.model_selection import train_test_split

    checks.int_in_range(n, "n", 1, len(X))
    if n == len(X):
        return X, y
    Xs, _, ys, _ = train_test_split(X, y, train_size=int(n), random_state=seed, stratify=y)
    return Xs, ys
