"""nnbook.scratch.conv: convolution and pooling layers equal PyTorch (forward and autograd, float64)
over random shapes, and their backward passes equal central differences."""

import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from nnbook.scratch.conv import (
    AvgPool2d,
    Conv2d,
    MaxPool2d,
    conv2d_im2col,
    conv2d_loop,
    conv2d_macs,
    conv2d_params,
    dense_macs,
    dense_params,
    output_size,
    padding_amounts,
    pool2d_loop,
)
from nnbook.scratch.core import Flatten, Sequential
from nnbook.scratch.gradcheck import check_layer

TOL = dict(rtol=1e-10, atol=1e-10)


@st.composite
def conv_cases(draw):
    """A random convolution: batch, channels, sizes, kernel, stride, padding (int, 'valid', 'same'), dilation."""
    n, c, o = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 4))
    k = draw(st.integers(1, 4))
    d = draw(st.integers(1, 2))
    padding = draw(st.one_of(st.integers(0, 2), st.sampled_from(["valid", "same"])))
    s = 1 if padding == "same" else draw(st.integers(1, 3))
    span = d * (k - 1) + 1
    extra = 0 if isinstance(padding, str) else 2 * padding
    h = draw(st.integers(max(1, span - extra), span + 6))
    w = draw(st.integers(max(1, span - extra), span + 6))
    assume(padding == "same" or h + extra >= span and w + extra >= span)
    return dict(
        n=n, c=c, o=o, k=k, h=h, w=w, stride=s, padding=padding, dilation=d, seed=draw(st.integers(0, 2**31 - 1))
    )


def torch_conv(x, W, b, g, stride, padding, dilation):
    tx, tW, tb = (torch.tensor(a, requires_grad=True) for a in (x, W, b))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # 'same' with an even kernel: PyTorch pads a copy, and says so
        ty = TF.conv2d(tx, tW, tb, stride=stride, padding=padding, dilation=dilation)
    ty.backward(torch.tensor(g))
    return ty.detach().numpy(), tx.grad.numpy(), tW.grad.numpy(), tb.grad.numpy()


@pytest.mark.parametrize("method", ["loop", "im2col"])
@settings(max_examples=60, deadline=None)
@given(case=conv_cases())
def test_conv_layer_forward_and_backward_equal_torch(method, case):
    rng = np.random.default_rng(case["seed"])
    x = rng.standard_normal((case["n"], case["c"], case["h"], case["w"]))
    W = rng.standard_normal((case["o"], case["c"], case["k"], case["k"]))
    b = rng.standard_normal(case["o"])
    layer = Conv2d(W, b, stride=case["stride"], padding=case["padding"], dilation=case["dilation"], method=method)
    y, cache = layer.forward(x)
    g = rng.standard_normal(y.shape)
    y_ref, gx_ref, gW_ref, gb_ref = torch_conv(x, W, b, g, case["stride"], case["padding"], case["dilation"])
    assert y.shape == y_ref.shape
    np.testing.assert_allclose(y, y_ref, **TOL)
    gx, grads = layer.backward(cache, g)
    assert gx.shape == x.shape
    np.testing.assert_allclose(gx, gx_ref, **TOL)
    np.testing.assert_allclose(grads["W"], gW_ref, **TOL)
    np.testing.assert_allclose(grads["b"], gb_ref, **TOL)


@settings(max_examples=40, deadline=None)
@given(case=conv_cases())
def test_loop_and_im2col_agree(case):
    rng = np.random.default_rng(case["seed"])
    x = rng.standard_normal((case["n"], case["c"], case["h"], case["w"]))
    W, b = rng.standard_normal((case["o"], case["c"], case["k"], case["k"])), rng.standard_normal(case["o"])
    opts = dict(stride=case["stride"], padding=case["padding"], dilation=case["dilation"])
    np.testing.assert_allclose(conv2d_loop(x, W, b, **opts), conv2d_im2col(x, W, b, **opts), rtol=1e-12, atol=1e-12)


@st.composite
def pool_cases(draw):
    k = draw(st.integers(1, 3))
    s = draw(st.integers(1, 3))
    return dict(
        n=draw(st.integers(1, 3)),
        c=draw(st.integers(1, 3)),
        h=draw(st.integers(k, k + 7)),
        w=draw(st.integers(k, k + 7)),
        k=k,
        stride=s,
        seed=draw(st.integers(0, 2**31 - 1)),
    )


@pytest.mark.parametrize("layer_cls, torch_fn", [(MaxPool2d, TF.max_pool2d), (AvgPool2d, TF.avg_pool2d)])
@settings(max_examples=60, deadline=None)
@given(case=pool_cases())
def test_pooling_forward_and_backward_equal_torch(layer_cls, torch_fn, case):
    rng = np.random.default_rng(case["seed"])
    x = rng.standard_normal((case["n"], case["c"], case["h"], case["w"]))  # continuous: no ties in a window
    layer = layer_cls(case["k"], case["stride"])
    y, cache = layer.forward(x)
    tx = torch.tensor(x, requires_grad=True)
    ty = torch_fn(tx, case["k"], case["stride"])
    g = rng.standard_normal(y.shape)
    ty.backward(torch.tensor(g))
    np.testing.assert_allclose(y, ty.detach().numpy(), **TOL)
    gx, grads = layer.backward(cache, g)
    assert grads == {}
    np.testing.assert_allclose(gx, tx.grad.numpy(), **TOL)
    reduce = np.max if layer_cls is MaxPool2d else np.mean
    np.testing.assert_allclose(pool2d_loop(x, case["k"], case["stride"], reduce), y, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    "layer",
    [
        Conv2d(
            np.random.default_rng(1).standard_normal((3, 2, 3, 3)),
            np.random.default_rng(2).standard_normal(3),
            stride=2,
            padding=1,
        ),
        Conv2d(
            np.random.default_rng(1).standard_normal((2, 2, 2, 2)),
            np.zeros(2),
            padding="same",
            dilation=2,
            method="loop",
        ),
        MaxPool2d(2),
        MaxPool2d(3, 2),
        AvgPool2d(2),
        AvgPool2d(3, 1),
    ],
    ids=["conv-stride2-pad1", "conv-same-dilation2-loop", "max2", "max3-stride2", "avg2", "avg3-stride1"],
)
def test_backward_equals_central_differences(layer):
    rng = np.random.default_rng(0)
    errors = check_layer(layer, rng.standard_normal((2, 2, 7, 7)), rng)
    assert max(errors.values()) < 1e-6, errors  # a wrong gradient is off by order 1


def test_a_network_of_conv_layers_passes_gradcheck():
    rng = np.random.default_rng(0)
    from nnbook.scratch.core import ActivationLayer
    from nnbook.scratch.layers import Dense

    net = Sequential(
        [
            Conv2d.random(1, 3, 3, rng, padding="same"),
            ActivationLayer("tanh"),
            MaxPool2d(2),
            Flatten(),
            Dense(rng.standard_normal((4, 12)), rng.standard_normal(4)),
        ]
    )
    errors = check_layer(net, rng.standard_normal((2, 1, 4, 4)), rng)
    assert set(errors) == {"x", "0.W", "0.b", "4.W", "4.b"}
    assert max(errors.values()) < 1e-6, errors


def test_max_pool_worked_example():
    x = np.array([[1, 3, 2, 1], [4, 6, 5, 0], [3, 1, 1, 2], [0, 2, 7, 8]], dtype=float)[None, None]
    y, cache = MaxPool2d(2).forward(x)
    np.testing.assert_array_equal(y[0, 0], [[6, 5], [3, 8]])
    np.testing.assert_array_equal(AvgPool2d(2)(x)[0, 0], [[3.5, 2.0], [1.5, 4.5]])
    gx, _ = MaxPool2d(2).backward(cache, np.ones((1, 1, 2, 2)))
    np.testing.assert_array_equal(gx[0, 0], [[0, 0, 0, 0], [0, 1, 1, 0], [1, 0, 0, 0], [0, 0, 0, 1]])


@settings(max_examples=200, deadline=None)
@given(n=st.integers(1, 40), k=st.integers(1, 7), s=st.integers(1, 4), p=st.integers(0, 3), d=st.integers(1, 3))
def test_output_size_equals_torch(n, k, s, p, d):
    assume(n + 2 * p >= d * (k - 1) + 1)
    out = TF.conv2d(torch.zeros(1, 1, n, 1), torch.zeros(1, 1, k, 1), stride=(s, 1), padding=(p, 0), dilation=(d, 1))
    assert output_size(n, k, s, p, d) == out.shape[2]


@pytest.mark.parametrize("k, d", [(1, 1), (2, 1), (3, 1), (4, 2), (5, 3)])
def test_same_padding_keeps_the_size(k, d):
    before, after = padding_amounts("same", k, d)
    assert before + after == d * (k - 1) and output_size(9 + before + after, k, 1, 0, d) == 9


@pytest.mark.parametrize(
    "c_in, c_out, k, hw, groups", [(3, 16, 3, 32, 1), (1, 6, 5, 28, 1), (96, 256, 5, 27, 2), (8, 8, 1, 5, 1)]
)
def test_counts_equal_torch_modules(c_in, c_out, k, hw, groups):
    conv = torch.nn.Conv2d(c_in, c_out, k, groups=groups)
    assert conv2d_params(c_in, c_out, k, groups=groups) == sum(p.numel() for p in conv.parameters())
    out = conv(torch.zeros(1, c_in, hw, hw))
    # multiply-adds: every output value is a dot product of length weight[0].numel()
    assert conv2d_macs(c_in, c_out, k, out.shape[2:], groups=groups) == out.numel() * conv.weight[0].numel()
    dense = torch.nn.Linear(c_in * hw * hw, c_out)
    assert dense_params(c_in * hw * hw, c_out) == sum(p.numel() for p in dense.parameters())
    assert dense_macs(c_in * hw * hw, c_out) == dense.weight.numel()


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: Conv2d(np.zeros((2, 3, 3)), np.zeros(2)), "out_channels, in_channels"),
        (lambda: Conv2d(np.zeros((2, 1, 3, 3)), np.zeros(3)), r"b must have shape \(out_channels,\) = \(2,\)"),
        (lambda: Conv2d(np.zeros((2, 1, 3, 3)), np.zeros(2), padding="full"), "'valid', 'same'"),
        (lambda: Conv2d(np.zeros((2, 1, 3, 3)), np.zeros(2), padding="same", stride=2), "needs stride 1"),
        (lambda: Conv2d(np.zeros((2, 1, 3, 3)), np.zeros(2), stride=0), "stride must be an integer >= 1"),
        (
            lambda: Conv2d(np.zeros((2, 1, 3, 3)), np.zeros(2), method="fft"),
            r"unknown method 'fft'; choose one of \['im2col', 'loop'\]",
        ),
        (
            lambda: Conv2d(np.zeros((2, 1, 3, 3)), np.zeros(2))(np.zeros((1, 2, 5, 5))),
            "x has 2 channels but W expects 1",
        ),
        (lambda: Conv2d(np.zeros((2, 1, 3, 3)), np.zeros(2))(np.zeros((5, 5))), "batch, channels, height, width"),
        (lambda: Conv2d(np.zeros((2, 1, 3, 3)), np.zeros(2))(np.zeros((1, 1, 2, 2))), "kernel spans 3 pixels"),
        (lambda: MaxPool2d(0), "kernel must be an integer >= 1"),
        (lambda: MaxPool2d(3)(np.zeros((1, 1, 2, 2))), "kernel spans 3 pixels"),
        (lambda: output_size(5, 3, padding=-1), "padding must be an integer >= 0"),
    ],
)
def test_bad_input_gets_a_clear_error(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_random_layer_uses_the_initialiser_and_zero_bias():
    layer = Conv2d.random(3, 8, 5, np.random.default_rng(0))
    assert layer.W.shape == (8, 3, 5, 5) and not layer.b.any()
    assert abs(layer.W.std() - np.sqrt(2 / (3 * 25))) < 0.02  # He: variance 2 / fan_in
    assert layer.n_params == conv2d_params(3, 8, 5)


def test_a_layer_built_from_a_slice_passes_gradcheck():
    # a sliced weight is a non-contiguous view; the layer must hold arrays that in-place updates reach
    rng = np.random.default_rng(0)
    W = rng.standard_normal((4, 3, 3, 3))
    layer = Conv2d(W[:2, :2], np.zeros(2), stride=2, padding=1)
    assert layer.W.flags["C_CONTIGUOUS"]
    assert max(check_layer(layer, rng.standard_normal((1, 2, 5, 5)), rng).values()) < 1e-6
