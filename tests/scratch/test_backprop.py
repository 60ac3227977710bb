import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from nnbook.data import load_digits
from nnbook.demos.backprop import vanishing_figure
from nnbook.scratch.backprop import MLP, backprop_trace, count_mults, layer_grad_norms, time_passes, torch_grads
from nnbook.scratch.gradcheck import check_params


def independent_torch_grads(model: MLP, X, y):
    """PyTorch's own modules (nn.Linear, nn.CrossEntropyLoss) with the model's weights copied in."""
    act = {"sigmoid": torch.nn.Sigmoid, "tanh": torch.nn.Tanh, "relu": torch.nn.ReLU}[model.activation]
    layers = []
    for W, b in zip(model.W, model.b):
        lin = torch.nn.Linear(W.shape[1], W.shape[0]).double()
        with torch.no_grad():
            lin.weight.copy_(torch.tensor(W))
            lin.bias.copy_(torch.tensor(b))
        layers += [lin, act()]
    net = torch.nn.Sequential(*layers[:-1])
    loss = torch.nn.CrossEntropyLoss()(net(torch.tensor(X)), torch.tensor(y))
    loss.backward()
    return loss.item(), [
        g for lin in net if isinstance(lin, torch.nn.Linear) for g in (lin.weight.grad.numpy(), lin.bias.grad.numpy())
    ]


@settings(max_examples=60, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 6), min_size=2, max_size=4).map(lambda s: s + [3]),
    activation=st.sampled_from(["sigmoid", "tanh", "relu"]),
    batch=st.integers(1, 7),
    seed=st.integers(0, 10_000),
)
def test_grads_match_torch(sizes, activation, batch, seed):
    rng = np.random.default_rng(seed)
    model = MLP(sizes, activation, seed=seed)
    for b in model.b:
        b += rng.normal(size=b.shape)  # nonzero biases, so their gradients are exercised too
    X = rng.normal(size=(batch, sizes[0]))
    y = rng.integers(0, 3, size=batch)
    loss, grads = model.grads(X, y)
    t_loss, t_grads = independent_torch_grads(model, X, y)
    r_loss, r_grads = torch_grads(model, X, y)  # the reference the chapter uses agrees too
    assert r_loss == pytest.approx(t_loss, rel=1e-12)
    for g, tg in zip(r_grads, t_grads):
        np.testing.assert_allclose(g, tg, rtol=1e-12, atol=1e-15)
    assert loss == pytest.approx(t_loss, rel=1e-10)
    for g, tg in zip(grads, t_grads):
        np.testing.assert_allclose(g, tg, rtol=1e-9, atol=1e-12)


def test_grads_match_central_differences():
    rng = np.random.default_rng(0)
    model = MLP([5, 4, 3], "tanh", seed=1)
    X, y = rng.normal(size=(6, 5)), rng.integers(0, 3, 6)
    _, grads = model.grads(X, y)
    names = [f"p{i}" for i in range(len(grads))]
    errs = check_params(lambda: model.loss(X, y), dict(zip(names, model.params)), dict(zip(names, grads)))
    assert max(errs.values()) < 1e-6


def test_trains_on_digits_to_95_percent():
    X_tr, y_tr = load_digits("train")
    X_te, y_te = load_digits("test")
    model = MLP([64, 32, 10], "relu", seed=0)
    hist = model.fit(X_tr, y_tr, epochs=30, batch_size=32, lr=0.1, seed=0)
    assert hist["loss"][-1] < hist["loss"][0]
    assert model.accuracy(X_te, y_te) >= 0.95


def test_backprop_trace_matches_torch():
    rng = np.random.default_rng(3)
    x, t = rng.normal(size=2), rng.random(2)
    W1, b1, W2, b2 = rng.normal(size=(2, 2)), rng.normal(size=2), rng.normal(size=(2, 2)), rng.normal(size=2)
    tr = backprop_trace(x, t, W1, b1, W2, b2)
    ps = [torch.tensor(p, requires_grad=True) for p in (W1, b1, W2, b2)]
    a1 = torch.sigmoid(ps[0] @ torch.tensor(x) + ps[1])
    a2 = torch.sigmoid(ps[2] @ a1 + ps[3])
    E = 0.5 * torch.sum((a2 - torch.tensor(t)) ** 2)
    E.backward()
    assert tr["E"] == pytest.approx(E.item(), rel=1e-12)
    np.testing.assert_allclose(tr["a2"], a2.detach().numpy(), rtol=1e-12)
    for key, p in zip(["dW1", "db1", "dW2", "db2"], ps):
        np.testing.assert_allclose(tr[key], p.grad.numpy(), rtol=1e-10, atol=1e-14)


def test_count_mults():
    assert count_mults([64, 32, 10], batch=1) == {"forward": 64 * 32 + 32 * 10, "backward": 64 * 32 + 2 * 32 * 10}
    assert count_mults([3, 2], batch=5)["forward"] == 30


def test_bad_inputs():
    with pytest.raises(ValueError, match="at least two positive"):
        MLP([64])
    with pytest.raises(ValueError, match="activation must be"):
        MLP([2, 2], "step")
    with pytest.raises(ValueError, match="init must be"):
        MLP([2, 2], init="zeros")
    m = MLP([4, 3])
    with pytest.raises(ValueError, match=r"shape \(batch, 4\)"):
        m.forward(np.zeros((2, 5)))
    with pytest.raises(RuntimeError, match="forward"):
        MLP([4, 3]).backward(np.zeros(2, dtype=int))
    with pytest.raises(ValueError, match="integer class labels"):
        m.loss(np.zeros((2, 4)), np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match="labels must lie"):
        m.loss(np.zeros((2, 4)), np.array([0, 3]))
    with pytest.raises(ValueError, match="positive learning rate"):
        m.fit(np.zeros((2, 4)), np.array([0, 1]), lr=0)
    with pytest.raises(ValueError, match="shapes must chain"):
        backprop_trace(np.zeros(2), np.zeros(2), np.zeros((2, 3)), np.zeros(2), np.zeros((2, 2)), np.zeros(2))


def test_vanishing_gradients_with_depth():
    from nnbook.data import load_digits

    X, y = load_digits("train")
    deep_sig = layer_grad_norms(MLP([64] + [32] * 8 + [10], "sigmoid", seed=0), X[:256], y[:256])
    deep_relu = layer_grad_norms(MLP([64] + [32] * 8 + [10], "relu", seed=0), X[:256], y[:256])
    assert deep_sig.shape == (9,)
    assert deep_sig[-1] / deep_sig[0] > 1e3
    assert deep_relu[-1] / deep_relu[0] < 10
    fig = vanishing_figure(depth=3, activation="tanh")
    assert "3 hidden layers" in fig.axes[0].get_title()


def test_time_passes_reports_both():
    rng = np.random.default_rng(0)
    t = time_passes(MLP([8, 4, 3]), rng.normal(size=(5, 8)), np.array([0, 1, 2, 0, 1]), repeats=2)
    assert set(t) == {"forward", "backward"} and min(t.values()) > 0


def test_backprop_trace_reports_every_intermediate_value():
    rng = np.random.default_rng(4)
    x, t = rng.normal(size=3), rng.random(2)
    W1, b1, W2, b2 = rng.normal(size=(4, 3)), rng.normal(size=4), rng.normal(size=(2, 4)), rng.normal(size=2)
    tr = backprop_trace(x, t, W1, b1, W2, b2)
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    z1 = W1 @ x + b1
    a1 = sig(z1)
    z2 = W2 @ a1 + b2
    a2 = sig(z2)
    delta2 = (a2 - t) * a2 * (1 - a2)
    delta1 = (W2.T @ delta2) * a1 * (1 - a1)
    expected = {
        "z1": z1,
        "a1": a1,
        "z2": z2,
        "a2": a2,
        "E": 0.5 * np.sum((a2 - t) ** 2),
        "delta2": delta2,
        "delta1": delta1,
        "dW2": np.outer(delta2, a1),
        "db2": delta2,
        "dW1": np.outer(delta1, x),
        "db1": delta1,
    }
    assert set(tr) == set(expected)
    for key, value in expected.items():
        np.testing.assert_allclose(tr[key], value, rtol=1e-12, atol=1e-15, err_msg=key)
    with pytest.raises(ValueError, match="shapes must chain"):
        backprop_trace(x, t[:1], W1, b1, W2, b2)


def test_layer_grad_norms_are_the_weight_gradients():
    rng = np.random.default_rng(0)
    model = MLP([5, 4, 3], "tanh", seed=0)
    X, y = rng.normal(size=(6, 5)), rng.integers(0, 3, 6)
    _, grads = model.grads(X, y)
    np.testing.assert_allclose(
        layer_grad_norms(model, X, y), [np.sqrt(np.mean(grads[0] ** 2)), np.sqrt(np.mean(grads[2] ** 2))]
    )
