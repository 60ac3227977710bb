"""nnbook.scratch.regularisation: dropout and batch normalisation against PyTorch and central differences."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from nnbook.scratch.gradcheck import check_layer
from nnbook.scratch.regularisation import BatchNorm, Dropout, batch_norm_forward, dropout_forward


@given(p=st.sampled_from([0.1, 0.25, 0.5, 0.8]))
def test_dropout_scales_like_torch_and_keeps_the_mean(p):
    h = np.full(200_000, 3.0)
    out, mask = dropout_forward(h, p, np.random.default_rng(0))
    t = torch.nn.Dropout(p).train()(torch.full((200_000,), 3.0, dtype=torch.float64)).numpy()
    for values in (np.unique(out), np.unique(t)):  # the same two values as PyTorch: 0 and h / (1 - p)
        np.testing.assert_allclose(values, [0.0, 3.0 / (1 - p)], rtol=1e-15)
    se = 3.0 * np.sqrt(p / (1 - p) / h.size)  # standard error of the mean of the dropped-out values
    assert abs(out.mean() - 3.0) < 5 * se and abs(t.mean() - 3.0) < 5 * se  # E[output] = h
    assert abs((out == 0).mean() - p) < 5 * np.sqrt(p * (1 - p) / h.size)


def test_dropout_layer_modes_and_backward():
    x = np.random.default_rng(1).normal(size=(50, 4))
    layer = Dropout(0.5, rng=np.random.default_rng(2))
    y, mask = layer.forward(x)
    grad_x, grads = layer.backward(mask, np.ones_like(x))
    np.testing.assert_array_equal(grad_x, mask) and np.testing.assert_array_equal(y, x * mask)
    assert grads == {} and set(np.unique(mask)) == {0.0, 2.0}
    xt = torch.tensor(x, requires_grad=True)
    (xt * torch.from_numpy(mask)).sum().backward()  # the same mask through autograd
    np.testing.assert_array_equal(grad_x, xt.grad.numpy())
    layer.training = False
    assert layer.forward(x)[0] is x and np.array_equal(layer.backward(None, x)[0], x)
    with pytest.raises(ValueError, match="drop probability"):
        Dropout(1.0)


def torch_bn(units, momentum=0.1):
    return torch.nn.BatchNorm1d(units, momentum=momentum).double()


@given(m=st.integers(2, 20), seed=st.integers(0, 1000), momentum=st.sampled_from([0.1, 0.3, 1.0]))
def test_batch_norm_matches_torch_in_training_and_evaluation(m, seed, momentum):
    rng = np.random.default_rng(seed)
    ours, ref = BatchNorm(3, momentum=momentum), torch_bn(3, momentum)
    with torch.no_grad():
        ref.weight.copy_(torch.tensor([1.5, -0.5, 2.0], dtype=torch.float64))
        ref.bias.copy_(torch.tensor([0.1, 0.2, -0.3], dtype=torch.float64))
    ours.params["gamma"][:] = [1.5, -0.5, 2.0]
    ours.params["beta"][:] = [0.1, 0.2, -0.3]
    for _ in range(3):  # three training batches: outputs and running statistics agree
        x = rng.normal(2.0, 5.0, size=(m, 3))
        np.testing.assert_allclose(
            ours.forward(x)[0], ref.train()(torch.from_numpy(x)).detach().numpy(), rtol=1e-9, atol=1e-10
        )
        np.testing.assert_allclose(ours.running_mean, ref.running_mean.numpy(), rtol=1e-12)
        np.testing.assert_allclose(ours.running_var, ref.running_var.numpy(), rtol=1e-12)  # unbiased m/(m-1)
    ours.training = False
    x = rng.normal(size=(4, 3))
    np.testing.assert_allclose(
        ours.forward(x)[0], ref.eval()(torch.from_numpy(x)).detach().numpy(), rtol=1e-10, atol=1e-12
    )


@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_backward_matches_autograd_and_central_differences(training):
    rng = np.random.default_rng(3)
    layer = BatchNorm(4)
    layer.params["gamma"][:] = rng.normal(size=4)
    layer.params["beta"][:] = rng.normal(size=4)
    layer.forward(rng.normal(size=(8, 4)))  # move the running statistics away from 0 and 1
    layer.training = training
    x = rng.normal(1.0, 3.0, size=(6, 4))
    errors = check_layer(layer, x, rng)
    assert max(errors.values()) < 1e-6, errors
    ref = torch_bn(4)
    with torch.no_grad():
        ref.weight.copy_(torch.from_numpy(layer.params["gamma"]))
        ref.bias.copy_(torch.from_numpy(layer.params["beta"]))
        ref.running_mean.copy_(torch.from_numpy(layer.running_mean))
        ref.running_var.copy_(torch.from_numpy(layer.running_var))
    ref.train(training)
    layer_mean, layer_var = layer.running_mean.copy(), layer.running_var.copy()
    y, cache = layer.forward(x)
    r = rng.normal(size=y.shape)
    grad_x, grads = layer.backward(cache, r)
    xt = torch.tensor(x, requires_grad=True)
    (ref(xt) * torch.from_numpy(r)).sum().backward()
    np.testing.assert_allclose(grad_x, xt.grad.numpy(), rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(grads["gamma"], ref.weight.grad.numpy(), rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(grads["beta"], ref.bias.grad.numpy(), rtol=1e-9, atol=1e-11)
    if not training:
        assert np.array_equal(layer.running_mean, layer_mean) and np.array_equal(layer.running_var, layer_var)


def test_batch_norm_forward_core_standardises():
    x = np.random.default_rng(0).normal(5.0, 3.0, size=(64, 2))
    y, mu, var = batch_norm_forward(x, np.ones(2), np.zeros(2), eps=0.0)
    np.testing.assert_allclose(y.mean(0), 0, atol=1e-12) and np.testing.assert_allclose(y.var(0), 1, rtol=1e-12)
    np.testing.assert_allclose(var, x.var(0), rtol=1e-12)  # the biased 1/m variance normalises


@pytest.mark.parametrize(
    "make, x, msg",
    [
        (lambda: BatchNorm(0), None, "units"),
        (lambda: BatchNorm(2, momentum=0), None, "momentum"),
        (
            lambda: BatchNorm(2),
            np.zeros((4, 3)),
            r"BatchNorm\(2\) must have shape \(m, units\) = \(m, 2\); got \(4, 3\)",
        ),
        (lambda: BatchNorm(2), np.zeros((1, 2)), "at least 2"),
    ],
)
def test_batch_norm_errors(make, x, msg):
    with pytest.raises(ValueError, match=msg):
        make().forward(x)
