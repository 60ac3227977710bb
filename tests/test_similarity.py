"""nnbook.similarity: RDMs, RSA, linear CKA (checked against its kernel definition) and MDS."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.stats import ortho_group

from nnbook.similarity import linear_cka, mds, pairwise, rdm, rsa, upper

finite = st.floats(-10, 10, allow_nan=False, width=64)


def cka_by_hsic(X, Y):
    """Reference: CKA from HSIC with linear kernels, K = X X^T, HSIC = tr(K H L H) / (n-1)^2."""
    n = len(X)
    H = np.eye(n) - np.ones((n, n)) / n
    K, L = X @ X.T, Y @ Y.T
    hsic = lambda A, B: np.trace(A @ H @ B @ H) / (n - 1) ** 2
    return hsic(K, L) / np.sqrt(hsic(K, K) * hsic(L, L))


def varied(A):
    return np.linalg.norm(A - A.mean(0)) > 1e-3


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, (12, 4), elements=finite), arrays(np.float64, (12, 3), elements=finite))
def test_linear_cka_matches_the_hsic_definition(X, Y):
    if not (varied(X) and varied(Y)):
        return
    assert linear_cka(X, Y) == pytest.approx(cka_by_hsic(X, Y), rel=1e-7, abs=1e-9)
    assert -1e-12 <= linear_cka(X, Y) <= 1 + 1e-12


@pytest.mark.parametrize("s", range(5))
def test_cka_of_itself_rotation_and_scaling_is_one(s):
    rng = np.random.default_rng(s)
    X = rng.normal(size=(100, 10)) @ rng.normal(size=(10, 10))
    Q = ortho_group.rvs(10, random_state=s)
    assert linear_cka(X, X) == pytest.approx(1.0, abs=1e-12)
    assert linear_cka(X, X @ Q) == pytest.approx(1.0, abs=1e-10)
    assert linear_cka(X, 3.7 * X) == pytest.approx(1.0, abs=1e-12)
    assert linear_cka(X, X + 5.0) == pytest.approx(1.0, abs=1e-12)  # centring removes offsets
    Y = rng.normal(size=(100, 6))
    assert linear_cka(X, Y) == pytest.approx(linear_cka(0.01 * X @ Q, 50 * Y), rel=1e-10)


def test_cka_is_not_invariant_to_anisotropic_scaling():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 5))
    assert linear_cka(X, X * np.array([10, 1, 1, 1, 1])) < 0.9


def test_cka_of_independent_random_representations_is_small():
    rng = np.random.default_rng(1)
    X, Y = rng.normal(size=(2000, 5)), rng.normal(size=(2000, 5))
    assert linear_cka(X, Y) < 0.02


def test_rdm_properties():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 8))
    for metric in ("correlation", "euclidean"):
        D = rdm(X, metric)
        assert D.shape == (30, 30)
        np.testing.assert_allclose(D, D.T)
        np.testing.assert_array_equal(np.diag(D), 0)
        assert (D >= -1e-12).all()
    np.testing.assert_allclose(rdm(X, "correlation")[3, 7], 1 - np.corrcoef(X[3], X[7])[0, 1], atol=1e-12)
    np.testing.assert_allclose(rdm(X, "euclidean")[3, 7], np.linalg.norm(X[3] - X[7]), atol=1e-10)
    # correlation distance ignores each input's offset and scale
    np.testing.assert_allclose(rdm(2 * X + 1), rdm(X), atol=1e-12)


def test_rsa_of_monotone_transform_is_one():
    rng = np.random.default_rng(0)
    D = rdm(rng.normal(size=(20, 4)), "euclidean")
    assert rsa(D, D**2) == pytest.approx(1.0)
    assert len(upper(D)) == 20 * 19 // 2


def test_pairwise_and_mds():
    rng = np.random.default_rng(0)
    reps = [rng.normal(size=(50, 4)) for _ in range(4)]
    S = pairwise(reps)
    assert S.shape == (4, 4) and np.allclose(np.diag(S), 1) and np.allclose(S, S.T)
    pts = rng.normal(size=(6, 2))
    D = np.linalg.norm(pts[:, None] - pts[None], axis=-1)
    Y = mds(D, seed=0)
    D2 = np.linalg.norm(Y[:, None] - Y[None], axis=-1)
    np.testing.assert_allclose(D2, D, atol=1e-2)  # exact 2-D distances are recovered


@pytest.mark.parametrize(
    "call, err, msg",
    [
        (lambda: linear_cka(np.ones(5), np.ones((5, 2))), ValueError, "shape"),
        (lambda: linear_cka(np.zeros((5, 2)) + np.arange(2), np.random.rand(5, 2)), ValueError, "same for every input"),
        (lambda: linear_cka(np.random.rand(5, 2), np.random.rand(6, 2)), ValueError, "same inputs"),
        (lambda: linear_cka(np.array([[np.nan, 1], [1, 2]]), np.ones((2, 2))), ValueError, "NaN"),
        (lambda: rdm(np.ones((3, 4))), ValueError, "constant values"),
        (lambda: rdm(np.random.rand(3, 4), "cosine"), ValueError, "metric"),
        (lambda: rsa(np.zeros((3, 3)), np.zeros((4, 4))), ValueError, "same inputs"),
        (lambda: mds(np.array([[0, 1], [2, 0]])), ValueError, "symmetric"),
        (lambda: pairwise([np.ones((3, 2))]), ValueError, "at least two"),
    ],
)
def test_bad_inputs(call, err, msg):
    with pytest.raises(err, match=msg):
        call()


def test_unit_correlations():
    from nnbook.similarity import unit_correlations

    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    Y = np.c_[X[:, [2, 0]] * [2.0, -1.0], np.zeros(40)]  # units permuted, scaled, one dead unit
    C = unit_correlations(X, Y)
    assert C.shape == (3, 3)
    np.testing.assert_allclose(C[2, 0], 1.0)
    np.testing.assert_allclose(C[0, 1], -1.0)
    np.testing.assert_array_equal(C[:, 2], 0.0)
    np.testing.assert_allclose(C[1, 0], np.corrcoef(X[:, 1], X[:, 2])[0, 1], atol=1e-12)
    with pytest.raises(ValueError, match="same inputs"):
        unit_correlations(X, Y[:5])
