"""The one NumPy core: layers compose, their gradients match central differences and PyTorch."""

import numpy as np
import pytest
import torch

from nnbook.history import History
from nnbook.scratch import init
from nnbook.scratch.core import ActivationLayer, Flatten, Layer, Sequential, minibatches, sgd_step, train_steps
from nnbook.scratch.gradcheck import check_layer
from nnbook.scratch.layers import Dense


def _net(rng):
    return Sequential(
        [
            Flatten(),
            Dense(init.xavier_normal((5, 6), rng), rng.standard_normal(5), "tanh"),
            ActivationLayer("swish"),
            Dense(init.xavier_normal((3, 5), rng), rng.standard_normal(3)),
        ]
    )


def test_sequential_gradients_match_central_differences():
    rng = np.random.default_rng(0)
    errors = check_layer(_net(rng), rng.standard_normal((4, 2, 3)), rng)
    assert set(errors) == {"x", "1.W", "1.b", "3.W", "3.b"}
    assert max(errors.values()) < 1e-6


def test_sequential_gradients_match_torch():
    rng = np.random.default_rng(1)
    net = _net(rng)
    x = rng.standard_normal((4, 2, 3))
    r = rng.standard_normal((4, 3))
    _, cache = net.forward(x)
    grad_x, grads = net.backward(cache, r)

    xt = torch.tensor(x, requires_grad=True)
    W1, b1, W2, b2 = (torch.tensor(net.params[k], requires_grad=True) for k in ("1.W", "1.b", "3.W", "3.b"))
    y = torch.nn.functional.silu(torch.tanh(xt.reshape(4, -1) @ W1.T + b1)) @ W2.T + b2
    (y * torch.tensor(r)).sum().backward()
    np.testing.assert_allclose(grad_x, xt.grad.numpy(), rtol=1e-10, atol=1e-12)
    for name, t in zip(("1.W", "1.b", "3.W", "3.b"), (W1, b1, W2, b2)):
        np.testing.assert_allclose(grads[name], t.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_sgd_step_updates_the_layer_arrays_in_place():
    rng = np.random.default_rng(2)
    net = _net(rng)
    W = net.layers[1].W
    before = W.copy()
    _, cache = net.forward(rng.standard_normal((4, 6)))
    _, grads = net.backward(cache, np.ones((4, 3)))
    sgd_step(net.params, grads, lr=0.1)
    assert net.layers[1].W is W
    np.testing.assert_allclose(W, before - 0.1 * grads["1.W"])


def test_sequential_rejects_what_is_not_a_layer():
    with pytest.raises(TypeError, match="layer 1 must be"):
        Sequential([Flatten(), lambda x: x])
    with pytest.raises(ValueError, match="at least one layer"):
        Sequential([])


def test_base_layer_is_abstract():
    with pytest.raises(NotImplementedError):
        Layer().forward(np.zeros(2))


def test_minibatches_cover_every_example_once():
    batches = list(minibatches(10, 3, np.random.default_rng(0)))
    assert [len(b) for b in batches] == [3, 3, 3, 1]
    assert sorted(np.concatenate(batches)) == list(range(10))
    with pytest.raises(ValueError, match="batch_size"):
        list(minibatches(10, 0))


def test_history_records_series():
    h = History()
    h.record(loss=1.0, val_loss=2.0)
    h.record(loss=0.5)
    np.testing.assert_array_equal(h["loss"], [1.0, 0.5])
    assert len(h) == 2 and "val_loss" in h
    assert list(h.to_frame()["val_loss"].isna()) == [False, True]
    with pytest.raises(KeyError, match="recorded"):
        h["accuracy"]


def test_history_records_copies_of_arrays():
    h = History()
    theta = np.array([1.0, 2.0])
    h.record(theta=theta, loss=3.0)
    theta += 1.0  # an optimiser updating in place must not change what was recorded
    h.record(theta=theta, loss=2.0)
    np.testing.assert_array_equal(h["theta"], [[1.0, 2.0], [2.0, 3.0]])
    assert list(h.to_frame().columns) == ["loss"]


def test_train_steps_is_gradient_descent_on_the_loss():
    from nnbook.scratch.losses import LOSSES

    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(8, 3)), rng.normal(size=(8, 1))
    net = Sequential([Dense(rng.normal(size=(1, 3)), np.zeros(1))])
    W0 = net.params["0.W"].copy()
    value, grad_y = LOSSES["mse"](net(X), y)
    first = next(train_steps(net, LOSSES["mse"], X, y, [np.arange(8)], lr=0.1))
    assert first == value  # the loss before the step
    np.testing.assert_allclose(net.params["0.W"], W0 - 0.1 * (grad_y.T @ X))
    losses = list(train_steps(net, LOSSES["mse"], X, y, [np.arange(8)] * 50, lr=0.1))
    assert np.all(np.diff(losses) < 0)


def test_train_steps_with_an_optimiser_and_weight_decay_matches_torch():
    """Adam on the cross-entropy plus (wd / 2) ||W||^2 of the weights only, as torch computes it."""
    import torch

    from nnbook.scratch.losses import LOSSES
    from nnbook.scratch.optim import Adam

    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(12, 4)), rng.integers(0, 3, size=12)
    W, b = rng.normal(size=(3, 4)), rng.normal(size=3)
    net = Sequential([Dense(W.copy(), b.copy())])
    batches = [np.arange(6), np.arange(6, 12), np.arange(3, 9)]
    wd = 0.3
    losses = list(
        train_steps(net, LOSSES["softmax_cross_entropy"], X, y, batches, optimiser=Adam(0.05), weight_decay=wd)
    )

    tW, tb = torch.tensor(W, requires_grad=True), torch.tensor(b, requires_grad=True)
    opt = torch.optim.Adam([tW, tb], lr=0.05)
    expected = []
    for rows in batches:
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(torch.tensor(X[rows]) @ tW.T + tb, torch.tensor(y[rows]))
        expected.append(loss.item())
        (loss + wd / 2 * (tW**2).sum()).backward()  # the penalty on the weights, not on the bias
        opt.step()
    np.testing.assert_allclose(losses, expected, rtol=1e-12)
    np.testing.assert_allclose(net.params["0.W"], tW.detach().numpy(), rtol=1e-10)
    np.testing.assert_allclose(net.params["0.b"], tb.detach().numpy(), rtol=1e-10)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(), ValueError, "either lr .* or an optimiser"),
        (dict(lr=0.1, optimiser=object()), ValueError, "not both"),
        (dict(lr=-0.1), ValueError, "lr must be a positive"),
        (dict(optimiser=object()), TypeError, "step\\(params, grads\\)"),
        (dict(lr=0.1, weight_decay=-1e-3), ValueError, "weight_decay must be"),
    ],
)
def test_train_steps_says_what_is_wrong_before_the_first_step(kwargs, error, match):
    from nnbook.scratch.losses import LOSSES

    net = Sequential([Dense(np.ones((1, 2)), np.zeros(1))])
    W0 = net.params["0.W"].copy()
    with pytest.raises(error, match=match):
        train_steps(net, LOSSES["mse"], np.ones((2, 2)), np.ones((2, 1)), [np.arange(2)], **kwargs)
    np.testing.assert_array_equal(net.params["0.W"], W0)


def test_train_epoch_is_the_example_weighted_mean_of_the_batch_losses():
    from nnbook.scratch.core import train_epoch
    from nnbook.scratch.losses import LOSSES

    rng = np.random.default_rng(2)
    X, y = rng.normal(size=(7, 3)), rng.normal(size=(7, 1))
    W = rng.normal(size=(1, 3))
    batches = [np.arange(5), np.arange(5, 7)]  # unequal sizes: a plain mean of the two losses differs
    by_hand = list(train_steps(Sequential([Dense(W.copy(), np.zeros(1))]), LOSSES["mse"], X, y, batches, lr=0.1))
    net = Sequential([Dense(W.copy(), np.zeros(1))])
    loss = train_epoch(net, LOSSES["mse"], X, y, iter(batches), lr=0.1)  # any iterable of batches
    assert loss == pytest.approx((5 * by_hand[0] + 2 * by_hand[1]) / 7, rel=1e-15)
    assert loss != pytest.approx(np.mean(by_hand))
