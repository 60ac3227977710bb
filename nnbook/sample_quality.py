"""How good are a generator's samples? Mode coverage on toy data, diversity and copying on images.

None of these needs a model: they compare arrays of samples with known mode centres or with real
examples, so they apply to any generator (GAN, RBM, VAE, ...).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["ModeCoverage", "mode_coverage", "mean_pairwise_distance", "nearest_neighbour_distance"]


@dataclass(frozen=True)
class ModeCoverage:
    """Samples near each mode, how many modes are covered, and the share of high-quality samples."""

    counts: np.ndarray
    modes_covered: int
    high_quality_share: float


def _as_2d(x, name: str) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or len(x) == 0:
        raise ValueError(f"{name} must be a non-empty array of shape (n, d); got shape {x.shape}")
    return x


def _distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Euclidean distances between the rows of a and the rows of b, shape (len(a), len(b))."""
    sq = (a**2).sum(1)[:, None] + (b**2).sum(1)[None, :] - 2 * a @ b.T
    return np.sqrt(np.maximum(sq, 0.0))


def mode_coverage(samples, centres, std: float, *, radius: float = 3.0, min_fraction: float = 0.01) -> ModeCoverage:
    """Coverage of a mixture of isotropic Gaussians with standard deviation ``std`` at ``centres``.

    A sample is high quality when it lies within ``radius * std`` of its nearest centre. A mode is
    covered when at least ``min_fraction`` of all samples are high-quality samples near it.
    """
    x, c = _as_2d(samples, "samples"), _as_2d(centres, "centres")
    if x.shape[1] != c.shape[1]:
        raise ValueError(f"samples have {x.shape[1]} dimensions but centres have {c.shape[1]}")
    if std <= 0 or radius <= 0 or not 0 < min_fraction <= 1:
        raise ValueError(f"need std > 0, radius > 0 and 0 < min_fraction <= 1; got {std}, {radius}, {min_fraction}")
    d = _distances(x, c)
    nearest, good = d.argmin(1), d.min(1) <= radius * std
    counts = np.bincount(nearest[good], minlength=len(c))
    return ModeCoverage(counts, int((counts >= min_fraction * len(x)).sum()), float(good.mean()))


def mean_pairwise_distance(x) -> float:
    """The mean Euclidean distance between all pairs of distinct rows of ``x`` (a measure of diversity)."""
    x = _as_2d(np.reshape(x, (len(x), -1)), "x")
    if len(x) < 2:
        raise ValueError(f"need at least two samples to measure their spread; got {len(x)}")
    iu = np.triu_indices(len(x), k=1)
    return float(_distances(x, x)[iu].mean())


def nearest_neighbour_distance(samples, reference) -> np.ndarray:
    """For each sample, the Euclidean distance to its nearest row of ``reference`` (e.g. the training set)."""
    a = _as_2d(np.reshape(samples, (len(samples), -1)), "samples")
    b = _as_2d(np.reshape(reference, (len(reference), -1)), "reference")
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"samples have {a.shape[1]} values each but reference rows have {b.shape[1]}")
    return _distances(a, b).min(1)
