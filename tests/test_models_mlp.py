"""nnbook.models.mlp: the layer stack it builds and the hidden representations it exposes."""

import numpy as np
import pytest
import torch
from torch import nn

from nnbook.models.mlp import hidden_representations, mlp


def test_plain_mlp_layers_and_shapes():
    m = mlp((64, 32, 16, 10))
    kinds = [type(l) for l in m]
    assert kinds == [nn.Linear, nn.ReLU, nn.Linear, nn.ReLU, nn.Linear]
    assert m(torch.zeros(5, 64)).shape == (5, 10)
    assert sum(p.numel() for p in m.parameters()) == 64 * 32 + 32 + 32 * 16 + 16 + 16 * 10 + 10


def test_dropout_and_batch_norm_are_placed_in_each_hidden_layer():
    m = mlp((8, 4, 3), activation="tanh", dropout=0.5, batch_norm=True)
    assert [type(l) for l in m] == [nn.Linear, nn.BatchNorm1d, nn.Tanh, nn.Dropout, nn.Linear]
    assert m[3].p == 0.5
    assert [type(l) for l in mlp((8, 3))] == [nn.Linear]


def test_hidden_representations():
    torch.manual_seed(0)
    m = mlp((6, 5, 4, 3), dropout=0.2)
    m.train()
    X = np.random.default_rng(0).normal(size=(7, 6))
    reps = hidden_representations(m, X)
    assert [r.shape for r in reps] == [(7, 5), (7, 4), (7, 3)]
    assert (reps[0] >= 0).all()  # after ReLU
    assert m.training  # mode restored
    m.eval()
    np.testing.assert_allclose(reps[-1], m(torch.tensor(X, dtype=torch.float32)).detach().numpy(), rtol=1e-6)
    # evaluation mode: no dropout, so the result is repeatable
    np.testing.assert_array_equal(hidden_representations(m, X)[0], reps[0])


@pytest.mark.parametrize(
    "kw, err, msg",
    [
        ({"sizes": (64,)}, ValueError, "at least an input and an output"),
        ({"sizes": "64"}, ValueError, "at least"),
        ({"sizes": (64, 0, 10)}, ValueError, "integer >= 1"),
        ({"sizes": (64, 2.5, 10)}, ValueError, "integer >= 1"),
        ({"sizes": (4, 2), "activation": "step"}, ValueError, "unknown activation"),
        ({"sizes": (4, 2), "dropout": 1.0}, ValueError, "dropout"),
        ({"sizes": (4, 2), "batch_norm": 1}, TypeError, "batch_norm"),
    ],
)
def test_bad_arguments(kw, err, msg):
    with pytest.raises(err, match=msg):
        mlp(kw.pop("sizes"), **kw)


def test_hidden_representations_bad_input():
    with pytest.raises(TypeError, match="nn.Sequential"):
        hidden_representations(nn.Linear(2, 2), np.zeros((1, 2)))
    with pytest.raises(ValueError, match=r"shape \(n, features\)"):
        hidden_representations(mlp((2, 2)), np.zeros(2))


def test_hidden_representations_with_batch_norm_use_running_statistics():
    torch.manual_seed(0)
    m = mlp((4, 6, 2), batch_norm=True)
    X = np.random.default_rng(1).normal(size=(10, 4))
    m.train()
    m(torch.tensor(X, dtype=torch.float32))  # one training-mode pass updates the running statistics
    one = hidden_representations(m, X[:1])[0]
    all_ = hidden_representations(m, X)[0]
    np.testing.assert_allclose(one, all_[:1], rtol=1e-6)  # evaluation mode: rows do not affect each other


@pytest.mark.parametrize("name", ["relu", "tanh", "sigmoid", "gelu", "elu", "selu", "swish", "softplus", "leaky_relu"])
def test_torch_activations_compute_the_registry_function(name):
    from nnbook.models.mlp import _TORCH_ACTIVATIONS
    from nnbook.scratch.activations import get

    z = np.linspace(-6, 6, 101)
    torch_out = _TORCH_ACTIVATIONS[name]()(torch.tensor(z)).numpy()
    np.testing.assert_allclose(torch_out, get(name)(z), rtol=1e-6, atol=1e-7)
