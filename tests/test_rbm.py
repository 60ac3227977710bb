import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from nnbook.scratch import rbm as R


def random_rbm(n_visible: int, n_hidden: int, seed: int, scale: float = 1.0) -> R.RBM:
    rng = np.random.default_rng(seed)
    return R.RBM(scale * rng.normal(size=(n_hidden, n_visible)), rng.normal(size=n_visible), rng.normal(size=n_hidden))


TINY_DATA = np.repeat(
    np.array([[1, 1, 1, 0, 0, 0], [0, 0, 0, 1, 1, 1], [1, 1, 0, 0, 0, 0], [1, 0, 1, 0, 1, 0]], float),
    [6, 6, 3, 2],
    axis=0,
)


@settings(deadline=None, max_examples=30)
@given(st.integers(1, 6), st.integers(1, 5), st.integers(0, 10_000), st.floats(0.1, 3.0))
def test_free_energy_equals_brute_force_marginal(n_visible, n_hidden, seed, scale):
    rbm = random_rbm(n_visible, n_hidden, seed, scale)
    V = R.binary_states(n_visible)
    np.testing.assert_allclose(-rbm.free_energy(V), R.log_marginal_brute_force(rbm, V), rtol=1e-12, atol=1e-12)


@settings(deadline=None, max_examples=20)
@given(st.integers(1, 5), st.integers(1, 5), st.integers(0, 10_000))
def test_exact_probabilities_sum_to_one_and_match_joint_enumeration(n_visible, n_hidden, seed):
    rbm = random_rbm(n_visible, n_hidden, seed)
    V, H = R.binary_states(n_visible), R.binary_states(n_hidden)
    log_z = R.log_partition(rbm)
    p_v = np.exp(-rbm.free_energy(V) - log_z)
    np.testing.assert_allclose(p_v.sum(), 1.0, rtol=1e-12)
    joint = np.array([[np.exp(-rbm.energy(v, h)[0]) for h in H] for v in V])  # Z over all (v, h) pairs
    np.testing.assert_allclose(np.log(joint.sum()), log_z, rtol=1e-12)


@settings(deadline=None, max_examples=20)
@given(st.integers(1, 5), st.integers(1, 5), st.integers(0, 10_000))
def test_conditionals_are_the_enumerated_conditionals(n_visible, n_hidden, seed):
    rbm = random_rbm(n_visible, n_hidden, seed)
    V, H = R.binary_states(n_visible), R.binary_states(n_hidden)
    v = V[seed % len(V)]
    weights = np.exp(-rbm.energy(np.repeat(v[None], len(H), 0), H))
    p_h = weights / weights.sum()  # p(h | v) over all hidden vectors
    np.testing.assert_allclose(rbm.hidden_probs(v)[0], p_h @ H, rtol=1e-10)
    h = H[seed % len(H)]
    weights = np.exp(-rbm.energy(V, np.repeat(h[None], len(V), 0)))
    np.testing.assert_allclose(rbm.visible_probs(h)[0], weights / weights.sum() @ V, rtol=1e-10)


@settings(deadline=None, max_examples=20)
@given(st.integers(2, 6), st.integers(1, 5), st.integers(0, 10_000))
def test_cd_gradient_with_exact_model_samples_is_the_likelihood_gradient(n_visible, n_hidden, seed):
    """With the model expectation computed exactly (weights p(v) over every v), the CD formula is the
    exact gradient of the negative log-likelihood; PyTorch differentiates the enumerated likelihood."""
    rbm = random_rbm(n_visible, n_hidden, seed, 0.5)
    rng = np.random.default_rng(seed)
    X = (rng.random((7, n_visible)) < 0.5).astype(float)
    V = R.binary_states(n_visible)
    p_v = np.exp(-rbm.free_energy(V) - R.log_partition(rbm))
    ph_data, ph_model = rbm.hidden_probs(X), rbm.hidden_probs(V)
    exact = {
        "W": (ph_model * p_v[:, None]).T @ V - ph_data.T @ X / len(X),
        "b": p_v @ V - X.mean(0),
        "c": p_v @ ph_model - ph_data.mean(0),
    }
    t = {k: torch.tensor(v, requires_grad=True) for k, v in rbm.params.items()}

    def F(v):
        v = torch.tensor(v)
        return -v @ t["b"] - torch.nn.functional.softplus(v @ t["W"].T + t["c"]).sum(1)

    nll = F(X).mean() + torch.logsumexp(-F(V), 0)
    nll.backward()
    for k in exact:
        np.testing.assert_allclose(exact[k], t[k].grad.numpy(), rtol=1e-9, atol=1e-12)
    # cd_gradients with many exact samples from p(v) as its model samples estimates the same gradient
    samples = V[rng.choice(len(V), size=200_000, p=p_v / p_v.sum())]
    g = R.cd_gradients(rbm, X, samples)
    for k in exact:
        np.testing.assert_allclose(g[k], exact[k], atol=0.02)


def test_free_energy_matches_torch():
    rbm = random_rbm(9, 4, 3)
    v = (np.random.default_rng(0).random((5, 9)) < 0.5).astype(float)
    W, b, c = (torch.tensor(a) for a in (rbm.W, rbm.b, rbm.c))
    vt = torch.tensor(v)
    expected = -vt @ b - torch.nn.functional.softplus(vt @ W.T + c).sum(1)
    np.testing.assert_allclose(rbm.free_energy(v), expected.numpy(), rtol=1e-12)
    np.testing.assert_allclose(rbm.hidden_probs(v), torch.sigmoid(vt @ W.T + c).numpy(), rtol=1e-12)


@pytest.mark.parametrize("method,k", [("cd", 1), ("cd", 10), ("pcd", 1)])
def test_training_increases_exact_log_likelihood(method, k):
    rng = np.random.default_rng(0)
    rbm = R.RBM.create(6, 4, rng, std=0.1)
    hist = R.train_rbm(
        rbm,
        TINY_DATA,
        epochs=150,
        lr=0.1,
        rng=rng,
        method=method,
        k=k,
        batch_size=17,
        monitor=lambda r: {"log_likelihood": R.exact_log_likelihood(r, TINY_DATA)},
    )
    ll = hist["log_likelihood"]
    assert len(ll) == 151
    assert ll[-1] > ll[0] + 1.0  # a large, not a lucky, improvement (about -4.2 -> -2)
    # the best possible mean log-likelihood is minus the entropy of the data's empirical distribution
    _, counts = np.unique(TINY_DATA, axis=0, return_counts=True)
    p = counts / counts.sum()
    assert ll.max() <= float(p @ np.log(p)) + 1e-9


def test_sampling_with_exact_model_probabilities():
    """Long Gibbs chains reproduce the exact marginal p(v) of a tiny RBM."""
    rbm = random_rbm(3, 2, 1)
    rng = np.random.default_rng(0)
    v = np.zeros((4000, 3))
    for _ in range(30):
        v, _ = R.gibbs_step(rbm, v, rng)
    V = R.binary_states(3)
    p = np.exp(-rbm.free_energy(V) - R.log_partition(rbm))
    freq = np.array([np.mean(np.all(v == s, axis=1)) for s in V])
    np.testing.assert_allclose(freq, p, atol=0.03)


def test_binary_states_order_and_errors():
    np.testing.assert_array_equal(R.binary_states(2), [[0, 0], [0, 1], [1, 0], [1, 1]])
    with pytest.raises(ValueError, match="integer in"):
        R.binary_states(21)
    with pytest.raises(ValueError, match="too many"):
        R.log_partition(random_rbm(21, 1, 0))


def test_bad_inputs_are_explained():
    rbm = random_rbm(4, 3, 0)
    with pytest.raises(ValueError, match=r"\(batch, 4\)"):
        rbm.hidden_probs(np.zeros((2, 5)))
    with pytest.raises(ValueError, match="'cd'"):
        R.train_rbm(rbm, np.zeros((3, 4)), epochs=1, lr=0.1, rng=np.random.default_rng(0), method="gibbs")
    for bad, match in [
        (dict(lr=0.0), "lr must be a positive"),
        (dict(k=0), "k must be a positive integer"),
        (dict(batch_size=2.5), "batch_size"),
        (dict(epochs=-1), "epochs must be a non-negative"),
    ]:
        with pytest.raises(ValueError, match=match):
            R.train_rbm(rbm, np.zeros((3, 4)), rng=np.random.default_rng(0), **{"epochs": 1, "lr": 0.1, **bad})
    np.testing.assert_array_equal(rbm.hidden_probs(np.zeros(4)), rbm.hidden_probs(np.zeros((1, 4))))  # one row
    with pytest.raises(ValueError, match="shape"):
        R.RBM(np.zeros((3, 4)), np.zeros(3), np.zeros(3))


def test_pcd_chains_persist_and_cd_restarts_at_data():
    rbm = random_rbm(6, 4, 0, 0.1)
    rng = np.random.default_rng(0)
    chains = np.ones((5, 6))
    out = R.pcd_step(rbm, TINY_DATA[:5], chains, 0.0, rng, k=1)  # lr 0: the parameters stay put
    assert out.shape == (5, 6) and not np.shares_memory(out, chains)
    W = rbm.W.copy()
    R.cd_step(rbm, TINY_DATA[:5], 0.0, rng, k=3)
    np.testing.assert_array_equal(rbm.W, W)
