"""The threshold neuron, the perceptron rule and the two-layer networks of chapter 1."""

import hypothesis.strategies as st
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis.extra.numpy import arrays

from nnbook.data import blobs, pixel_digits, truth_table
from nnbook.scratch import perceptron as P

FLOATS = st.floats(-5, 5, allow_nan=False)


# --- neurons -----------------------------------------------------------------------------------


def test_step_fires_at_and_above_zero():
    np.testing.assert_array_equal(P.step([-1.0, -1e-12, 0.0, 2.0]), [0, 0, 1, 1])
    assert P.step(0.0) == 1.0


@given(arrays(np.float64, (7,), elements=st.floats(-800, 800)))
def test_sigmoid_matches_torch_and_never_overflows(z):
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is harmless
        s = P.sigmoid(z)
    np.testing.assert_allclose(s, torch.sigmoid(torch.tensor(z)).numpy(), rtol=1e-12, atol=1e-300)
    assert np.all((s >= 0) & (s <= 1))


def test_neuron_is_activation_of_weighted_sum():
    X = np.array([[1.0, 2.0], [-1.0, 0.5]])
    np.testing.assert_allclose(P.neuron(X, [0.5, -1.0], 1.0, "sigmoid"), P.sigmoid(X @ [0.5, -1.0] + 1.0))
    np.testing.assert_array_equal(P.neuron(X, [0.5, -1.0], 1.0), [0.0, 1.0])


def test_bias_is_the_negative_threshold():
    # a neuron with threshold theta fires when w.x >= theta, i.e. when w.x + b >= 0 with b = -theta
    X, y = truth_table("and")
    np.testing.assert_array_equal(P.neuron(X, [1, 1], -1.5), (X.sum(1) >= 1.5).astype(float))


# --- the perceptron ----------------------------------------------------------------------------


@pytest.mark.parametrize("gate", ["and", "or", "nand", "nor"])
def test_perceptron_learns_separable_gates(gate):
    X, y = truth_table(gate)
    p = P.Perceptron(max_epochs=50).fit(X, y)
    assert p.converged_ and p.errors_[-1] == 0
    np.testing.assert_array_equal(p.predict(X), y)


@pytest.mark.parametrize("shuffle,seed", [(False, 0), (True, 0), (True, 1), (True, 2)])
def test_perceptron_learns_blobs_within_novikoff_bound(shuffle, seed):
    X, y = blobs(100, margin=0.2, spread=1.5, seed=seed)
    p = P.Perceptron(shuffle=shuffle, seed=seed, max_epochs=1000).fit(X, y)
    assert p.converged_
    assert np.sum(p.predict(X) != y) == 0
    assert p.n_updates_ <= P.novikoff_bound(X, y, [1.0, 1.0], 0.0)


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 5), st.integers(0, 10_000), st.floats(0.01, 10.0))
def test_perceptron_converges_on_random_separable_data(d, seed, lr):
    rng = np.random.default_rng(seed)
    u, c = rng.standard_normal(d), rng.standard_normal()
    X = rng.uniform(-3, 3, (200, d))
    score = (X @ u + c) / np.linalg.norm(np.r_[u, c])
    X, score = X[np.abs(score) > 0.05], score[np.abs(score) > 0.05]
    y = (score > 0).astype(int)
    if len(np.unique(y)) < 2:
        return
    p = P.Perceptron(lr=lr, shuffle=True, seed=seed, max_epochs=100_000).fit(X, y)
    assert p.converged_
    np.testing.assert_array_equal(p.predict(X), y)
    assert p.n_updates_ <= P.novikoff_bound(X, y, u, c) + 1e-9


def test_perceptron_never_learns_xor():
    X, y = truth_table("xor")
    p = P.Perceptron(max_epochs=200, shuffle=True, seed=0).fit(X, y)
    assert not p.converged_ and len(p.errors_) == 200 and min(p.errors_) > 0
    assert np.sum(p.predict(X) != y) >= 1


@given(FLOATS, FLOATS, FLOATS)
def test_no_single_step_neuron_computes_xor(w1, w2, b):
    X, y = truth_table("xor")
    assert np.sum(P.neuron(X, [w1, w2], b) != y) >= 1


def test_learning_rate_does_not_matter_from_zero_weights():
    X, y = blobs(60, margin=0.2, spread=2.0, seed=3)
    runs = [P.Perceptron(lr=lr).fit(X, y) for lr in (0.01, 1.0, 7.5)]
    assert len({tuple(r.updated_on_) for r in runs}) == 1
    np.testing.assert_allclose(runs[0].w_ / 0.01, runs[1].w_)


def test_history_records_every_update():
    X, y = truth_table("or")
    p = P.Perceptron().fit(X, y)
    assert len(p.history_) == p.n_updates_ + 1 == len(p.update_epoch_) + 1
    assert sum(p.errors_) == p.n_updates_
    np.testing.assert_array_equal(p.history_[0][0], [0, 0])
    np.testing.assert_array_equal(p.history_[-1][0], p.w_)


def test_shuffling_is_seeded():
    X, y = blobs(100, margin=0.2, spread=1.5, seed=0)
    a, b = (P.Perceptron(shuffle=True, seed=5).fit(X, y) for _ in range(2))
    assert a.updated_on_ == b.updated_on_ and a.errors_ == b.errors_


def test_max_epochs_stops_training():
    X, y = truth_table("xor")
    assert len(P.Perceptron(max_epochs=3).fit(X, y).errors_) == 3


def test_perceptron_update_matches_the_rule():
    w, b, changed = P.perceptron_update(np.array([0.5, -1.0]), 0.2, np.array([1.0, 2.0]), 1, 0.1)
    np.testing.assert_allclose(w, [0.6, -0.8])
    assert b == pytest.approx(0.3) and changed
    w2, b2, changed2 = P.perceptron_update(w, b, np.array([1.0, 0.0]), 1, 0.1)  # 0.6 + 0.3 >= 0: right
    assert not changed2 and b2 == b
    np.testing.assert_array_equal(w2, w)


# --- two-layer networks ------------------------------------------------------------------------


def test_hand_built_xor_network_is_exact():
    X, y = truth_table("xor")
    H, Y = P.layer_outputs(P.xor_hand_params(), X, "step")
    np.testing.assert_array_equal(Y[:, 0], y)
    np.testing.assert_array_equal(H, [[0, 0], [1, 0], [1, 0], [1, 1]])  # (OR, AND) of each row


def test_trained_xor_network_solves_xor():
    X, y = truth_table("xor")
    net = P.train_xor(seed=0)
    np.testing.assert_array_equal(net.predict(X), y)
    assert net.losses[-1] < 0.01 and net.losses[-1] < net.losses[0]


def test_training_records_the_cost_after_every_epoch():
    X, y = truth_table("xor")
    net = P.train_two_layer(X, y, 2, lr=1.0, epochs=7, seed=2)
    assert len(net.losses) == 7
    assert net.losses[-1] == pytest.approx(P.loss(net.params, X, y), rel=1e-12)
    one = P.train_two_layer(X, y, 2, lr=1.0, epochs=6, seed=2)
    assert net.losses[:6] == pytest.approx(one.losses, rel=1e-12)


def test_trained_networks_are_reproducible():
    a, b = P.train_xor(seed=3, epochs=200), P.train_xor(seed=3, epochs=200)
    for k in P.PARAM_NAMES:
        np.testing.assert_array_equal(a.params[k], b.params[k])


def test_pixel_recogniser_gets_every_image_right():
    X, y = pixel_digits()
    net = P.train_pixel_recogniser(seed=0)
    assert net.params["W1"].shape == (3, 12) and net.params["W2"].shape == (2, 3)
    np.testing.assert_array_equal(net.predict(X), y)


def _torch_loss(params, X, T):
    t = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in params.items()}
    Xt, Tt = torch.tensor(X), torch.tensor(T)
    H = torch.sigmoid(Xt @ t["W1"].T + t["b1"])
    Y = torch.sigmoid(H @ t["W2"].T + t["b2"])
    loss = 0.5 * ((Y - Tt) ** 2).sum() / len(X)
    loss.backward()
    return loss.item(), {k: v.grad.numpy() for k, v in t.items()}


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 12), st.integers(1, 5), st.integers(1, 3), st.integers(1, 8), st.integers(0, 2**31))
def test_gradients_match_torch_autograd(d, h, k, n, seed):
    rng = np.random.default_rng(seed)
    params = P.init_params(d, h, k, seed=seed, scale=2.0)
    params["b1"], params["b2"] = rng.standard_normal(h), rng.standard_normal(k)
    X, T = rng.standard_normal((n, d)), rng.uniform(0, 1, (n, k))
    ref_loss, ref = _torch_loss(params, X, T)
    assert P.loss(params, X, T) == pytest.approx(ref_loss, rel=1e-12)
    g = P.gradients(params, X, T)
    for name in P.PARAM_NAMES:
        np.testing.assert_allclose(g[name], ref[name], rtol=1e-9, atol=1e-13)


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 2**31))
def test_gradients_match_central_differences(seed):
    rng = np.random.default_rng(seed)
    params = P.init_params(12, 3, 2, seed=seed)
    X, T = rng.integers(0, 2, (6, 12)).astype(float), np.eye(2)[rng.integers(0, 2, 6)]
    g, eps = P.gradients(params, X, T), 1e-6
    for name in P.PARAM_NAMES:
        num = np.zeros_like(params[name])
        for idx in np.ndindex(*params[name].shape):
            plus = {k: v.copy() for k, v in params.items()}
            minus = {k: v.copy() for k, v in params.items()}
            plus[name][idx] += eps
            minus[name][idx] -= eps
            num[idx] = (P.loss(plus, X, T) - P.loss(minus, X, T)) / (2 * eps)
        np.testing.assert_allclose(g[name], num, rtol=1e-6, atol=1e-9)


# --- bad input ---------------------------------------------------------------------------------


def test_bad_inputs_raise_clear_errors():
    X, y = truth_table("and")
    with pytest.raises(ValueError, match=r"2-D array of shape \(n_samples, n_features\)"):
        P.Perceptron().fit(X[0], y)
    with pytest.raises(ValueError, match=r"y must have shape \(4,\)"):
        P.Perceptron().fit(X, y[:3])
    with pytest.raises(ValueError, match="labels 0 and 1 only"):
        P.Perceptron().fit(X, [0, 1, 2, -1])
    with pytest.raises(ValueError, match="finite"):
        P.Perceptron().fit(np.array([[np.nan, 1.0]]), [1])
    with pytest.raises(ValueError, match=r"w0 must have shape \(2,\)"):
        P.Perceptron().fit(X, y, w0=[0.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="lr .* positive"):
        P.Perceptron(lr=0)
    with pytest.raises(ValueError, match="max_epochs must be an integer >= 1"):
        P.Perceptron(max_epochs=0)
    with pytest.raises(RuntimeError, match="not fitted"):
        P.Perceptron().predict(X)
    p = P.Perceptron().fit(X, y)
    with pytest.raises(ValueError, match="2 feature column"):
        p.predict(np.ones((3, 5)))
    with pytest.raises(ValueError, match="unknown activation 'mish'"):
        P.neuron(X, [1, 1], 0, "mish")
    with pytest.raises(ValueError, match="w must be a 1-D weight vector"):
        P.neuron(X, [[1, 1]], 0)
    with pytest.raises(ValueError, match="does not separate"):
        P.novikoff_bound(X, y, [1.0, 1.0], 0.0)


def test_bad_network_inputs_raise_clear_errors():
    params = P.xor_hand_params()
    with pytest.raises(ValueError, match="missing"):
        P.layer_outputs({"W1": params["W1"]}, np.zeros((1, 2)))
    with pytest.raises(ValueError, match="params shapes must be"):
        P.layer_outputs({**params, "W2": np.ones((1, 3))}, np.zeros((1, 2)))
    with pytest.raises(ValueError, match="2 feature column"):
        P.layer_outputs(params, np.zeros((1, 3)))
    with pytest.raises(ValueError, match=r"targets must have shape \(4, 1\)"):
        P.loss(params, np.zeros((4, 2)), np.zeros(3))
    with pytest.raises(ValueError, match="n_hidden must be an integer >= 1"):
        P.init_params(2, 0, 1)
    with pytest.raises(ValueError, match="12 feature column"):
        P.train_pixel_recogniser(np.zeros((4, 9)), [0, 1, 0, 1])
    with pytest.raises(ValueError, match="lr .* positive"):
        P.train_two_layer(np.zeros((4, 2)), np.zeros(4), 2, lr=-1)
    with pytest.raises(ValueError, match="epochs must be an integer >= 1"):
        P.train_two_layer(np.zeros((4, 2)), np.zeros(4), 2, epochs=0)


def test_network_functions_check_the_input_width():
    X = np.zeros((4, 3))
    with pytest.raises(ValueError, match="2 feature column"):
        P.gradients(P.xor_hand_params(), X, np.zeros(4))
    with pytest.raises(ValueError, match="2 feature column"):
        P.neuron(X, [1.0, 1.0], 0.0)
    with pytest.raises(ValueError, match="labels in 0..1"):
        P.one_hot(np.array([0, 2]), 2)
    np.testing.assert_array_equal(P.one_hot(np.array([1, 0]), 2), [[0, 1], [1, 0]])


def test_novikoff_bound_by_hand():
    # AND with the separator (1, 1, -1.5): R^2 = max |(x, 1)|^2 = 3; the margin is min |w.x + b| / |(w, b)| = 0.5 / sqrt(4.25)
    X, y = truth_table("and")
    assert P.novikoff_bound(X, y, [1.0, 1.0], -1.5) == pytest.approx(3 / (0.5 / np.sqrt(4.25)) ** 2, rel=1e-12)
    with pytest.raises(ValueError, match="does not separate"):
        P.novikoff_bound(X, y, [1.0, 1.0], -1.0)  # (1, 0) lies on this line: margin 0 is not a separation


def test_shuffled_sweeps_are_seeded_and_recorded():
    X, y = blobs(40, seed=1)
    runs = [P.Perceptron(shuffle=True, seed=s).fit(X, y) for s in (0, 0, 1)]
    in_order = P.Perceptron().fit(X, y)
    assert runs[0].updated_on_ == runs[1].updated_on_
    assert runs[0].updated_on_ != runs[2].updated_on_ or runs[0].updated_on_ != in_order.updated_on_
    for p in runs + [in_order]:
        assert all(isinstance(i, int) and 0 <= i < len(X) for i in p.updated_on_)
        assert p.update_epoch_ == sorted(p.update_epoch_) and len(p.update_epoch_) == p.n_updates_
        assert [p.update_epoch_.count(e) for e in range(1, len(p.errors_) + 1)] == p.errors_
