"""The update rules of chapter 7's optimisers, in NumPy: SGD with (Nesterov) momentum, and Adam.

``momentum_update`` and ``adam_update`` are the cores the book prints: one parameter array, its
gradient and its optimiser state in, the new array and state out. :class:`SGD` and :class:`Adam`
apply them in place to every array of a ``params`` dict (``nnbook.scratch.core``), keeping one
state per parameter. Both follow PyTorch's ``torch.optim.SGD`` and ``torch.optim.Adam`` exactly
(``tests/scratch/test_optim.py`` checks it in float64).
"""

from __future__ import annotations

import numpy as np

from nnbook import checks

__all__ = ["momentum_update", "adam_update", "SGD", "Adam"]


def momentum_update(theta, g, v, lr, mu=0.0, nesterov=False, weight_decay=0.0):
    """One SGD step with momentum ``mu`` (plain SGD when ``mu = 0``); returns ``(theta, v)``."""
    g = g + weight_decay * theta  # the gradient of the loss plus (weight_decay / 2) * ||theta||^2
    v = mu * v + g  # velocity: a decaying sum of past gradients (v = 0 before the first step)
    step = g + mu * v if nesterov else v  # Nesterov: look one velocity step ahead
    return theta - lr * step, v


def adam_update(theta, g, m, s, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """One Adam step (step number ``t`` counts from 1); returns ``(theta, m, s)``."""
    m = beta1 * m + (1 - beta1) * g  # running mean of the gradient
    s = beta2 * s + (1 - beta2) * g * g  # running mean of its square
    m_hat = m / (1 - beta1**t)  # undo the bias towards the zero start
    s_hat = s / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(s_hat) + eps), m, s


class SGD:
    """Stochastic gradient descent with optional (Nesterov) momentum and weight decay, in place."""

    def __init__(self, lr: float, momentum: float = 0.0, nesterov: bool = False, weight_decay: float = 0.0):
        checks.learning_rate(lr)
        checks.probability(momentum, "momentum", "a momentum coefficient")
        if nesterov and momentum == 0:
            raise ValueError("nesterov=True needs a momentum > 0 (as in torch.optim.SGD)")
        checks.real_number(weight_decay, "weight_decay", low=0, low_inclusive=True)
        self.lr, self.momentum, self.nesterov, self.weight_decay = lr, momentum, nesterov, weight_decay
        self.velocity: dict[str, np.ndarray] = {}

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        """Update every array of ``params`` in place from ``grads`` (same names)."""
        for name, p in params.items():
            v = self.velocity.get(name, np.zeros_like(p))
            p[...], self.velocity[name] = momentum_update(
                p, grads[name], v, self.lr, self.momentum, self.nesterov, self.weight_decay
            )


class Adam:
    """Adam (Kingma and Ba), in place, with PyTorch's defaults."""

    def __init__(self, lr: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8):
        checks.learning_rate(lr)
        checks.probability(beta1, "beta1", "a decay rate")
        checks.probability(beta2, "beta2", "a decay rate")
        checks.positive_number(eps, "eps")
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.t = 0
        self.m: dict[str, np.ndarray] = {}
        self.s: dict[str, np.ndarray] = {}

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        """Update every array of ``params`` in place from ``grads`` (same names)."""
        self.t += 1
        for name, p in params.items():
            m, s = self.m.get(name, np.zeros_like(p)), self.s.get(name, np.zeros_like(p))
            p[...], self.m[name], self.s[name] = adam_update(
                p, grads[name], m, s, self.t, self.lr, self.beta1, self.beta2, self.eps
            )
