"""nnbook.scratch.losses against PyTorch (float64), central differences and the identities of chapter 4."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from numerics import strict

from nnbook.scratch import losses as L

vec = arrays(np.float64, st.integers(1, 12), elements=st.floats(-100, 100))
deltas = st.floats(0.05, 20.0)
wide_logits = arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(2, 6)), elements=st.floats(-1e3, 1e3))


def probs(k_min=2, k_max=6, zeros=True):
    """Probability vectors, possibly with exact zeros."""
    el = st.floats(0, 1) if zeros else st.floats(1e-3, 1)
    return (
        arrays(np.float64, st.integers(k_min, k_max), elements=el)
        .filter(lambda a: a.sum() > 1e-3)
        .map(lambda a: a / a.sum())
    )


def torch_loss_and_grad(fn, y_pred, y):
    t = torch.tensor(y_pred, requires_grad=True)
    out = fn(t, torch.tensor(y))
    out.backward()
    return out.item(), t.grad.numpy()


@given(vec, st.data())
def test_regression_losses_match_torch(y_pred, data):
    y = data.draw(arrays(np.float64, y_pred.shape, elements=st.floats(-100, 100)))
    delta = data.draw(deltas)
    for ours, grad, ref in [
        (L.mae, L.mae_grad, F.l1_loss),
        (L.mse, L.mse_grad, F.mse_loss),
        (
            lambda a, b: L.huber(a, b, delta),
            lambda a, b: L.huber_grad(a, b, delta),
            lambda a, b: F.huber_loss(a, b, delta=delta),
        ),
    ]:
        tv, tg = torch_loss_and_grad(ref, y_pred, y)
        np.testing.assert_allclose(ours(y_pred, y), tv, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(grad(y_pred, y), tg, rtol=1e-12, atol=1e-15)


@settings(max_examples=50)
@given(arrays(np.float64, 6, elements=st.floats(-10, 10)), arrays(np.float64, 6, elements=st.floats(-10, 10)), deltas)
def test_regression_gradients_match_central_differences(y_pred, y, delta):
    r = y_pred - y
    y_pred = np.where(np.abs(np.abs(r) - delta) < 1e-3, y_pred + 3e-3, y_pred)  # away from Huber's joints
    y_pred = np.where(np.abs(y_pred - y) < 1e-3, y_pred + 3e-3, y_pred)  # and MAE's kink
    h = 1e-6
    for f, g in [
        (L.mae, L.mae_grad),
        (L.mse, L.mse_grad),
        (lambda a, b: L.huber(a, b, delta), lambda a, b: L.huber_grad(a, b, delta)),
    ]:
        num = np.array([(f(y_pred + h * e, y) - f(y_pred - h * e, y)) / (2 * h) for e in np.eye(6)])
        np.testing.assert_allclose(g(y_pred, y), num, rtol=1e-5, atol=1e-7)


def test_huber_is_quadratic_inside_and_linear_outside():
    assert L.huber([0.5], [0.0], delta=1.0) == pytest.approx(0.125)
    assert L.huber([3.0], [0.0], delta=1.0) == pytest.approx(2.5)
    assert L.huber([3.0], [0.0], delta=10.0) == pytest.approx(0.5 * L.mse([3.0], [0.0]))


def test_least_squares_closed_form_equals_gradient_descent_and_numpy():
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, 40)
    y = 1.5 * x - 0.3 + 0.1 * rng.normal(size=40)
    w, b = L.least_squares(x, y)
    np.testing.assert_allclose([w, b], np.polyfit(x, y, 1), rtol=1e-12)
    wg, bg, hist = L.fit_line(x, y, "mse", lr=0.3, steps=3000)
    np.testing.assert_allclose([wg, bg], [w, b], atol=1e-10)
    assert (
        np.all(np.diff(hist["loss"]) <= 1e-15) and len(hist) == 3000
    )  # a small enough step never increases a convex quadratic


def test_mae_fit_reaches_the_median_line_with_decay():
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 1, 30)
    y = 2 * x + 1 + 0.05 * rng.normal(size=30)
    w, b, _ = L.fit_line(x, y, "mae", lr=0.1, steps=4000, decay=True)
    assert L.mae(w * x + b, y) <= L.mae(2 * x + 1, y) + 1e-3


# --- information theory -----------------------------------------------------------------------


def test_entropy_worked_examples():
    np.testing.assert_allclose(L.binary_entropy(0.5), 1.0)
    np.testing.assert_allclose(L.binary_entropy(0.1), -(0.1 * np.log2(0.1) + 0.9 * np.log2(0.9)))
    np.testing.assert_allclose(L.binary_entropy(0.1, base=np.e), L.binary_entropy(0.1) * np.log(2))
    assert L.binary_entropy(0.0) == 0.0 and L.binary_entropy(1.0) == 0.0
    np.testing.assert_allclose(L.entropy(np.full(8, 1 / 8)), 3.0)
    np.testing.assert_allclose(L.information_content(0.25), 2.0)
    assert L.information_content(0.0) == np.inf


@given(probs(), st.data())
def test_identity_and_kl_properties(p, data):
    q = data.draw(probs(len(p), len(p), zeros=False))
    H, CE, KL = L.entropy(p), L.cross_entropy(p, q), L.kl_divergence(p, q)
    np.testing.assert_allclose(CE, H + KL, rtol=1e-10, atol=1e-12)
    assert KL >= -1e-15
    assert L.kl_divergence(p, p) == 0
    np.testing.assert_allclose(
        KL,
        F.kl_div(torch.tensor(np.log(q)), torch.tensor(p), reduction="sum").item() / np.log(2),
        rtol=1e-10,
        atol=1e-12,
    )


def test_kl_is_asymmetric_and_infinite_when_support_is_missed():
    p, q = np.array([0.5, 0.5]), np.array([0.9, 0.1])
    assert abs(L.kl_divergence(p, q) - L.kl_divergence(q, p)) > 0.1
    assert L.kl_divergence(np.array([0.5, 0.5]), np.array([1.0, 0.0])) == np.inf
    assert L.cross_entropy(np.array([0.5, 0.5]), np.array([1.0, 0.0])) == np.inf
    assert np.isfinite(L.kl_divergence(np.array([1.0, 0.0]), np.array([0.5, 0.5])))


def test_batched_information_quantities():
    P = np.array([[0.5, 0.5], [0.1, 0.9]])
    np.testing.assert_allclose(L.entropy(P), [L.binary_entropy(0.5), L.binary_entropy(0.1)])
    assert L.cross_entropy(P, P).shape == (2,)


# --- classification losses --------------------------------------------------------------------


@given(arrays(np.float64, st.integers(1, 20), elements=st.floats(-1e3, 1e3)), st.data())
def test_bce_with_logits_matches_torch_without_warnings(z, data):
    y = data.draw(arrays(np.float64, z.shape, elements=st.sampled_from([0.0, 1.0]) | st.floats(0, 1)))
    with strict():
        ours, grad = L.bce_with_logits(z, y), L.bce_with_logits_grad(z, y)
    tv, tg = torch_loss_and_grad(F.binary_cross_entropy_with_logits, z, y)
    np.testing.assert_allclose(ours, tv, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(grad, tg, rtol=1e-12, atol=1e-15)


@given(arrays(np.float64, st.integers(1, 20), elements=st.floats(1e-6, 1 - 1e-6)), st.data())
def test_bce_on_probabilities_matches_torch_and_logits_form(p, data):
    y = data.draw(arrays(np.float64, p.shape, elements=st.sampled_from([0.0, 1.0])))
    np.testing.assert_allclose(
        L.binary_cross_entropy(p, y), F.binary_cross_entropy(torch.tensor(p), torch.tensor(y)).item(), rtol=1e-9
    )
    np.testing.assert_allclose(L.binary_cross_entropy(p, y), L.bce_with_logits(np.log(p) - np.log1p(-p), y), rtol=1e-8)


def test_log_of_zero_problem():
    assert L.binary_cross_entropy([1.0], [0.0]) == np.inf  # a certain, wrong prediction
    assert L.binary_cross_entropy([1.0], [1.0]) == 0.0
    z = np.array([40.0])  # sigmoid(40) rounds to 1.0 in float64 ...
    assert 1.0 / (1.0 + np.exp(-z[0])) == 1.0
    np.testing.assert_allclose(L.bce_with_logits(z, [0.0]), 40.0, rtol=1e-12)  # ... the logit form is exact


@given(wide_logits)
def test_logsumexp_and_log_softmax_match_torch(z):
    with strict():
        lse, ls = L.logsumexp(z), L.log_softmax(z)
    np.testing.assert_allclose(lse, torch.logsumexp(torch.tensor(z), dim=-1).numpy(), rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(ls, torch.log_softmax(torch.tensor(z), dim=-1).numpy(), rtol=1e-12, atol=1e-10)
    np.testing.assert_allclose(
        L.logsumexp(z, axis=0), torch.logsumexp(torch.tensor(z), dim=0).numpy(), rtol=1e-13, atol=1e-13
    )


@settings(deadline=None)  # slow on a loaded machine; the profile in conftest will cover it
@given(wide_logits, st.data())
def test_softmax_cross_entropy_and_gradient_match_torch(z, data):
    n, K = z.shape
    labels = data.draw(arrays(np.int64, n, elements=st.integers(0, K - 1)))
    soft = data.draw(arrays(np.float64, (n, K), elements=st.floats(0.01, 1))).copy()
    soft /= soft.sum(axis=1, keepdims=True)
    for y, ty in [(labels, torch.tensor(labels)), (soft, torch.tensor(soft))]:
        with strict():
            ours, grad = L.softmax_cross_entropy(z, y), L.softmax_cross_entropy_grad(z, y)
        t = torch.tensor(z, requires_grad=True)
        out = F.cross_entropy(t, ty)
        out.backward()
        np.testing.assert_allclose(ours, out.item(), rtol=1e-12, atol=1e-10)
        np.testing.assert_allclose(grad, t.grad.numpy(), rtol=1e-10, atol=1e-14)


# --- bad input ----------------------------------------------------------------------------------


def test_bad_inputs_raise_helpful_errors():
    with pytest.raises(ValueError, match="same shape"):
        L.mse([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="at least one example"):
        L.mae([], [])
    with pytest.raises(ValueError, match="delta must be a finite number > 0"):
        L.huber([1.0], [0.0], delta=0)
    with pytest.raises(ValueError, match="must sum to 1"):
        L.entropy([0.5, 0.6])
    with pytest.raises(ValueError, match="probabilities >= 0"):
        L.entropy([1.5, -0.5])
    with pytest.raises(ValueError, match="base must be a finite number > 1"):
        L.entropy([0.5, 0.5], base=1)
    with pytest.raises(ValueError, match="p must be a probability in"):
        L.information_content(1.5)
    with pytest.raises(ValueError, match="p and q must have the same shape"):
        L.kl_divergence([0.5, 0.5], [1 / 3] * 3)
    with pytest.raises(ValueError, match="p_hat must be"):
        L.binary_cross_entropy([1.2], [1.0])
    with pytest.raises(ValueError, match="targets in"):
        L.bce_with_logits([0.0], [2.0])
    with pytest.raises(ValueError, match=r"integers in \[0, 2\]"):
        L.softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 3]))
    with pytest.raises(ValueError, match=r"shape \(n, K\)"):
        L.softmax_cross_entropy(np.zeros(3), np.array([0]))
    with pytest.raises(ValueError, match="unknown loss 'l2'"):
        L.fit_line([0.0, 1.0], [0.0, 1.0], "l2")
    with pytest.raises(ValueError, match="1-D arrays of the same length"):
        L.least_squares([0.0, 1.0], [0.0])
    with pytest.raises(TypeError, match="real number"):
        L.mse(["a"], ["b"])
