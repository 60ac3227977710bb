"""nnbook.scratch.rnn: hidden states and BPTT gradients equal PyTorch + autograd (float64), central differences agree."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from nnbook.scratch.core import Sequential
from nnbook.scratch.gradcheck import check_layer
from nnbook.scratch.layers import Dense
from nnbook.scratch.rnn import (
    GRU,
    LSTM,
    RNN,
    LastStep,
    clip_grad_norm,
    global_norm,
    spectral_radius,
    state_gradient_norms,
)

TOL = dict(rtol=1e-10, atol=1e-10)

shapes = dict(
    batch=st.integers(1, 3),
    T=st.integers(1, 7),
    n_in=st.integers(1, 4),
    n_hidden=st.integers(1, 5),
    seed=st.integers(0, 2**31 - 1),
)


def _t(a, grad=False):
    return torch.tensor(a, dtype=torch.float64, requires_grad=grad)


def _torch_sequence(cell, x, h_state, truncate):
    """Run a torch cell over x (batch, T, n_in); detach the state at every chunk boundary."""
    ys = []
    for t in range(x.shape[1]):
        if truncate is not None and t > 0 and t % truncate == 0:
            h_state = tuple(s.detach() for s in h_state) if isinstance(h_state, tuple) else h_state.detach()
        h_state = cell(x[:, t], h_state)
        ys.append(h_state[0] if isinstance(h_state, tuple) else h_state)
    return torch.stack(ys, dim=1)


@settings(max_examples=40, deadline=None)
@given(**shapes, activation=st.sampled_from(["tanh", "relu"]), truncate=st.sampled_from([None, 1, 2, 3]))
def test_rnn_equals_torch(batch, T, n_in, n_hidden, seed, activation, truncate):
    rng = np.random.default_rng(seed)
    layer = RNN(n_in, n_hidden, rng, activation=activation, truncate=truncate)
    layer.params["W_hh"][...] = rng.normal(0, 0.8, (n_hidden, n_hidden))  # not only the tame init
    x = rng.normal(size=(batch, T, n_in))
    grad_y = rng.normal(size=(batch, T, n_hidden))
    y, cache = layer.forward(x)
    grad_x, grads = layer.backward(cache, grad_y)

    cell = torch.nn.RNNCell(n_in, n_hidden, nonlinearity=activation).double()
    with torch.no_grad():
        cell.weight_ih.copy_(_t(layer.params["W_xh"]))
        cell.weight_hh.copy_(_t(layer.params["W_hh"]))
        cell.bias_ih.copy_(_t(layer.params["b"]))
        cell.bias_hh.zero_()
    xt = _t(x, grad=True)
    yt = _torch_sequence(cell, xt, torch.zeros(batch, n_hidden, dtype=torch.float64), truncate)
    (yt * _t(grad_y)).sum().backward()
    np.testing.assert_allclose(y, yt.detach().numpy(), **TOL)
    np.testing.assert_allclose(grad_x, xt.grad.numpy(), **TOL)
    np.testing.assert_allclose(grads["W_xh"], cell.weight_ih.grad.numpy(), **TOL)
    np.testing.assert_allclose(grads["W_hh"], cell.weight_hh.grad.numpy(), **TOL)
    np.testing.assert_allclose(grads["b"], cell.bias_ih.grad.numpy(), **TOL)


@settings(max_examples=25, deadline=None)
@given(**shapes, activation=st.sampled_from(["tanh", "relu"]))
def test_rnn_equals_torch_nn_rnn(batch, T, n_in, n_hidden, seed, activation):
    """The whole-sequence module nn.RNN (batch_first), not only the cell."""
    rng = np.random.default_rng(seed)
    layer = RNN(n_in, n_hidden, rng, activation=activation)
    x = rng.normal(size=(batch, T, n_in))
    grad_y = rng.normal(size=(batch, T, n_hidden))
    y, cache = layer.forward(x)
    grad_x, grads = layer.backward(cache, grad_y)
    net = torch.nn.RNN(n_in, n_hidden, nonlinearity=activation, batch_first=True).double()
    with torch.no_grad():
        net.weight_ih_l0.copy_(_t(layer.params["W_xh"]))
        net.weight_hh_l0.copy_(_t(layer.params["W_hh"]))
        net.bias_ih_l0.copy_(_t(layer.params["b"]) / 2)
        net.bias_hh_l0.copy_(_t(layer.params["b"]) / 2)
    xt = _t(x, grad=True)
    yt, _ = net(xt)
    (yt * _t(grad_y)).sum().backward()
    np.testing.assert_allclose(y, yt.detach().numpy(), **TOL)
    np.testing.assert_allclose(grad_x, xt.grad.numpy(), **TOL)
    np.testing.assert_allclose(grads["W_hh"], net.weight_hh_l0.grad.numpy(), **TOL)
    np.testing.assert_allclose(grads["b"], net.bias_hh_l0.grad.numpy(), **TOL)


# our layer, the torch cell, our parameter name -> the cell's (torch's bias_hh stays 0 where we keep one bias)
GATED = {
    "LSTM": (LSTM, torch.nn.LSTMCell, {"W_x": "weight_ih", "W_h": "weight_hh", "b": "bias_ih"}),
    "GRU": (GRU, torch.nn.GRUCell, {"W_x": "weight_ih", "W_h": "weight_hh", "b_x": "bias_ih", "b_h": "bias_hh"}),
}


@pytest.mark.parametrize("kind", GATED)
@settings(max_examples=40, deadline=None)
@given(**shapes, truncate=st.sampled_from([None, 1, 2, 3]))
def test_gated_layer_equals_torch_cell(kind, batch, T, n_in, n_hidden, seed, truncate):
    make, Cell, names = GATED[kind]
    rng = np.random.default_rng(seed)
    layer = make(n_in, n_hidden, rng, truncate=truncate)
    x = 2 * rng.normal(size=(batch, T, n_in))
    grad_y = rng.normal(size=(batch, T, n_hidden))
    y, cache = layer.forward(x)
    grad_x, grads = layer.backward(cache, grad_y)
    cell = Cell(n_in, n_hidden).double()
    with torch.no_grad():
        for p in cell.parameters():
            p.zero_()
        for ours, theirs in names.items():
            getattr(cell, theirs).copy_(_t(layer.params[ours]))
    xt = _t(x, grad=True)
    zeros = torch.zeros(batch, n_hidden, dtype=torch.float64)
    yt = _torch_sequence(cell, xt, (zeros, zeros) if kind == "LSTM" else zeros, truncate)
    (yt * _t(grad_y)).sum().backward()
    np.testing.assert_allclose(y, yt.detach().numpy(), **TOL)
    np.testing.assert_allclose(grad_x, xt.grad.numpy(), **TOL)
    assert set(grads) == set(names)
    for ours, theirs in names.items():
        np.testing.assert_allclose(grads[ours], getattr(cell, theirs).grad.numpy(), **TOL)


@pytest.mark.parametrize(
    "make",
    [
        lambda rng: RNN(3, 4, rng),
        lambda rng: RNN(3, 4, rng, activation="relu"),
        lambda rng: RNN(3, 4, rng, activation="identity"),
        lambda rng: LSTM(3, 4, rng),
        lambda rng: GRU(3, 4, rng),
    ],
)
def test_central_differences(make):
    rng = np.random.default_rng(0)
    layer = make(rng)
    errors = check_layer(layer, rng.normal(size=(2, 5, 3)), rng)
    assert set(errors) == {"x", *layer.params}
    assert max(errors.values()) < 1e-6, errors


def test_truncation_changes_the_gradient_only_beyond_the_chunk():
    rng = np.random.default_rng(1)
    full, cut = RNN(2, 3, rng), RNN(2, 3, rng, truncate=4)
    cut.params = {k: v.copy() for k, v in full.params.items()}
    x = rng.normal(size=(1, 8, 2))
    grad_y = np.zeros((1, 8, 3))
    grad_y[:, -1] = 1.0
    gx_full, _ = full.backward(full.forward(x)[1], grad_y)
    gx_cut, _ = cut.backward(cut.forward(x)[1], grad_y)
    np.testing.assert_allclose(gx_cut[:, 4:], gx_full[:, 4:])
    assert np.all(gx_cut[:, :4] == 0) and np.any(gx_full[:, :4] != 0)


def test_a_sequence_classifier_is_a_sequential_of_core_layers():
    rng = np.random.default_rng(2)
    net = Sequential([LSTM(2, 3, rng), LastStep(), Dense(rng.normal(size=(2, 3)), np.zeros(2))])
    errors = check_layer(net, rng.normal(size=(2, 4, 2)), rng)
    assert max(errors.values()) < 1e-6, errors
    assert net(rng.normal(size=(5, 4, 2))).shape == (5, 2)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), max_norm=st.floats(0.01, 10.0), scale=st.floats(0.01, 100.0))
def test_clip_grad_norm_equals_torch(seed, max_norm, scale):
    rng = np.random.default_rng(seed)
    grads = {"a": scale * rng.normal(size=(3, 2)), "b": scale * rng.normal(size=4)}
    clipped, norm = clip_grad_norm(grads, max_norm)
    ps = [torch.nn.Parameter(_t(np.zeros_like(g))) for g in grads.values()]
    for p, g in zip(ps, grads.values()):
        p.grad = _t(g)
    ref_norm = torch.nn.utils.clip_grad_norm_(ps, max_norm)
    assert norm == pytest.approx(float(ref_norm), rel=1e-12)
    for p, g in zip(ps, clipped.values()):
        np.testing.assert_allclose(g, p.grad.numpy(), rtol=1e-12)
    assert global_norm(clipped) <= max_norm * (1 + 1e-9) or global_norm(clipped) == pytest.approx(norm)


def test_state_gradients_vanish_below_and_explode_above_spectral_radius_one():
    rng = np.random.default_rng(3)
    layer = RNN(1, 20, rng, activation="identity")
    Q = np.linalg.qr(rng.normal(size=(20, 20)))[0]
    x = rng.normal(size=(4, 30, 1))
    for rho, grows in [(0.8, False), (1.2, True)]:
        layer.params["W_hh"][...] = rho * Q
        assert spectral_radius(layer.params["W_hh"]) == pytest.approx(rho)
        norms = state_gradient_norms(layer, x, rng)
        # a linear RNN with an orthogonal W_hh scales the gradient by exactly rho per step
        np.testing.assert_allclose(norms[0] / norms[-1], rho**29, rtol=1e-9)
        assert (norms[0] > norms[-1]) == grows


def test_bad_input_is_explained():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match=r"shape \(batch, T, n_in\)"):
        RNN(3, 2, rng).forward(np.zeros((4, 3)))
    with pytest.raises(ValueError, match="at least one time step"):
        LSTM(3, 2, rng).forward(np.zeros((4, 0, 3)))
    with pytest.raises(ValueError, match="n_hidden must be a positive integer"):
        GRU(3, 0, rng)
    with pytest.raises(ValueError, match="truncate"):
        RNN(3, 2, rng, truncate=0)
    with pytest.raises(ValueError, match="unknown activation"):
        RNN(3, 2, rng, activation="sine")
    with pytest.raises(TypeError, match="Generator"):
        LSTM(3, 2, 0)
    with pytest.raises(ValueError, match="max_norm"):
        clip_grad_norm({"a": np.ones(2)}, 0.0)
    with pytest.raises(ValueError, match="square"):
        spectral_radius(np.ones((2, 3)))
