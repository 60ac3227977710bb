"""Convolution and pooling from scratch in NumPy, as layers of the one core (``forward`` / ``backward``).

A convolution layer in deep learning computes a cross-correlation (互相关): for an input ``x`` of
shape (N, C, H, W), weights ``W`` of shape (O, C, K, L) and bias ``b`` of shape (O,),

    y[n, o, r, c] = b[o] + sum_{i, k, l} W[o, i, k, l] * xp[n, i, r*s + k*d, c*s + l*d]

where ``xp`` is ``x`` zero-padded, ``s`` the stride and ``d`` the dilation; this is what
``torch.nn.functional.conv2d`` computes. Two implementations give the same numbers:
:func:`conv2d_loop` follows the formula one output position at a time (for reading), and
:func:`conv2d_im2col` gathers all windows into one matrix and does a single matrix product.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from nnbook import checks
from nnbook.scratch import init as _init
from nnbook.scratch.core import Grads, Layer

__all__ = [
    "output_size",
    "padding_amounts",
    "pad",
    "conv2d_loop",
    "conv2d_loop_backward",
    "conv2d_im2col",
    "conv2d_im2col_backward",
    "im2col",
    "pool2d_loop",
    "Conv2d",
    "MaxPool2d",
    "AvgPool2d",
    "conv2d_params",
    "conv2d_macs",
    "dense_params",
    "dense_macs",
]

Padding = int | str


# ---------------------------------------------------------------------------------------------
# Sizes and padding
# ---------------------------------------------------------------------------------------------
def output_size(n: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> int:
    """Output length along one axis: floor((n + 2p - d(k - 1) - 1) / s) + 1 (PyTorch's formula)."""
    n, k = checks.int_at_least(n, "input size", 1), checks.int_at_least(kernel, "kernel", 1)
    s, d = checks.int_at_least(stride, "stride", 1), checks.int_at_least(dilation, "dilation", 1)
    p = checks.int_at_least(padding, "padding", 0)
    span = d * (k - 1) + 1  # the input pixels one window covers
    if n + 2 * p < span:
        raise ValueError(
            f"the kernel spans {span} pixels (kernel {k}, dilation {d}) but the padded input has only {n + 2 * p}"
        )
    return (n + 2 * p - span) // s + 1


def padding_amounts(padding: Padding, kernel: int, dilation: int = 1) -> tuple[int, int]:
    """Zeros added (before, after) along an axis: an integer p gives (p, p); "valid" gives (0, 0);
    "same" adds d(k - 1) in total, the extra one (if odd) after, as PyTorch does."""
    if isinstance(padding, str):
        if padding == "valid":
            return 0, 0
        if padding == "same":
            total = dilation * (kernel - 1)
            return total // 2, total - total // 2
        raise ValueError(f"padding must be 'valid', 'same' or an integer >= 0; got {padding!r}")
    p = checks.int_at_least(padding, "padding", 0)
    return p, p


def pad(x: np.ndarray, amounts: tuple[int, int]) -> np.ndarray:
    """``x`` (N, C, H, W) with ``amounts = (before, after)`` rows and columns of zeros around it."""
    before, after = amounts
    return np.pad(x, ((0, 0), (0, 0), (before, after), (before, after)))


def _check_weights(W: np.ndarray, b: np.ndarray) -> None:
    checks.ndim(W, 4, "W", "(out_channels, in_channels, kernel_h, kernel_w)")
    checks.shape_is(b, (W.shape[0],), "b", "(out_channels,)")


def _check_images(x: np.ndarray) -> None:
    checks.ndim(x, 4, "x", "(batch, channels, height, width)")


def _check_conv_args(x: np.ndarray, W: np.ndarray, b: np.ndarray) -> None:
    _check_images(x)
    _check_weights(W, b)
    if x.shape[1] != W.shape[1]:
        raise ValueError(f"x has {x.shape[1]} channels but W expects {W.shape[1]} (W has shape {W.shape})")


# ---------------------------------------------------------------------------------------------
# The loop version: the formula, one output position at a time
# ---------------------------------------------------------------------------------------------
def conv2d_loop(
    x: np.ndarray, W: np.ndarray, b: np.ndarray, stride: int = 1, padding: Padding = 0, dilation: int = 1
) -> np.ndarray:
    """Cross-correlation by its definition: at each output position, the window times the kernel, summed."""
    _check_conv_args(x, W, b)
    O, C, K, L = W.shape
    xp = pad(x, padding_amounts(padding, K, dilation))
    Ho, Wo = output_size(xp.shape[2], K, stride, 0, dilation), output_size(xp.shape[3], L, stride, 0, dilation)
    y = np.empty((x.shape[0], O, Ho, Wo))
    for r in range(Ho):
        for c in range(Wo):
            rows = slice(r * stride, r * stride + dilation * (K - 1) + 1, dilation)
            cols = slice(c * stride, c * stride + dilation * (L - 1) + 1, dilation)
            window = xp[:, :, rows, cols]  # (N, C, K, L): what the kernel sees
            y[:, :, r, c] = np.tensordot(window, W, axes=([1, 2, 3], [1, 2, 3])) + b
    return y


def conv2d_loop_backward(
    x: np.ndarray, W: np.ndarray, grad_y: np.ndarray, stride: int = 1, padding: Padding = 0, dilation: int = 1
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients (x, W, b) of :func:`conv2d_loop`: each window passes grad back to the pixels and weights it used."""
    O, C, K, L = W.shape
    before, after = padding_amounts(padding, K, dilation)
    xp = pad(x, (before, after))
    grad_xp, grad_W = np.zeros_like(xp), np.zeros_like(W)
    for r in range(grad_y.shape[2]):
        for c in range(grad_y.shape[3]):
            rows = slice(r * stride, r * stride + dilation * (K - 1) + 1, dilation)
            cols = slice(c * stride, c * stride + dilation * (L - 1) + 1, dilation)
            g = grad_y[:, :, r, c]  # (N, O)
            grad_W += np.tensordot(g, xp[:, :, rows, cols], axes=([0], [0]))
            grad_xp[:, :, rows, cols] += np.tensordot(g, W, axes=([1], [0]))
    H, Wd = xp.shape[2], xp.shape[3]
    return grad_xp[:, :, before : H - after, before : Wd - after], grad_W, grad_y.sum(axis=(0, 2, 3))


# ---------------------------------------------------------------------------------------------
# The vectorised version: im2col and one matrix product
# ---------------------------------------------------------------------------------------------
def im2col(xp: np.ndarray, K: int, L: int, stride: int = 1, dilation: int = 1) -> np.ndarray:
    """All windows of the padded input as a view of shape (N, C, Ho, Wo, K, L) (no copy)."""
    output_size(xp.shape[2], K, stride, 0, dilation), output_size(xp.shape[3], L, stride, 0, dilation)  # validates
    span_h, span_w = dilation * (K - 1) + 1, dilation * (L - 1) + 1
    windows = sliding_window_view(xp, (span_h, span_w), axis=(2, 3))
    return windows[:, :, ::stride, ::stride, ::dilation, ::dilation]


def conv2d_im2col(
    x: np.ndarray, W: np.ndarray, b: np.ndarray, stride: int = 1, padding: Padding = 0, dilation: int = 1
) -> np.ndarray:
    """The same cross-correlation as one matrix product: (N*Ho*Wo, C*K*L) windows times (C*K*L, O) weights."""
    _check_conv_args(x, W, b)
    O, C, K, L = W.shape
    cols = im2col(pad(x, padding_amounts(padding, K, dilation)), K, L, stride, dilation)
    N, _, Ho, Wo = cols.shape[:4]
    mat = cols.transpose(0, 2, 3, 1, 4, 5).reshape(N * Ho * Wo, C * K * L)
    y = mat @ W.reshape(O, -1).T + b
    return y.reshape(N, Ho, Wo, O).transpose(0, 3, 1, 2)


def conv2d_im2col_backward(
    x: np.ndarray, W: np.ndarray, grad_y: np.ndarray, stride: int = 1, padding: Padding = 0, dilation: int = 1
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients (x, W, b) of :func:`conv2d_im2col`: two matrix products, then the window gradients
    are added back onto the pixels (col2im), one kernel offset (k, l) at a time."""
    O, C, K, L = W.shape
    before, after = padding_amounts(padding, K, dilation)
    xp = pad(x, (before, after))
    cols = im2col(xp, K, L, stride, dilation)
    N, _, Ho, Wo = cols.shape[:4]
    g = grad_y.transpose(0, 2, 3, 1).reshape(N * Ho * Wo, O)
    grad_W = (g.T @ cols.transpose(0, 2, 3, 1, 4, 5).reshape(N * Ho * Wo, C * K * L)).reshape(W.shape)
    grad_cols = (g @ W.reshape(O, -1)).reshape(N, Ho, Wo, C, K, L)
    grad_xp = np.zeros_like(xp)
    for k in range(K):
        for l in range(L):
            r0, c0 = k * dilation, l * dilation
            grad_xp[:, :, r0 : r0 + stride * (Ho - 1) + 1 : stride, c0 : c0 + stride * (Wo - 1) + 1 : stride] += (
                grad_cols[:, :, :, :, k, l].transpose(0, 3, 1, 2)
            )
    H, Wd = xp.shape[2], xp.shape[3]
    return grad_xp[:, :, before : H - after, before : Wd - after], grad_W, grad_y.sum(axis=(0, 2, 3))


_CONV = {
    "loop": (conv2d_loop, conv2d_loop_backward),
    "im2col": (conv2d_im2col, conv2d_im2col_backward),
}


@dataclass
class Conv2d(Layer):
    """A 2-D convolution layer: weight ``W`` (out_channels, in_channels, K, L), bias ``b`` (out_channels,).

    ``padding`` is an integer, "valid" (none) or "same" (output as large as the input; stride 1 only).
    ``method`` chooses the implementation, "im2col" (fast) or "loop" (the formula); both agree.
    """

    W: np.ndarray
    b: np.ndarray
    stride: int = 1
    padding: Padding = 0
    dilation: int = 1
    method: str = "im2col"

    def __post_init__(self) -> None:
        # contiguous, so that in-place updates (optimisers, gradient checks) reach every entry
        self.W = np.ascontiguousarray(self.W, dtype=float)
        self.b = np.ascontiguousarray(self.b, dtype=float)
        _check_weights(self.W, self.b)
        self.stride = checks.int_at_least(self.stride, "stride", 1)
        self.dilation = checks.int_at_least(self.dilation, "dilation", 1)
        padding_amounts(self.padding, self.W.shape[2], self.dilation)  # validates
        if self.padding == "same" and self.stride != 1:
            raise ValueError(
                "padding='same' needs stride 1 (with a larger stride no padding keeps the size); use an integer padding"
            )
        checks.one_of(self.method, _CONV, "method")

    @classmethod
    def random(
        cls,
        in_channels: int,
        out_channels: int,
        kernel: int,
        rng: np.random.Generator,
        *,
        init: str = "he_normal",
        **options,
    ) -> Conv2d:
        """A layer with weights from the initialiser ``init`` (of ``nnbook.scratch.init``) and zero bias."""
        shape = (
            checks.int_at_least(out_channels, "out_channels", 1),
            checks.int_at_least(in_channels, "in_channels", 1),
            checks.int_at_least(kernel, "kernel", 1),
            kernel,
        )
        return cls(_init.initialise(init, shape, rng), np.zeros(shape[0]), **options)

    @property
    def params(self) -> dict[str, np.ndarray]:  # type: ignore[override]
        return {"W": self.W, "b": self.b}

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x = np.asarray(x, dtype=float)
        return _CONV[self.method][0](x, self.W, self.b, self.stride, self.padding, self.dilation), x

    def backward(self, cache: np.ndarray, grad_y: np.ndarray) -> tuple[np.ndarray, Grads]:
        grad_x, grad_W, grad_b = _CONV[self.method][1](cache, self.W, grad_y, self.stride, self.padding, self.dilation)
        return grad_x, {"W": grad_W, "b": grad_b}


# ---------------------------------------------------------------------------------------------
# Pooling
# ---------------------------------------------------------------------------------------------
def pool2d_loop(x: np.ndarray, kernel: int, stride: int, reduce: Callable = np.max) -> np.ndarray:
    """Pooling by its definition: each output is ``reduce`` (max or mean) of one kernel x kernel window."""
    Ho, Wo = output_size(x.shape[2], kernel, stride), output_size(x.shape[3], kernel, stride)
    y = np.empty(x.shape[:2] + (Ho, Wo))
    for r in range(Ho):
        for c in range(Wo):
            y[:, :, r, c] = reduce(
                x[:, :, r * stride : r * stride + kernel, c * stride : c * stride + kernel], axis=(2, 3)
            )
    return y


def _add_windows(shape: tuple[int, ...], grad_windows: np.ndarray, stride: int) -> np.ndarray:
    """Sum window gradients (N, C, Ho, Wo, k, k) back onto an input of ``shape`` (windows may overlap)."""
    grad_x = np.zeros(shape)
    _, _, Ho, Wo, k, _ = grad_windows.shape
    for i in range(k):
        for j in range(k):
            grad_x[:, :, i : i + stride * (Ho - 1) + 1 : stride, j : j + stride * (Wo - 1) + 1 : stride] += (
                grad_windows[..., i, j]
            )
    return grad_x


class _Pool2d(Layer):
    def __init__(self, kernel: int, stride: int | None = None):
        self.kernel = checks.int_at_least(kernel, "kernel", 1)
        self.stride = self.kernel if stride is None else checks.int_at_least(stride, "stride", 1)
        self.params = {}

    def _windows(self, x: np.ndarray) -> np.ndarray:
        _check_images(x)
        (
            output_size(x.shape[2], self.kernel, self.stride),
            output_size(x.shape[3], self.kernel, self.stride),
        )  # validates
        return im2col(x, self.kernel, self.kernel, self.stride)  # (N, C, Ho, Wo, k, k)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(kernel={self.kernel}, stride={self.stride})"


class MaxPool2d(_Pool2d):
    """Max pooling: the largest value of each kernel x kernel window; the gradient goes to that entry only."""

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, tuple]:
        x = np.asarray(x, dtype=float)
        w = self._windows(x)
        flat = w.reshape(w.shape[:4] + (-1,))
        arg = flat.argmax(axis=-1)  # the first maximum in a tie, as PyTorch
        return np.take_along_axis(flat, arg[..., None], axis=-1)[..., 0], (x.shape, arg)

    def backward(self, cache: tuple, grad_y: np.ndarray) -> tuple[np.ndarray, Grads]:
        shape, arg = cache
        onehot = np.zeros(arg.shape + (self.kernel * self.kernel,))
        np.put_along_axis(onehot, arg[..., None], 1.0, axis=-1)
        grad_windows = (onehot * grad_y[..., None]).reshape(arg.shape + (self.kernel, self.kernel))
        return _add_windows(shape, grad_windows, self.stride), {}


class AvgPool2d(_Pool2d):
    """Average pooling: the mean of each kernel x kernel window; each entry gets 1/k^2 of the gradient."""

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, tuple]:
        x = np.asarray(x, dtype=float)
        return self._windows(x).mean(axis=(4, 5)), x.shape

    def backward(self, cache: tuple, grad_y: np.ndarray) -> tuple[np.ndarray, Grads]:
        k = self.kernel
        grad_windows = np.broadcast_to((grad_y / (k * k))[..., None, None], grad_y.shape + (k, k))
        return _add_windows(cache, grad_windows, self.stride), {}


# ---------------------------------------------------------------------------------------------
# Counting: parameters and multiply-adds
# ---------------------------------------------------------------------------------------------
def conv2d_params(
    in_channels: int, out_channels: int, kernel: int | tuple[int, int], bias: bool = True, groups: int = 1
) -> int:
    """Trainable numbers of a convolution: out * (in / groups) * K * L weights, plus out biases."""
    K, L = (kernel, kernel) if isinstance(kernel, (int, np.integer)) else kernel
    return out_channels * (in_channels // groups) * K * L + (out_channels if bias else 0)


def conv2d_macs(
    in_channels: int, out_channels: int, kernel: int | tuple[int, int], out_hw: tuple[int, int], groups: int = 1
) -> int:
    """Multiply-adds of one convolution on one image: each of out * Ho * Wo outputs needs (in / groups) * K * L."""
    K, L = (kernel, kernel) if isinstance(kernel, (int, np.integer)) else kernel
    return out_channels * out_hw[0] * out_hw[1] * (in_channels // groups) * K * L


def dense_params(n_in: int, n_out: int, bias: bool = True) -> int:
    """Trainable numbers of a dense layer: n_out * n_in weights plus n_out biases."""
    return n_out * n_in + (n_out if bias else 0)


def dense_macs(n_in: int, n_out: int) -> int:
    """Multiply-adds of a dense layer on one example: one per weight."""
    return n_out * n_in
