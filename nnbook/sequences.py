"""Sequence data for the recurrent chapter: a noisy waveform, a long-range memory task, digits read row by row,
and the book's own text (bundled with the package, written for it) with a character vocabulary and a bigram baseline.

Everything is generated from a seed or read from the package: nothing is downloaded.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from importlib import resources

import numpy as np

from nnbook import checks

__all__ = [
    "TEXTS",
    "load_text",
    "Vocabulary",
    "text_windows",
    "split_text",
    "noisy_waveform",
    "waveform_windows",
    "first_symbol_task",
    "digit_rows",
    "bigram_probabilities",
    "perplexity",
    "bigram_perplexity",
]

TEXTS = ("harbour",)


def load_text(name: str = "harbour") -> str:
    """A text written for the book and shipped with the package (``nnbook/texts/<name>.txt``)."""
    checks.one_of(name, TEXTS, "text")
    return resources.files("nnbook").joinpath("texts", f"{name}.txt").read_text(encoding="utf-8")


@dataclass(frozen=True)
class Vocabulary:
    """The characters of a text, sorted, each with an index: ``encode`` maps text to indices, ``decode`` back."""

    chars: tuple[str, ...]

    @classmethod
    def of(cls, text: str) -> Vocabulary:
        if not isinstance(text, str) or not text:
            raise ValueError("a vocabulary needs a non-empty string")
        return cls(tuple(sorted(set(text))))

    def __len__(self) -> int:
        return len(self.chars)

    def encode(self, text: str) -> np.ndarray:
        index = {c: i for i, c in enumerate(self.chars)}
        unknown = sorted(set(text) - set(index))
        if unknown:
            raise ValueError(f"characters {unknown} are not in the vocabulary of {len(self)} characters")
        return np.array([index[c] for c in text], dtype=np.int64)

    def decode(self, indices) -> str:
        return "".join(self.chars[int(i)] for i in indices)


def split_text(tokens: np.ndarray, val_fraction: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """The first ``1 - val_fraction`` of a token sequence for training and the rest for validation (no shuffling:
    neighbouring windows overlap, so a random split would leak)."""
    checks.real_number(val_fraction, "val_fraction", low=0, high=1, high_inclusive=False)
    cut = int(round(len(tokens) * (1 - val_fraction)))
    return tokens[:cut], tokens[cut:]


def text_windows(tokens: np.ndarray, length: int, step: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Input windows ``tokens[s : s + length]`` and targets shifted by one, ``tokens[s + 1 : s + length + 1]``."""
    length = checks.int_at_least(length, "length", 1)
    step = length if step is None else checks.int_at_least(step, "step", 1)
    tokens = np.asarray(tokens, dtype=np.int64)
    checks.min_length(tokens, length + 1, "tokens", "token", "length + 1, for one window and its targets")
    starts = np.arange(0, len(tokens) - length, step)
    X = np.stack([tokens[s : s + length] for s in starts])
    Y = np.stack([tokens[s + 1 : s + length + 1] for s in starts])
    return X, Y


def noisy_waveform(n: int, *, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` samples of a sum of two sines (periods 20 and 53 steps) with Gaussian noise of standard deviation ``noise``.

    Returns ``(noisy, clean)``; a predictor of the next value should beat the noise, not reproduce it.
    """
    n = checks.int_at_least(n, "n", 1)
    checks.real_number(noise, "noise", low=0, low_inclusive=True, hint="a standard deviation")
    t = np.arange(n)
    clean = np.sin(2 * np.pi * t / 20) + 0.5 * np.sin(2 * np.pi * t / 53 + 1.0)
    return clean + noise * np.random.default_rng(seed).standard_normal(n), clean


def waveform_windows(
    series: np.ndarray, length: int, target: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Windows ``(n, length, 1)`` of a series and the value right after each window (of ``target``, default the series)."""
    length = checks.int_at_least(length, "length", 1)
    series = np.asarray(series, dtype=np.float64)
    target = series if target is None else np.asarray(target, dtype=np.float64)
    if len(series) <= length or target.shape != series.shape:
        raise ValueError(
            f"need a series longer than length = {length} and a target of the same shape; got {series.shape}, {target.shape}"
        )
    idx = np.arange(len(series) - length)
    X = np.stack([series[i : i + length] for i in idx])[:, :, None]
    return X, target[idx + length]


def first_symbol_task(
    n: int, length: int, *, n_symbols: int = 4, distractors: bool = True, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Sequences of ``length`` one-hot symbols ``(n, length, n_symbols)``; the label is the first symbol.

    The later steps hold random symbols (``distractors``) or zeros. A model must carry the first input
    through ``length - 1`` steps; chance accuracy is ``1 / n_symbols``.
    """
    n, length = checks.int_at_least(n, "n", 1), checks.int_at_least(length, "length", 1)
    n_symbols = checks.int_at_least(n_symbols, "n_symbols", 2)
    s = np.random.default_rng(seed).integers(0, n_symbols, size=(n, length))
    X = np.eye(n_symbols)[s]
    if not distractors:
        X[:, 1:] = 0.0
    return X, s[:, 0].copy()


def digit_rows(images: np.ndarray) -> np.ndarray:
    """8x8 digit images as sequences of 8 rows of 8 pixels, ``(n, 8, 8)`` (time = row from the top)."""
    images = np.asarray(images, dtype=np.float64)
    if images.ndim == 2 and images.shape[1] == 64:
        images = images.reshape(-1, 8, 8)
    return checks.shape_is(images, (None, 8, 8), "images", "(n, 8, 8)", hint="or (n, 64)")


def bigram_probabilities(tokens: np.ndarray, vocab_size: int, *, alpha: float = 1.0) -> np.ndarray:
    """``P[a, b]``: the probability that character ``b`` follows ``a``, counted in ``tokens`` with add-``alpha`` smoothing."""
    vocab_size = checks.int_at_least(vocab_size, "vocab_size", 1)
    checks.real_number(alpha, "alpha", low=0, hint="or unseen pairs get probability 0 and infinite perplexity")
    counts = np.full((vocab_size, vocab_size), float(alpha))
    np.add.at(counts, (tokens[:-1], tokens[1:]), 1.0)
    return counts / counts.sum(axis=1, keepdims=True)


def perplexity(mean_nll: float) -> float:
    """``exp`` of the mean negative log-likelihood per character (in nats): the effective number of choices."""
    return float(math.exp(mean_nll))


def bigram_perplexity(P: np.ndarray, tokens: np.ndarray) -> float:
    """The perplexity of the bigram model ``P`` on a token sequence (each character predicted from the one before)."""
    tokens = np.asarray(tokens, dtype=np.int64)
    checks.min_length(tokens, 2, "tokens", "token", "a perplexity scores each token after the first")
    return perplexity(float(-np.mean(np.log(P[tokens[:-1], tokens[1:]]))))
