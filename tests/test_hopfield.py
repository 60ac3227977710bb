import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnbook.data import PIXEL_TEMPLATES
from nnbook.scratch import hopfield as H


@settings(deadline=None, max_examples=40)
@given(st.integers(2, 40), st.integers(1, 8), st.integers(0, 10_000))
def test_energy_never_increases_under_asynchronous_updates(n, p, seed):
    rng = np.random.default_rng(seed)
    W = H.hebbian_weights(H.random_patterns(p, n, rng))
    run = H.recall(W, H.random_patterns(1, n, rng)[0], rng, max_sweeps=30)
    assert np.all(np.diff(run.unit_energies) <= 1e-12)
    assert run.converged and H.is_fixed_point(W, run.final)


@settings(deadline=None, max_examples=40)
@given(st.integers(2, 30), st.integers(0, 10_000))
def test_energy_never_increases_for_any_symmetric_zero_diagonal_weights(n, seed):
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(n, n))
    W = A + A.T
    np.fill_diagonal(W, 0)
    run = H.recall(W, rng.choice([-1.0, 1.0], n), rng, max_sweeps=200)
    assert np.all(np.diff(run.unit_energies) <= 1e-9)


def test_energy_can_increase_with_self_connections():
    """The zero diagonal matters: with a negative self-weight a flip can raise the energy."""
    W = np.array([[-2.0, 1.0], [1.0, 0.0]])
    s = np.array([1.0, 1.0])  # the rest of the field says +1, the self-weight -2 overrides it
    before = H.energy(W, s)
    H.update_unit(W, s, 0)
    assert H.energy(W, s) > before


def test_hebbian_weights_formula():
    xi = np.array([[1, -1, 1], [1, 1, -1]], float)
    W = H.hebbian_weights(xi)
    np.testing.assert_allclose(W, [[0, 0, 0], [0, 0, -2 / 3], [0, -2 / 3, 0]])
    assert np.allclose(W, W.T)


def test_stored_pixel_templates_are_recalled_from_one_flipped_pixel():
    # the round zero and the upright one: orthogonal as +-1 vectors, so they do not interfere
    xi = H.to_bipolar(np.array([PIXEL_TEMPLATES[0][1].ravel(), PIXEL_TEMPLATES[1][0].ravel()]))
    assert xi[0] @ xi[1] == 0
    W = H.hebbian_weights(xi)
    rng = np.random.default_rng(0)
    for pattern in xi:
        for i in range(12):
            s = pattern.copy()
            s[i] *= -1
            np.testing.assert_array_equal(H.recall(W, s, rng).final, pattern)


def test_capacity_well_below_and_above_0138():
    rng = np.random.default_rng(0)
    recalled, overlaps = H.capacity_curve(200, np.array([0.05, 0.3]), rng, trials=2)
    assert recalled[0] == 1.0 and recalled[1] < 0.2
    assert overlaps[0] > 0.99 > overlaps[1]


def test_reversed_patterns_and_mixtures_are_spurious_fixed_points():
    rng = np.random.default_rng(1)
    xi = H.random_patterns(3, 500, rng)
    W = H.hebbian_weights(xi)
    assert H.is_fixed_point(W, -xi[0])
    mix = H.mixture_state(xi)
    assert H.is_fixed_point(W, mix)
    assert np.all(np.abs(xi @ mix / 500) < 0.6)  # overlaps near 1/2: not any stored pattern


def test_bad_inputs_are_explained():
    with pytest.raises(ValueError, match="-1 and \\+1"):
        H.hebbian_weights(np.array([[0, 1, 1]]))
    with pytest.raises(ValueError, match="exactly 3"):
        H.mixture_state(np.ones((2, 4)))
    with pytest.raises(ValueError, match="n_flips"):
        H.corrupt(np.ones(4), 5, np.random.default_rng(0))


def test_true_ties_keep_the_unit_despite_rounding():
    """Hebbian weights are multiples of 1/N: a field that is exactly 0 can come out as +-1e-17."""
    rng = np.random.default_rng(102)
    xi = H.random_patterns(10, 200, rng)
    W = H.hebbian_weights(xi)
    exact = np.rint(xi.T @ xi).astype(int)  # N * W in integers
    np.fill_diagonal(exact, 0)
    s = rng.choice([-1.0, 1.0], 200)
    ties = np.flatnonzero(exact @ s.astype(int) == 0)
    assert any(W[i] @ s != 0 for i in ties)  # rounding really hides the tie
    for i in ties:
        t = s.copy()
        assert not H.update_unit(W, t, i) and np.array_equal(t, s)
    # a fixed point reached by recall, with true ties in it: every routine must agree it is stable
    final = H.recall(W, s, rng, max_sweeps=50).final
    field = exact @ final.astype(int)
    assert np.all(final * field >= 0) and np.any((field == 0) & (final * (W @ final) < 0))
    assert H.is_fixed_point(W, final)
    assert H.recall_overlaps(W, final[None], final[None], rng, sweeps=1)[0] == 1.0
