"""GANs: the networks' shapes, the training step against a hand-written reference, the weight
average, and the chapter's theory functions (optimal discriminator, JSD, generator gradients)."""

import copy

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure

from nnbook.demos import gan as D
from nnbook.models import gan as M


# --- networks ----------------------------------------------------------------------------------
def test_digit_networks_have_the_right_shapes_and_ranges():
    torch.manual_seed(0)
    z, y = torch.randn(5, 32), torch.arange(5)
    for G, Dn, args in [
        (M.DigitGenerator(width=8), M.DigitDiscriminator(width=8), ()),
        (M.ConditionalGenerator(width=8), M.ProjectionDiscriminator(width=8), (y,)),
    ]:
        x = G(z, *args)
        assert x.shape == (5, 1, 8, 8) and x.abs().max() <= 1
        assert Dn(x, *args).shape == (5,)


def test_projection_discriminator_adds_the_class_inner_product():
    torch.manual_seed(0)
    Dn = M.ProjectionDiscriminator(width=4)
    x, y = torch.randn(6, 1, 8, 8), torch.tensor([0, 1, 2, 3, 4, 9])
    h = Dn.features(x)
    expected = Dn.out(h)[:, 0] + (Dn.embed.weight[y] * h).sum(1)
    torch.testing.assert_close(Dn(x, y), expected)
    with torch.no_grad():
        Dn.embed.weight.zero_()
    torch.testing.assert_close(Dn(x, y), Dn.out(h)[:, 0])  # no class vector: an unconditional logit


def test_packed_discriminator_judges_packs():
    torch.manual_seed(0)
    Dp = M.PackedDiscriminator(pack=2, hidden=8)
    x = torch.randn(6, 2)
    out = Dp(x)
    assert out.shape == (6,) and torch.equal(out[0::2], out[1::2])
    torch.testing.assert_close(out[0], Dp.net(x[:2].reshape(1, 4))[0, 0])
    with pytest.raises(ValueError, match="multiple of pack=2"):
        Dp(torch.randn(5, 2))
    with pytest.raises(ValueError, match="pack"):
        M.PackedDiscriminator(pack=0)


# --- the training step --------------------------------------------------------------------------
def _toy_pair(seed=0):
    torch.manual_seed(seed)
    return M.ToyGenerator(z_dim=3, hidden=5).double(), M.ToyDiscriminator(hidden=6).double()


@pytest.mark.parametrize("real_target", [1.0, 0.9])
def test_gan_step_matches_a_hand_written_reference(real_target):
    G, Dn = _toy_pair()
    G_ref, D_ref = copy.deepcopy(G), copy.deepcopy(Dn)
    real, z, lr = torch.randn(7, 2, dtype=torch.float64), torch.randn(7, 3, dtype=torch.float64), 0.1
    loss_d, loss_g = M.gan_step(
        G,
        Dn,
        torch.optim.SGD(G.parameters(), lr),
        torch.optim.SGD(Dn.parameters(), lr),
        real,
        z,
        real_target=real_target,
    )

    # discriminator: gradient ascent on t log D(real) + (1 - t) log(1 - D(real)) + log(1 - D(G(z)))
    s = torch.sigmoid
    fake = G_ref(z).detach()
    ld = (
        -(real_target * torch.log(s(D_ref(real))) + (1 - real_target) * torch.log(1 - s(D_ref(real)))).mean()
        - torch.log(1 - s(D_ref(fake))).mean()
    )
    grads = torch.autograd.grad(ld, list(D_ref.parameters()))
    with torch.no_grad():
        for p, g in zip(D_ref.parameters(), grads):
            p -= lr * g
    # generator: the non-saturating loss -log D(G(z)), judged by the updated discriminator
    lg = -torch.log(s(D_ref(G_ref(z)))).mean()
    grads = torch.autograd.grad(lg, list(G_ref.parameters()))
    with torch.no_grad():
        for p, g in zip(G_ref.parameters(), grads):
            p -= lr * g

    assert loss_d == pytest.approx(ld.item(), rel=1e-12) and loss_g == pytest.approx(lg.item(), rel=1e-12)
    for a, b in zip(list(G.parameters()) + list(Dn.parameters()), list(G_ref.parameters()) + list(D_ref.parameters())):
        torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-12)


def test_train_gan_records_history_and_validates():
    G, Dn = M.ToyGenerator(z_dim=4, hidden=8), M.ToyDiscriminator(hidden=8)
    seen = []
    h = M.train_gan(
        G, Dn, lambda gen: (D.sample_ring(16, gen),), steps=12, batch_size=16, record_every=5, callback=seen.append
    )
    assert list(h["step"]) == [0, 5, 10, 11] and len(h["loss_d"]) == 4 and seen == list(range(12))
    with pytest.raises(ValueError, match="real_target"):
        M.train_gan(G, Dn, lambda gen: (D.sample_ring(16, gen),), steps=1, real_target=0.0)
    with pytest.raises(ValueError, match="steps"):
        M.train_gan(G, Dn, lambda gen: (D.sample_ring(16, gen),), steps=0)


def test_train_gan_is_reproducible():
    runs = []
    for _ in range(2):
        torch.manual_seed(0)
        G, Dn = M.ToyGenerator(z_dim=4, hidden=8), M.ToyDiscriminator(hidden=8)
        runs.append(
            M.train_gan(G, Dn, lambda gen: (D.sample_ring(16, gen),), steps=20, batch_size=16, seed=3)["loss_g"]
        )
    np.testing.assert_array_equal(*runs)


def test_weight_average():
    net = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.BatchNorm1d(2))
    avg = M.WeightAverage(net, decay=0.75)
    start = [p.detach().clone() for p in net.parameters()]
    with torch.no_grad():
        for p in net.parameters():
            p += 4.0
    net.train()(torch.randn(8, 2))  # changes the batch-norm running statistics
    avg.update()
    for a, s in zip(avg.model.parameters(), start):
        torch.testing.assert_close(a, s + 1.0)  # 0.75 * s + 0.25 * (s + 4)
    torch.testing.assert_close(avg.model[1].running_mean, net[1].running_mean)
    with pytest.raises(ValueError, match="decay"):
        M.WeightAverage(net, decay=1.0)


def test_pixels_round_trip_and_sampling():
    x = np.random.default_rng(0).random((4, 64))
    t = M.from_pixels(x)
    assert t.shape == (4, 1, 8, 8) and t.min() >= -1 and t.max() <= 1
    np.testing.assert_allclose(M.to_pixels(t), x.reshape(4, 8, 8), atol=1e-6)
    with pytest.raises(ValueError, match=r"\(n, 8, 8\)"):
        M.from_pixels(np.zeros((2, 10)))
    G = M.ConditionalGenerator(width=8)
    a, b = M.sample_digits(G, 5, 3, seed=1), M.sample_digits(G, 5, 3, seed=1)
    assert a.shape == (5, 8, 8) and np.array_equal(a, b) and 0 <= a.min() and a.max() <= 1
    with pytest.raises(ValueError, match="digit must be in 0..9"):
        M.sample_digits(G, 2, 10)


# --- theory ---------------------------------------------------------------------------------------
X = np.linspace(-20, 20, 8001)


@settings(deadline=None, max_examples=25)
@given(st.floats(-2, 2), st.floats(0.3, 2), st.floats(-2, 2), st.floats(0.3, 2), st.floats(-0.2, 0.2))
def test_optimal_discriminator_maximises_v_and_gives_jsd(m1, s1, m2, s2, eps):
    p, q = D.normal_pdf(X, m1, s1), D.normal_pdf(X, m2, s2)
    d_star = D.optimal_discriminator(p, q)
    v_star = D.value_function(d_star, p, q, X)
    assert D.value_function(np.clip(d_star + eps, 1e-9, 1 - 1e-9), p, q, X) <= v_star + 1e-12
    jsd = D.jensen_shannon(p, q, X)
    assert v_star == pytest.approx(-np.log(4) + 2 * jsd, abs=1e-6)
    assert -1e-9 <= jsd <= np.log(2) and jsd == pytest.approx(D.jensen_shannon(q, p, X), abs=1e-12)


def test_optimal_discriminator_edge_cases():
    np.testing.assert_allclose(
        D.optimal_discriminator([1.0, 0.0, 0.0, 2.0], [0.0, 1.0, 0.0, 2.0]), [1.0, 0.0, 0.5, 0.5]
    )
    with pytest.raises(ValueError, match="non-negative"):
        D.optimal_discriminator([-1.0], [1.0])
    p = D.normal_pdf(X, 0, 1)
    assert D.jensen_shannon(p, p, X) == pytest.approx(0.0, abs=1e-12)
    assert D.jensen_shannon(D.normal_pdf(X, -5, 0.3), D.normal_pdf(X, 5, 0.3), X) == pytest.approx(np.log(2), abs=1e-6)


@settings(deadline=None, max_examples=50)
@given(st.floats(-15, 15))
def test_generator_gradients_match_torch(a):
    t = torch.tensor(a, dtype=torch.float64, requires_grad=True)
    (g_minimax,) = torch.autograd.grad(torch.nn.functional.logsigmoid(-t), t)  # log(1 - sigmoid(a))
    (g_nonsat,) = torch.autograd.grad(-torch.nn.functional.logsigmoid(t), t)  # -log sigmoid(a)
    d = torch.sigmoid(t).item()
    minimax, nonsat = D.generator_gradients(np.array([d]))
    assert minimax[0] == pytest.approx(abs(g_minimax.item()), rel=1e-9, abs=1e-15)
    assert nonsat[0] == pytest.approx(abs(g_nonsat.item()), rel=1e-9, abs=1e-15)


def test_trained_1d_discriminator_approaches_the_optimum():
    D1 = D.train_1d_discriminator(steps=800, seed=1)
    x = np.linspace(-2, 3, 51)
    gap = np.abs(
        D.discriminator_output(D1, x) - D.optimal_discriminator(D.normal_pdf(x, 0, 1), D.normal_pdf(x, 2, 0.5))
    )
    assert gap.max() < 0.08


# --- toy and digit demos ----------------------------------------------------------------------------
def test_ring_data_and_snapshots():
    c = D.ring_centres(8, 2.0)
    np.testing.assert_allclose(np.linalg.norm(c, axis=1), 2.0)
    pts = D.sample_ring(500, torch.Generator().manual_seed(0)).numpy()
    assert np.abs(np.linalg.norm(pts, axis=1) - 2).max() < 0.5
    run = D.train_toy_gan(steps=30, snapshot_at=[1, 30], seed=0)
    assert sorted(run.snapshots) == [1, 30] and len(run.history) == 30
    surf = run.snapshots[30]["surface"]
    assert surf.shape == (len(D.GRID), len(D.GRID)) and 0 <= surf.min() and surf.max() <= 1
    assert isinstance(D.dynamics_figure(run, title="t"), Figure)
    packed = D.train_toy_gan(steps=5, pack=2, seed=0)
    assert D.discriminator_surface(packed.D).shape == (len(D.GRID), len(D.GRID))


def test_latent_path_runs_from_a_to_b():
    torch.manual_seed(0)
    G = M.ConditionalGenerator(width=8).eval()
    path = D.latent_path(G, 4, 0, 1, n=5)
    za = torch.randn(1, G.z_dim, generator=torch.Generator().manual_seed(0))
    zb = torch.randn(1, G.z_dim, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        ends = M.to_pixels(G(torch.cat([za, zb]), torch.tensor([4, 4])))
    np.testing.assert_allclose(path[[0, -1]], ends, atol=1e-6)
    assert isinstance(D.interpolation_figure(G, 4, 0, 1, n=4), Figure)
    with pytest.raises(ValueError, match="at least 2"):
        D.latent_path(G, 4, 0, 1, n=1)
    with pytest.raises(ValueError, match="digit"):
        D.latent_path(G, 11, 0, 1)
