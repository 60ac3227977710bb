"""nnbook.demos.depth: the statistics equal PyTorch autograd's, behave as the variance argument predicts,
and the figures and the widget draw."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from nnbook.demos import depth
from nnbook.scratch.layers import dense_network


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid", "identity"])
@pytest.mark.parametrize("init", ["xavier_normal", "he_uniform", "orthogonal"])
def test_statistics_equal_torch_autograd(activation, init):
    d, width, batch, seed = 6, 16, 8, 3
    s = depth.layer_statistics(d, init, activation, width=width, batch=batch, seed=seed)
    # rebuild the same network and data from the same seed, in the order layer_statistics draws them
    rng = np.random.default_rng(seed)
    layers = dense_network([width] * (d + 1), rng, activation=activation, output_activation=activation, init=init)
    X = torch.from_numpy(rng.standard_normal((batch, width)))
    g = torch.from_numpy(rng.standard_normal((batch, width)))
    f = {"tanh": torch.tanh, "relu": torch.relu, "sigmoid": torch.sigmoid, "identity": lambda z: z}[activation]
    Ws = [torch.tensor(l.W, requires_grad=True) for l in layers]
    a, zs, acts = X, [], []
    for W in Ws:
        z = a @ W.T
        z.retain_grad()
        a = f(z)
        zs.append(z)
        acts.append(a)
    (a * g).sum().backward()  # so that dL/da at the output is g
    std = lambda t: t.detach().std(unbiased=False).item()
    np.testing.assert_allclose(s["act_std"], [std(t) for t in acts], rtol=1e-10)
    np.testing.assert_allclose(s["act_mean"], [t.detach().mean().item() for t in acts], rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(s["grad_std"], [std(z.grad) for z in zs], rtol=1e-10)
    np.testing.assert_allclose(s["wgrad_std"], [std(W.grad) for W in Ws], rtol=1e-10)


def test_orthogonal_linear_network_preserves_lengths_exactly():
    s = depth.layer_statistics(40, "orthogonal", "identity", keep_activations=True)
    rng = np.random.default_rng(0)
    dense_network([256] * 41, rng, init="orthogonal")  # same draws as inside: weights first, then the inputs
    X = rng.standard_normal((64, 256))
    np.testing.assert_allclose(np.linalg.norm(s["activations"][-1], axis=1), np.linalg.norm(X, axis=1), rtol=1e-12)


def test_relu_variance_halves_under_xavier_and_holds_under_he():
    # Equal fans: Xavier gives Var(W) = 1/n, so Var(z) halves at every ReLU layer; He's 2/n holds it.
    L = 40
    xav = depth.layer_statistics(L, "xavier_normal", "relu")["act_std"]
    he = depth.layer_statistics(L, "he_normal", "relu")["act_std"]
    per_layer = (xav[-1] / xav[0]) ** (1 / (L - 1))
    assert abs(per_layer - 2**-0.5) < 0.02
    assert 0.5 < he[-1] / he[0] < 2.0


def test_results_are_cached_but_not_shared():
    a = depth.layer_statistics(20, "he_normal", "relu")
    a["act_std"][:] = -1
    b = depth.layer_statistics(20, "he_normal", "relu")
    assert np.all(b["act_std"] > 0)
    assert set(b) == {"layer", "act_mean", "act_std", "grad_std", "wgrad_std"}
    np.testing.assert_array_equal(b["layer"], np.arange(1, 21))


def test_init_options_are_passed_on():
    small = depth.layer_statistics(10, "normal", "tanh", std=0.01)
    large = depth.layer_statistics(10, "normal", "tanh", std=0.1)
    assert small["act_std"][-1] < large["act_std"][-1]


def test_summary_rows():
    rows = depth.signal_summary(20, inits=("xavier_normal", "he_normal"), activations=("relu",))
    assert [(r["activation"], r["init"]) for r in rows] == [("relu", "xavier_normal"), ("relu", "he_normal")]
    assert rows[0]["act_std_last"] < rows[1]["act_std_last"]


def test_figures_and_widget():
    fig = depth.depth_figure(20, "he_normal", "relu")
    assert isinstance(fig, Figure)
    assert all(ax.get_xlabel() and ax.get_ylabel() for ax in fig.axes)
    plt.close(fig)
    fig = depth.grid_figure(20, inits=("xavier_normal",), activations=("tanh", "relu"), title="t")
    assert len(fig.axes) == 4
    plt.close(fig)
    plt.close("all")


def test_bad_input_is_explained():
    with pytest.raises(ValueError, match="depth must be an integer"):
        depth.layer_statistics(0)
    with pytest.raises(ValueError, match="width must be an integer"):
        depth.layer_statistics(5, width=2.5)
    with pytest.raises(ValueError, match="unknown init"):
        depth.layer_statistics(5, init="lecun")
    with pytest.raises(ValueError, match="unknown activation"):
        depth.layer_statistics(5, activation="mish")
