"""Sample-quality measures: mode coverage, diversity, nearest-neighbour distances, against brute force."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial.distance import cdist, pdist

from nnbook.sample_quality import mean_pairwise_distance, mode_coverage, nearest_neighbour_distance

CENTRES = 2 * np.stack([np.cos(np.arange(8) * np.pi / 4), np.sin(np.arange(8) * np.pi / 4)], axis=1)


def _coverage_by_loops(x, c, std, radius, min_fraction):
    counts = np.zeros(len(c), dtype=int)
    for point in x:
        d = [np.linalg.norm(point - centre) for centre in c]
        if min(d) <= radius * std:
            counts[int(np.argmin(d))] += 1
    return counts, int(sum(k >= min_fraction * len(x) for k in counts)), counts.sum() / len(x)


@settings(deadline=None, max_examples=30)
@given(st.integers(0, 10_000), st.floats(0.02, 0.5), st.floats(0.005, 0.2))
def test_mode_coverage_matches_loops(seed, spread, min_fraction):
    rng = np.random.default_rng(seed)
    x = CENTRES[rng.integers(0, 8, 200)] + spread * rng.standard_normal((200, 2))
    got = mode_coverage(x, CENTRES, 0.05, min_fraction=min_fraction)
    counts, covered, share = _coverage_by_loops(x, CENTRES, 0.05, 3.0, min_fraction)
    np.testing.assert_array_equal(got.counts, counts)
    assert got.modes_covered == covered and got.high_quality_share == pytest.approx(share)


def test_mode_coverage_sees_collapse_and_blur():
    rng = np.random.default_rng(0)
    real = CENTRES[rng.integers(0, 8, 4000)] + 0.05 * rng.standard_normal((4000, 2))
    collapsed = CENTRES[rng.integers(0, 3, 4000)] + 0.05 * rng.standard_normal((4000, 2))
    blurred = 2.5 * rng.standard_normal((4000, 2))
    r, c, b = (mode_coverage(x, CENTRES, 0.05) for x in (real, collapsed, blurred))
    assert r.modes_covered == 8 and r.high_quality_share == pytest.approx(1 - np.exp(-4.5), abs=0.01)
    assert c.modes_covered == 3 and c.high_quality_share > 0.97
    assert b.high_quality_share < 0.05


def test_mode_coverage_rejects_bad_input():
    with pytest.raises(ValueError, match="dimensions"):
        mode_coverage(np.zeros((5, 3)), CENTRES, 0.05)
    with pytest.raises(ValueError, match="std > 0"):
        mode_coverage(np.zeros((5, 2)), CENTRES, 0.0)
    with pytest.raises(ValueError, match=r"shape \(n, d\)"):
        mode_coverage(np.zeros(5), CENTRES, 0.1)


@settings(deadline=None, max_examples=30)
@given(st.integers(0, 10_000), st.integers(2, 30), st.integers(1, 70))
def test_distances_match_scipy(seed, n, d):
    rng = np.random.default_rng(seed)
    x, ref = rng.standard_normal((n, d)), rng.standard_normal((17, d))
    assert mean_pairwise_distance(x) == pytest.approx(pdist(x).mean(), rel=1e-9, abs=1e-9)
    np.testing.assert_allclose(nearest_neighbour_distance(x, ref), cdist(x, ref).min(1), rtol=1e-7, atol=1e-7)


def test_distances_accept_images_and_reject_bad_input():
    rng = np.random.default_rng(1)
    imgs = rng.random((6, 8, 8))
    assert mean_pairwise_distance(imgs) == pytest.approx(pdist(imgs.reshape(6, 64)).mean())
    assert np.allclose(nearest_neighbour_distance(imgs, imgs), 0.0, atol=1e-6)
    with pytest.raises(ValueError, match="at least two"):
        mean_pairwise_distance(imgs[:1])
    with pytest.raises(ValueError, match="64 values"):
        nearest_neighbour_distance(imgs, rng.random((3, 10)))
