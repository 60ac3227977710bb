"""An extreme learning machine: a random, untrained hidden layer and a ridge-regression readout.

The hidden layer is a `Dense` layer of the book's one NumPy core with weights from `init.py`.
"""

from __future__ import annotations

import numpy as np

from nnbook.scratch import init
from nnbook.scratch.layers import Dense

__all__ = ["random_hidden_layer", "ridge_readout", "elm_accuracy"]


def random_hidden_layer(n_in: int, n_hidden: int, rng: np.random.Generator, scale: float = 1.0) -> Dense:
    """A tanh layer with Xavier-normal weights times ``scale`` and small random biases; it is never trained."""
    return Dense(scale * init.xavier_normal((n_hidden, n_in), rng), 0.1 * rng.standard_normal(n_hidden), "tanh")


def ridge_readout(H: np.ndarray, T: np.ndarray, ridge: float = 1e-2) -> np.ndarray:
    """Output weights B minimising |H B - T|^2 + ridge |B|^2 (the only trained parameters of an ELM)."""
    return np.linalg.solve(H.T @ H + ridge * np.eye(H.shape[1]), H.T @ T)


def elm_accuracy(X_tr, y_tr, X_te, y_te, n_hidden: int, seed: int = 0, ridge: float = 1e-2) -> float:
    """Test accuracy of an ELM with ``n_hidden`` random units on a classification task (one-hot targets)."""
    rng = np.random.default_rng(seed)
    layer = random_hidden_layer(X_tr.shape[1], n_hidden, rng, scale=3.0)
    B = ridge_readout(layer(X_tr), np.eye(int(y_tr.max()) + 1)[y_tr], ridge)
    return float(np.mean((layer(X_te) @ B).argmax(1) == y_te))
