import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nnbook.scratch import regression as R
from nnbook.scratch.gradcheck import numerical_grad

finite = st.floats(-3, 3, allow_nan=False)


def _torch_losses(theta, X, y):
    t = torch.tensor(theta, requires_grad=True)
    z = torch.tensor(X) @ t[:-1] + t[-1]
    mse = torch.mean((z - torch.tensor(y)) ** 2)
    return t, z, mse


@settings(max_examples=40, deadline=None)
@given(
    arrays(np.float64, 4, elements=finite),
    arrays(np.float64, (6, 3), elements=finite),
    arrays(np.float64, 6, elements=finite),
)
def test_mse_matches_torch(theta, X, y):
    t, _, mse = _torch_losses(theta, X, y)
    mse.backward()
    loss, g = R.mse_loss_grad(theta, X, y)
    assert loss == pytest.approx(mse.item(), rel=1e-12, abs=1e-12)
    np.testing.assert_allclose(g, t.grad.numpy(), rtol=1e-10, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(
    arrays(np.float64, 4, elements=st.floats(-20, 20)),
    arrays(np.float64, (6, 3), elements=finite),
    arrays(np.int64, 6, elements=st.integers(0, 1)),
)
def test_logistic_matches_torch(theta, X, y):
    t = torch.tensor(theta, requires_grad=True)
    z = torch.tensor(X) @ t[:-1] + t[-1]
    bce = torch.nn.functional.binary_cross_entropy_with_logits(z, torch.tensor(y, dtype=torch.float64))
    bce.backward()
    loss, g = R.logistic_loss_grad(theta, X, y)
    assert loss == pytest.approx(bce.item(), rel=1e-10, abs=1e-12)
    np.testing.assert_allclose(g, t.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_gradients_match_central_differences():
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(8, 2)), (rng.random(8) > 0.5).astype(float)
    theta = rng.normal(size=3)
    for fn in (R.mse_loss_grad, R.logistic_loss_grad):
        num = numerical_grad(lambda th, fn=fn: fn(th, X, y)[0], theta.copy())
        np.testing.assert_allclose(fn(theta, X, y)[1], num, rtol=1e-7, atol=1e-9)


def _line(n=30, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2, 2, n)
    return x[:, None], 1.5 * x - 0.5 + 0.1 * rng.normal(size=n)


def test_batch_gd_reaches_least_squares():
    X, y = _line()
    h = R.descend(R.mse_loss_grad, X, y, lr=0.1, steps=500)
    np.testing.assert_allclose(R.final_theta(h), R.least_squares(X, y), atol=1e-8)
    assert h["theta"].shape == (501, 2) and h["loss"].shape == (501,)
    assert np.all(np.diff(h["loss"]) <= 1e-15)  # batch GD with a small step never increases the loss


def test_learning_rate_threshold_is_two_over_lambda_max():
    X, y = _line()
    lr_max = R.max_stable_lr(X)
    ok = R.descend(R.mse_loss_grad, X, y, lr=0.95 * lr_max, steps=2000)
    bad = R.descend(R.mse_loss_grad, X, y, lr=1.05 * lr_max, steps=2000)
    assert ok["loss"][-1] < 0.02
    assert not np.isfinite(bad["loss"][-1]) or bad["loss"][-1] > 1e6


def test_minibatch_and_sgd_count_updates_and_examples():
    X, y = _line(n=10)
    for bs, per_epoch in [(None, 1), (1, 10), (4, 3)]:
        h = R.descend(R.mse_loss_grad, X, y, lr=0.05, epochs=3, batch_size=bs)
        assert h["updates"][-1] == 3 * per_epoch
        assert h["examples"][-1] == 30
    h1 = R.descend(R.mse_loss_grad, X, y, lr=0.05, epochs=3, batch_size=1, seed=3)
    h2 = R.descend(R.mse_loss_grad, X, y, lr=0.05, epochs=3, batch_size=1, seed=3)
    np.testing.assert_array_equal(h1["theta"], h2["theta"])


def test_sgd_converges_near_optimum():
    X, y = _line(n=50)
    h = R.descend(R.mse_loss_grad, X, y, lr=0.02, epochs=30, batch_size=1)
    assert h["loss"][-1] < 1.2 * R.mse_loss_grad(R.least_squares(X, y), X, y)[0]


def test_steps_to_and_record_every():
    X, y = _line()
    h = R.descend(R.mse_loss_grad, X, y, lr=0.1, steps=100, record_every=10)
    assert list(h["updates"]) == list(range(0, 101, 10))
    assert R.steps_to(h, h["loss"][3]) == 30
    assert R.steps_to(h, -1.0) is None


def test_scaling_improves_conditioning():
    rng = np.random.default_rng(0)
    X = np.c_[rng.normal(100, 10, 40), rng.normal(0, 0.1, 40)]
    Xs, mean, std = R.standardize(X)
    np.testing.assert_allclose(Xs.mean(0), 0, atol=1e-12)
    np.testing.assert_allclose(Xs.std(0), 1)
    assert R.condition_number(Xs) < 10 < 1e3 < R.condition_number(X)
    np.testing.assert_allclose(R.standardize(X, mean, std)[0], Xs)


def test_loss_surface_matches_mse():
    X, y = _line(n=7)
    a, b = np.linspace(-1, 2, 4), np.linspace(-1, 1, 3)
    Z = R.loss_surface(X[:, 0], y, a, b)
    assert Z.shape == (3, 4)
    assert Z[2, 1] == pytest.approx(R.mse_loss_grad(np.array([a[1], b[2]]), X, y)[0])


def test_logistic_fit_separates():
    rng = np.random.default_rng(0)
    X = np.r_[rng.normal(-1, 0.5, (20, 2)), rng.normal(1, 0.5, (20, 2))]
    y = np.r_[np.zeros(20), np.ones(20)]
    h = R.descend(R.logistic_loss_grad, X, y, lr=0.5, epochs=200)
    assert np.mean((R.predict_proba(R.final_theta(h), X) > 0.5) == y) == 1.0


def test_bad_inputs():
    X, y = _line(n=5)
    with pytest.raises(ValueError, match=r"shape \(n, d\)"):
        R.mse_loss_grad(np.zeros(2), X[:, 0], y)
    with pytest.raises(ValueError, match="y must have shape"):
        R.mse_loss_grad(np.zeros(2), X, y[:3])
    with pytest.raises(ValueError, match="theta must have shape"):
        R.mse_loss_grad(np.zeros(3), X, y)
    with pytest.raises(ValueError, match="y must hold the labels 0 and 1 only"):
        R.logistic_loss_grad(np.zeros(2), X, y)
    with pytest.raises(ValueError, match="learning rate"):
        R.descend(R.mse_loss_grad, X, y, lr=0)
    with pytest.raises(ValueError, match="batch_size"):
        R.descend(R.mse_loss_grad, X, y, lr=0.1, batch_size=6)
    with pytest.raises(ValueError, match="epochs"):
        R.descend(R.mse_loss_grad, X, y, lr=0.1, epochs=-1)
    with pytest.raises(ValueError, match="steps"):
        R.descend(R.mse_loss_grad, X, y, lr=0.1, steps=1.5)
    with pytest.raises(ValueError, match="same number of points"):
        R.loss_surface(np.zeros(3), np.zeros(4), [0.0], [0.0])


def test_standardize_applies_the_training_statistics_and_keeps_constant_columns():
    rng = np.random.default_rng(1)
    X_train = np.c_[rng.normal(5, 2, 30), np.full(30, 3.0)]
    X_test = np.c_[rng.normal(5, 2, 10), np.full(10, 4.0)]
    _, mean, std = R.standardize(X_train)
    np.testing.assert_allclose(std, [X_train[:, 0].std(), 1.0])  # a constant column is centred, not divided
    np.testing.assert_allclose(R.standardize(X_test, mean, std)[0], (X_test - mean) / std)
    np.testing.assert_allclose(R.standardize(X_test, mean, std)[0][:, 1], 1.0)


def test_condition_number_is_that_of_the_hessian():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(20, 3)) * [1.0, 10.0, 0.1]
    assert R.condition_number(X) == pytest.approx(np.linalg.cond(R.mse_hessian(X)), rel=1e-9)


def test_loss_surface_at_points_not_on_a_unit_grid():
    x, y = np.array([0.5, 2.0, 3.0]), np.array([1.0, -1.0, 4.0])
    a, b = np.array([-1.5, 0.5, 2.0]), np.array([0.25, 3.0])
    Z = R.loss_surface(x, y, a, b)
    for i, bi in enumerate(b):
        for j, aj in enumerate(a):
            assert Z[i, j] == pytest.approx(np.mean((aj * x + bi - y) ** 2))


def test_one_step_is_the_gradient_descent_update():
    X, y = _line(n=7)
    theta0 = np.array([0.5, -0.5])
    h = R.descend(R.mse_loss_grad, X, y, lr=0.1, steps=1, theta0=theta0)
    np.testing.assert_allclose(R.final_theta(h), theta0 - 0.1 * R.mse_loss_grad(theta0, X, y)[1])
    path = list(R.gradient_descent(R.mse_loss_grad, theta0, X, y, 0.1, [np.arange(7)] * 3))
    np.testing.assert_allclose(h["theta"][1], path[0])
    assert len(path) == 3


def test_mini_batches_are_shuffled_by_the_seed():
    X, y = _line(n=12)
    paths = [R.descend(R.mse_loss_grad, X, y, lr=0.05, epochs=2, batch_size=3, seed=s)["theta"] for s in (0, 0, 1)]
    np.testing.assert_array_equal(paths[0], paths[1])
    assert not np.allclose(paths[0], paths[2])
    batches = R.batch_schedule(12, 3, 8, np.random.default_rng(0))
    assert sorted(np.concatenate(batches[:4])) == list(range(12)) and not np.array_equal(
        np.concatenate(batches[:4]), np.arange(12)
    )


def test_divergence_stops_at_the_first_non_finite_loss():
    X, y = _line(n=7)
    h = R.descend(R.mse_loss_grad, X * 1e3, y, lr=10.0, steps=500)
    assert not np.isfinite(h["loss"][-1]) and np.all(np.isfinite(h["loss"][:-1]))
    assert h["updates"][-1] < 500 and h["examples"][0] == 0 and h["examples"][1] == 7
