"""Dropout and batch normalisation as NumPy layers of the one core (``nnbook.scratch.core.Layer``).

Both behave differently in training and in evaluation: set ``layer.training`` (True at
creation). ``dropout_forward`` and ``batch_norm_forward`` are the cores the book prints; the
layers add the mode, the running statistics and the backward pass. Tested against
``torch.nn.Dropout`` and ``torch.nn.BatchNorm1d`` in ``tests/scratch/test_regularisation.py``.
"""

from __future__ import annotations

import numpy as np

from nnbook import checks
from nnbook.scratch.core import Grads, Layer

__all__ = ["dropout_forward", "batch_norm_forward", "Dropout", "BatchNorm"]


def dropout_forward(h, p, rng):
    """Inverted dropout in training: zero each unit with probability ``p``, scale the rest by
    ``1 / (1 - p)`` so the expected output is ``h``. Returns the output and the mask used."""
    keep = rng.random(h.shape) >= p  # True with probability 1 - p
    mask = keep / (1 - p)
    return h * mask, mask


def batch_norm_forward(x, gamma, beta, eps=1e-5):
    """Batch normalisation of a mini-batch ``x`` of shape (m, units), in training mode.
    Returns the output, the batch mean and the (biased, 1/m) batch variance."""
    mu = x.mean(axis=0)
    var = ((x - mu) ** 2).mean(axis=0)
    x_hat = (x - mu) / np.sqrt(var + eps)  # each unit: mean 0, variance 1 over the batch
    return gamma * x_hat + beta, mu, var


class Dropout(Layer):
    """Inverted dropout with drop probability ``p``: random in training, the identity in evaluation."""

    def __init__(self, p: float, rng: np.random.Generator | None = None):
        p = checks.probability(p, "p", "a drop probability")
        self.p, self.rng, self.training, self.params = p, rng or np.random.default_rng(), True, {}

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        if not self.training or self.p == 0:
            return x, None
        return dropout_forward(x, self.p, self.rng)

    def backward(self, cache: np.ndarray | None, grad_y: np.ndarray) -> tuple[np.ndarray, Grads]:
        return (grad_y if cache is None else grad_y * cache), {}


class BatchNorm(Layer):
    """Batch normalisation over the batch axis of (m, units) inputs, with learned ``gamma`` and
    ``beta`` and running averages for evaluation, as ``torch.nn.BatchNorm1d`` (``momentum`` is
    PyTorch's: the weight of the newest batch; the running variance uses the unbiased m/(m-1))."""

    def __init__(self, units: int, momentum: float = 0.1, eps: float = 1e-5):
        units = checks.positive_int(units, "units")
        checks.real_number(momentum, "momentum", low=0, high=1, hint="the weight of the newest batch")
        self.params = {"gamma": np.ones(units), "beta": np.zeros(units)}
        self.running_mean, self.running_var = np.zeros(units), np.ones(units)
        self.momentum, self.eps, self.training = momentum, eps, True

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, tuple]:
        gamma, beta = self.params["gamma"], self.params["beta"]
        checks.shape_is(x, (None, len(gamma)), f"the input of BatchNorm({len(gamma)})", "(m, units)")
        if not self.training:
            x_hat = (x - self.running_mean) / np.sqrt(self.running_var + self.eps)
            return gamma * x_hat + beta, (x_hat, self.running_var, False)
        m = len(checks.min_length(x, 2, "a batch in training", "example", "the running variance divides by m - 1"))
        y, mu, var = batch_norm_forward(x, gamma, beta, self.eps)
        self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * mu
        self.running_var = (1 - self.momentum) * self.running_var + self.momentum * var * m / (m - 1)
        return y, ((x - mu) / np.sqrt(var + self.eps), var, True)

    def backward(self, cache: tuple, grad_y: np.ndarray) -> tuple[np.ndarray, Grads]:
        x_hat, var, batch_stats = cache
        gamma = self.params["gamma"]
        grads = {"gamma": (grad_y * x_hat).sum(axis=0), "beta": grad_y.sum(axis=0)}
        g_hat = grad_y * gamma
        if not batch_stats:  # evaluation: a fixed affine map per unit
            return g_hat / np.sqrt(var + self.eps), grads
        # training: the batch mean and variance depend on every input of the batch
        grad_x = (g_hat - g_hat.mean(axis=0) - x_hat * (g_hat * x_hat).mean(axis=0)) / np.sqrt(var + self.eps)
        return grad_x, grads
