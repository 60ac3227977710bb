import matplotlib.pyplot as plt
import numpy as np
import pytest

from nnbook.demos import energy as D
from nnbook.scratch import hopfield as H
from nnbook.scratch.rbm import RBM


@pytest.fixture
def rbm():
    return RBM.create(64, 12, np.random.default_rng(0), std=0.5)


def test_gibbs_figure_from_noise_and_from_a_corrupted_digit(rbm):
    digit = np.random.default_rng(1).random(64)
    for start in ("noise", "corrupted digit"):
        fig = D.gibbs_figure(rbm, digit, start=start, corrupt=0.5, steps=12, seed=3)
        assert len(fig.axes) == 11 and "Gibbs" in fig._suptitle.get_text()
        plt.close(fig)
    with pytest.raises(ValueError, match="'noise' or 'corrupted digit'"):
        D.gibbs_figure(rbm, digit, start="zeros")
    with pytest.raises(ValueError, match="steps"):
        D.gibbs_figure(rbm, digit, steps=0)


def test_gibbs_start_without_corruption_keeps_a_binary_digit(rbm):
    digit = (np.arange(64) % 3 == 0).astype(float)
    v = D.gibbs_start(rbm, "corrupted digit", digit, 0.0, np.random.default_rng(0))
    np.testing.assert_array_equal(v, digit)


def test_gibbs_chain_shapes_and_determinism(rbm):
    v0 = np.zeros((3, 64))
    a = D.gibbs_chain(rbm, v0, 5, np.random.default_rng(0))
    b = D.gibbs_chain(rbm, v0, 5, np.random.default_rng(0))
    assert a.shape == (6, 3, 64)
    np.testing.assert_array_equal(a, b)


def test_attractors_sorts_end_states():
    rng = np.random.default_rng(0)
    xi = H.random_patterns(2, 40, rng)
    found = D.attractors(H.hebbian_weights(xi), xi, 50, rng)
    assert found["counts"].sum() == 50
    assert found["stored"].sum() + found["reversed"].sum() + found["spurious"].sum() == len(found["states"])
    assert found["stored"].any()


def test_figures_render():
    rng = np.random.default_rng(0)
    xi = H.random_patterns(2, 12, rng)
    W = H.hebbian_weights(xi)
    for fig in [
        D.recall_figure(H.recall(W, H.corrupt(xi[0], 2, rng), rng), (4, 3), "t"),
        D.capacity_figure(np.array([0.1, 0.2]), np.array([1.0, 0.5]), np.array([1.0, 0.8]), 100),
        D.likelihood_figure({"CD-1": np.array([-4.0, -3.0])}, -1.0),
        D.digits_grid_figure([np.zeros((3, 64)), np.ones((2, 64))], ["a", "b"], "t"),
        D.comparison_figure({"a": [0.9, 0.92], "b": [0.95]}, "t"),
    ]:
        assert fig.axes
        plt.close(fig)


def test_choose_C_uses_validation_only():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 3))
    y = (X[:, 0] > 0).astype(int)
    C, scores = D.choose_C(X, y, Cs=(0.01, 1.0))
    assert set(scores) == {0.01, 1.0} and C in scores
    assert D.logistic_test_accuracy(X, y, X, y, C) > 0.9


def test_augmented_digits_are_chapter_9s_moves_kept_in_the_pixel_range():
    import torch

    from nnbook.augment import augment_digits
    from nnbook.data import load_digits
    from nnbook.demos.cnn import AUGMENT

    X = load_digits("test")[0][:50]
    out = D.augmented_digits(X, torch.Generator().manual_seed(0))
    assert out.shape == X.shape and out.dtype == np.float64
    assert out.min() >= 0.0 and out.max() <= 1.0 and not np.allclose(out, X)
    raw = augment_digits(X, generator=torch.Generator().manual_seed(0), **AUGMENT).numpy()
    assert raw.min() < 0.0 or raw.max() > 1.0  # the noise leaves the range: the clip matters
    np.testing.assert_allclose(out, np.clip(raw, 0.0, 1.0))
    np.testing.assert_array_equal(out, D.augmented_digits(X, torch.Generator().manual_seed(0)))  # seeded


def test_fine_tune_start_builds_the_named_start_and_reports_test_accuracy():
    from nnbook.data import load_digits

    X, y = load_digits("train")
    train, test = (X[:300], y[:300]), load_digits("test")
    stack = D.dbn_stack(train[0], 0, hidden=(32,), epochs=3)
    accs = {name: D.fine_tune_start(stack, name, train, test, seed=1, epochs=30) for name in D.DBN_STARTS}
    assert all(0.5 < a <= 1 for a in accs.values())
    assert accs["DBN (pretrained)"] != accs["random init"]
    with pytest.raises(KeyError):
        D.fine_tune_start(stack, "pretrained", train, test, seed=1, epochs=1)


def test_comparison_figure_draws_the_baseline_when_given():
    plain = D.comparison_figure({"a": [0.97, 0.99]}, "t")
    marked = D.comparison_figure({"a": [0.97, 0.99]}, "t", baseline=0.98)
    assert len(marked.axes[0].lines) == len(plain.axes[0].lines) + 1
    assert marked.axes[0].lines[-1].get_xdata()[0] == 98.0
