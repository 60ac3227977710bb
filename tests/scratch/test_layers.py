"""nnbook.scratch.layers: the NumPy forward pass equals torch.nn.Sequential; parameter counts equal PyTorch's."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from nnbook.scratch.activations import ACTIVATIONS
from nnbook.scratch.layers import (
    Dense,
    count_parameters,
    dense,
    dense_network,
    forward,
    from_torch,
    to_torch,
    trace_shapes,
)

ACTS = ["identity", "relu", "sigmoid", "tanh"]  # those with a parameter-free torch.nn module (or none)


@settings(max_examples=60, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 12), min_size=2, max_size=6),
    act=st.sampled_from(ACTS),
    out_act=st.sampled_from(ACTS),
    batch=st.integers(1, 9),
    scale=st.floats(0.1, 30.0),
    seed=st.integers(0, 2**32 - 1),
)
def test_forward_equals_torch_sequential(sizes, act, out_act, batch, scale, seed):
    rng = np.random.default_rng(seed)
    layers = dense_network(sizes, rng, activation=act, output_activation=out_act, init="xavier_uniform")
    for layer in layers:  # non-zero biases, so a wrong bias broadcast would show
        layer.b = rng.normal(size=layer.n_out)
    X = scale * rng.normal(size=(batch, sizes[0]))
    ours = forward(layers, X)
    with torch.no_grad():
        ref = to_torch(layers)(torch.from_numpy(X)).numpy()
    assert ours.shape == (batch, sizes[-1])
    np.testing.assert_allclose(ours, ref, rtol=1e-12, atol=1e-12)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), batch=st.integers(1, 16))
def test_forward_equals_an_independently_built_torch_model(seed, batch):
    torch.manual_seed(seed)
    model = torch.nn.Sequential(
        torch.nn.Linear(8, 6),
        torch.nn.Tanh(),
        torch.nn.Linear(6, 5),
        torch.nn.ReLU(),
        torch.nn.Linear(5, 4),
        torch.nn.Sigmoid(),
        torch.nn.Linear(4, 3),
    ).double()
    X = torch.randn(batch, 8, dtype=torch.float64)
    layers = from_torch(model)
    assert [l.activation for l in layers] == ["tanh", "relu", "sigmoid", "identity"]
    with torch.no_grad():
        np.testing.assert_allclose(forward(layers, X.numpy()), model(X).numpy(), rtol=1e-12, atol=1e-14)


def test_batch_rows_are_the_column_vector_form():
    rng = np.random.default_rng(0)
    W, b = rng.normal(size=(3, 5)), rng.normal(size=3)
    A = rng.normal(size=(4, 5))
    batched = dense(A, W, b, "tanh")
    for i in range(4):  # a^(l) = f(W a^(l-1) + b), one example at a time
        np.testing.assert_allclose(batched[i], np.tanh(W @ A[i] + b), rtol=1e-15)
        np.testing.assert_allclose(dense(A[i], W, b, "tanh"), batched[i], rtol=1e-15)


def test_return_all_gives_every_layer():
    rng = np.random.default_rng(0)
    layers = dense_network([4, 3, 2], rng, activation="relu")
    X = rng.normal(size=(5, 4))
    zs, acts = forward(layers, X, return_all=True)
    assert [z.shape for z in zs] == [(5, 3), (5, 2)]
    assert [a.shape for a in acts] == [(5, 4), (5, 3), (5, 2)]
    np.testing.assert_array_equal(acts[1], np.maximum(zs[0], 0))
    np.testing.assert_array_equal(acts[-1], forward(layers, X))


def test_sigmoid_is_stable_for_extreme_inputs():
    z = np.array([-1e3, -50.0, 0.0, 50.0, 1e3])
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow of exp(-1000) to 0 is harmless
        s = ACTIVATIONS["sigmoid"](z)
    np.testing.assert_allclose(s, torch.sigmoid(torch.from_numpy(z)).numpy(), rtol=1e-15, atol=0)


@settings(max_examples=40, deadline=None)
@given(z=st.lists(st.floats(-30, 30), min_size=1, max_size=20), act=st.sampled_from(ACTS))
def test_activation_derivatives_equal_autograd(z, act):
    t = torch.tensor(z, dtype=torch.float64, requires_grad=True)
    f = {"identity": lambda x: x, "tanh": torch.tanh, "relu": torch.relu, "sigmoid": torch.sigmoid}[act]
    f(t).sum().backward()
    np.testing.assert_allclose(ACTIVATIONS[act].derivative_at(np.array(z)), t.grad.numpy(), rtol=1e-12, atol=1e-15)


# ---- parameter counting ----


def _torch_mlp(sizes):
    mods = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        mods += [torch.nn.Linear(n_in, n_out), torch.nn.ReLU()]
    return torch.nn.Sequential(*mods[:-1])


@pytest.mark.parametrize(
    "sizes", [[784, 16, 10], [784, 16, 16, 10], [784, 128, 64, 10], [64, 32, 32, 10], [2, 2, 1], [1, 1]]
)
def test_count_parameters_equals_torch(sizes):
    model = _torch_mlp(sizes)
    expected = sum(p.numel() for p in model.parameters())
    assert count_parameters(sizes) == expected
    assert count_parameters(from_torch(model)) == expected
    assert count_parameters(dense_network(sizes, np.random.default_rng(0))) == expected
    per = count_parameters(sizes, per_layer=True)
    assert per == [m.weight.numel() + m.bias.numel() for m in model if isinstance(m, torch.nn.Linear)]


def test_count_parameters_784_16_10_by_hand():
    # 784 inputs x 16 hidden + 16 biases, then 16 x 10 + 10 biases
    assert count_parameters([784, 16, 10]) == 784 * 16 + 16 + 16 * 10 + 10


@settings(max_examples=50, deadline=None)
@given(sizes=st.lists(st.integers(1, 300), min_size=2, max_size=8))
def test_count_parameters_equals_torch_for_random_widths(sizes):
    assert count_parameters(sizes) == sum(p.numel() for p in _torch_mlp(sizes).parameters())


def test_trace_shapes():
    rows = trace_shapes(dense_network([784, 16, 10], np.random.default_rng(0)), batch=32)
    assert [(r["input"], r["W"], r["b"], r["output"]) for r in rows] == [
        ((32, 784), (16, 784), (16,), (32, 16)),
        ((32, 16), (10, 16), (10,), (32, 10)),
    ]
    assert sum(r["parameters"] for r in rows) == count_parameters([784, 16, 10])


# ---- bad input ----


def test_bad_input_is_explained():
    rng = np.random.default_rng(0)
    layers = dense_network([4, 3, 2], rng)
    with pytest.raises(ValueError, match=r"X must have shape \(batch, 4\)"):
        forward(layers, np.zeros((5, 3)))
    with pytest.raises(ValueError, match="layer 1 expects 5 inputs but layer 0 gives 3"):
        forward([layers[0], Dense(np.zeros((2, 5)), np.zeros(2))], np.zeros((1, 4)))
    with pytest.raises(ValueError, match="at least one layer"):
        forward([], np.zeros((1, 4)))
    with pytest.raises(TypeError, match="must be a Dense layer"):
        forward([np.zeros((3, 4))], np.zeros((1, 4)))
    with pytest.raises(ValueError, match="b must have shape"):
        Dense(np.zeros((3, 4)), np.zeros(4))
    with pytest.raises(ValueError, match="W must be a matrix"):
        Dense(np.zeros(4), np.zeros(4))
    with pytest.raises(ValueError, match="unknown activation"):
        Dense(np.zeros((3, 4)), np.zeros(3), "mish")
    with pytest.raises(ValueError, match="input must have shape"):
        dense(np.zeros((2, 3)), np.zeros((3, 4)), np.zeros(3))
    with pytest.raises(ValueError, match="at least an input and an output"):
        count_parameters([784])
    with pytest.raises(TypeError, match="integers"):
        count_parameters([784, 16.5, 10])
    with pytest.raises(ValueError, match="positive"):
        dense_network([4, 0, 2], rng)
    with pytest.raises(TypeError, match="not a mixture"):
        count_parameters([layers[0], 3])
    with pytest.raises(ValueError, match="batch must be a positive integer"):
        trace_shapes(layers, batch=0)
    with pytest.raises(TypeError, match="without bias"):
        from_torch(torch.nn.Sequential(torch.nn.Linear(3, 2, bias=False)))
    with pytest.raises(TypeError, match="not supported"):
        from_torch(torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Softmax(dim=1)))


def test_trace_shapes_numbers_the_layers_and_names_their_activations():
    net = dense_network([4, 3, 2], np.random.default_rng(0), activation="tanh", output_activation="sigmoid")
    rows = trace_shapes(net, batch=2)
    assert [r["layer"] for r in rows] == [1, 2] and [r["activation"] for r in rows] == ["tanh", "sigmoid"]


@pytest.mark.parametrize("activation", ["step", "leaky_relu"])
def test_to_torch_refuses_activations_without_a_parameter_free_module(activation):
    with pytest.raises(TypeError, match="no parameter-free torch module"):
        to_torch([Dense(np.zeros((2, 3)), np.zeros(2), activation)])
