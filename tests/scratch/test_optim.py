"""nnbook.scratch.optim: SGD, momentum, Nesterov momentum and Adam step for step like PyTorch (float64)."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from nnbook.scratch.optim import SGD, Adam, adam_update, momentum_update


def quadratic_grad(theta: np.ndarray) -> np.ndarray:
    """The gradient of a fixed, badly conditioned quadratic bowl plus a wiggle (not linear in theta)."""
    A = np.diag([1.0, 10.0, 0.1])
    return A @ theta - np.array([1.0, -2.0, 0.5]) + 0.3 * np.sin(3 * theta)


def run_both(ours, make_torch, steps=12, rtol=1e-12, atol=1e-13):
    theta0 = np.array([0.5, -1.0, 2.0])
    params = {"w": theta0.copy()}
    t = torch.tensor(theta0, dtype=torch.float64, requires_grad=True)
    opt = make_torch([t])
    for _ in range(steps):
        ours.step(params, {"w": quadratic_grad(params["w"])})
        opt.zero_grad()
        t.grad = torch.from_numpy(quadratic_grad(t.detach().numpy().copy()))
        opt.step()
        np.testing.assert_allclose(params["w"], t.detach().numpy(), rtol=rtol, atol=atol)
    return params["w"]


@given(lr=st.floats(1e-3, 0.5), mu=st.floats(0.0, 0.99), nesterov=st.booleans(), wd=st.sampled_from([0.0, 1e-3, 0.1]))
def test_sgd_momentum_and_nesterov_match_torch(lr, mu, nesterov, wd):
    if nesterov and mu == 0:
        mu = 0.5
    run_both(
        SGD(lr, momentum=mu, nesterov=nesterov, weight_decay=wd),
        lambda p: torch.optim.SGD(p, lr=lr, momentum=mu, nesterov=nesterov, weight_decay=wd),
    )


@given(lr=st.floats(1e-4, 0.3), b1=st.floats(0.0, 0.99), b2=st.floats(0.5, 0.9999), eps=st.sampled_from([1e-8, 1e-3]))
def test_adam_matches_torch(lr, b1, b2, eps):
    # PyTorch divides sqrt(s) and sqrt(1 - beta2^t) separately: equal in exact arithmetic, and
    # m / (sqrt(s) + eps) amplifies the rounding where the gradient is near 0, hence 1e-10
    run_both(
        Adam(lr, b1, b2, eps), lambda p: torch.optim.Adam(p, lr=lr, betas=(b1, b2), eps=eps), rtol=1e-10, atol=1e-12
    )


def test_the_cores_by_hand():
    theta, g, v = np.array([1.0]), np.array([3.0]), np.zeros(1)
    theta1, v1 = momentum_update(theta, g, v, lr=0.1, mu=0.9)
    assert theta1 == pytest.approx(1 - 0.1 * 3) and v1 == pytest.approx(3)
    theta2, v2 = momentum_update(theta1, g, v1, lr=0.1, mu=0.9)
    assert theta2 == pytest.approx(theta1 - 0.1 * (0.9 * 3 + 3))
    nest, _ = momentum_update(theta1, g, v1, lr=0.1, mu=0.9, nesterov=True)
    assert nest == pytest.approx(theta1 - 0.1 * (3 + 0.9 * (0.9 * 3 + 3)))  # the step looks ahead
    plain, _ = momentum_update(theta, g, v, lr=0.1)  # mu = 0 is plain SGD
    assert plain == pytest.approx(theta - 0.3)
    # Adam's first step has length lr in every coordinate, whatever the scale of the gradient
    step, _, _ = adam_update(np.zeros(3), np.array([1e-4, 1.0, -1e4]), np.zeros(3), np.zeros(3), t=1, lr=0.01)
    np.testing.assert_allclose(step, [-0.01, -0.01, 0.01], rtol=1e-3)


def test_nesterov_differs_from_momentum():
    assert not np.allclose(
        run_both(SGD(0.1, 0.9), lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9)),
        run_both(SGD(0.1, 0.9, nesterov=True), lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True)),
    )


@pytest.mark.parametrize(
    "make, msg",
    [
        (lambda: SGD(0), "lr must be"),
        (lambda: SGD(0.1, momentum=1.0), "momentum must be"),
        (lambda: SGD(0.1, nesterov=True), "needs a momentum"),
        (lambda: SGD(0.1, weight_decay=-1), "weight_decay"),
        (lambda: Adam(beta1=1.0), "beta1"),
        (lambda: Adam(eps=0), "eps"),
    ],
)
def test_bad_settings_raise(make, msg):
    with pytest.raises(ValueError, match=msg):
        make()


def test_cosine_lr_is_torchs_cosine_annealing():
    import torch

    from nnbook.scratch.optim import cosine_lr

    epochs, lr = 7, 0.3
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs)
    for epoch in range(epochs):
        assert cosine_lr(lr, epoch, epochs) == pytest.approx(opt.param_groups[0]["lr"], rel=1e-12)
        opt.step()
        sched.step()
    assert cosine_lr(lr, 0, epochs) == lr
    with pytest.raises(ValueError, match="epoch must be an integer in \\[0, 6\\]"):
        cosine_lr(lr, epochs, epochs)
