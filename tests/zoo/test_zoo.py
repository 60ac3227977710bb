"""The network zoo: diagrams and the small from-scratch examples."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from nnbook.zoo import autoencoders as AE
from nnbook.zoo import elm, esn, rbf, residual, som
from nnbook.zoo.diagrams import NODE_KINDS, ZOO, Architecture, draw, zoo_figure


def test_the_zoo_has_27_architectures_of_known_node_kinds():
    assert len(ZOO) == 27
    for arch in ZOO.values():
        assert all(kind in NODE_KINDS for col in arch.columns for kind in col), arch.abbr
    fig = zoo_figure()
    assert sum(1 for ax in fig.axes if ax.patches) == 27
    plt.close(fig)
    with pytest.raises(ValueError, match="unknown architecture"):
        draw(plt.gca(), "XYZ")


def test_architecture_columns_from_their_compact_form():
    lstm = ZOO["LSTM"]
    assert lstm.columns == (("input",) * 3, ("memory",) * 4, ("memory",) * 4, ("output",) * 2)
    assert Architecture("X", "x", "input 2, output 1") == Architecture("X", "x", (("input", "input"), ("output",)))
    with pytest.raises(ValueError, match="unknown node kind 'hiden'"):
        Architecture("X", "x", "input 2, hiden 3")
    with pytest.raises(ValueError, match="'kind count'"):
        Architecture("X", "x", "input 2, hidden")
    with pytest.raises(ValueError, match="'kind count'"):
        Architecture("X", "x", "input 0")
    with pytest.raises(ValueError, match="unknown links 'chain'"):
        Architecture("X", "x", "input 2, output 1", links="chain")


def test_rbf_features_and_least_squares_readout():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 2))
    c = X[:5]
    phi = rbf.rbf_features(X, c, 0.7)
    assert phi.shape == (30, 6) and np.allclose(phi[:, -1], 1)
    np.testing.assert_allclose(phi[2, 2], 1.0)  # a point at its own centre
    np.testing.assert_allclose(phi[0, 1], np.exp(-np.sum((X[0] - c[1]) ** 2) / (2 * 0.49)))
    T = np.sin(X[:, :1])
    centres, W = rbf.fit_rbf(X, T, 30, 0.5)  # one centre per point: interpolation
    np.testing.assert_allclose(rbf.predict_rbf(X, centres, W, 0.5), T, atol=1e-6)
    with pytest.raises(ValueError, match="n_centres"):
        rbf.fit_rbf(X, T, 0, 0.5)


def test_ridge_readout_is_the_regularised_least_squares_solution():
    rng = np.random.default_rng(1)
    H, T = rng.standard_normal((40, 7)), rng.standard_normal((40, 3))
    B = elm.ridge_readout(H, T, ridge=0.3)
    np.testing.assert_allclose(H.T @ (H @ B - T) + 0.3 * B, 0, atol=1e-10)  # gradient of the objective is zero


def test_elm_hidden_layer_is_a_core_dense_layer():
    from nnbook.scratch.core import Layer

    layer = elm.random_hidden_layer(64, 10, np.random.default_rng(0))
    assert isinstance(layer, Layer) and layer.W.shape == (10, 64) and layer.activation == "tanh"


def test_reservoir_has_the_requested_spectral_radius_and_states_follow_the_recursion():
    rng = np.random.default_rng(2)
    W = esn.reservoir(50, 0.8, rng)
    np.testing.assert_allclose(np.max(np.abs(np.linalg.eigvals(W))), 0.8)
    W_in = rng.standard_normal(50)
    u = rng.standard_normal(4)
    H = esn.reservoir_states(u, W, W_in)
    np.testing.assert_allclose(H[2], np.tanh(W @ H[1] + W_in * u[2]))


def test_som_step_pulls_the_winner_most_and_far_prototypes_least():
    grid = np.array([(r, c) for r in range(3) for c in range(3)], dtype=float)
    P = np.zeros((9, 2))
    P[4] = [0.9, 0.9]
    before = P.copy()
    som.som_step(P, grid, np.array([1.0, 1.0]), lr=0.5, radius=1.0)
    np.testing.assert_allclose(P[4], [0.95, 0.95])
    pulls = np.linalg.norm(P - before, axis=1) / np.linalg.norm(np.array([1.0, 1.0]) - before, axis=1)
    assert pulls[4] == pytest.approx(0.5) and pulls[1] > pulls[0] and pulls[0] > 0


def test_residual_block_is_the_identity_when_its_branch_is_zero():
    block = residual.ResidualBlock(5)
    for p in block.f[-1].parameters():
        torch.nn.init.zeros_(p)
    x = torch.randn(3, 5)
    assert torch.equal(block(x), x)


def test_vae_loss_is_reconstruction_plus_kl():
    torch.manual_seed(0)
    x = torch.rand(4, 64)
    x_hat = torch.rand(4, 64).clamp(0.01, 0.99)
    mu, logvar = torch.randn(4, 3), torch.randn(4, 3)
    recon = -(x * x_hat.log() + (1 - x) * (1 - x_hat).log()).sum()
    var = logvar.exp()
    kl = 0.5 * (var + mu**2 - 1 - logvar).sum()  # KL(N(mu, var) || N(0, 1)), summed
    torch.testing.assert_close(AE.vae_loss(x, x_hat, mu, logvar), (recon + kl) / 4)


def test_autoencoder_kind_is_checked():
    with pytest.raises(ValueError, match="kind"):
        AE.train_autoencoder("gan")
