"""An echo state network: a fixed random recurrent reservoir and a linear readout fitted by ridge regression."""

from __future__ import annotations

import numpy as np

__all__ = ["reservoir", "reservoir_states", "waveform", "esn_forecast_error"]


def reservoir(n: int, spectral_radius: float, rng: np.random.Generator, density: float = 0.1) -> np.ndarray:
    """A sparse random n x n recurrent matrix rescaled to the given spectral radius."""
    W = rng.standard_normal((n, n)) * (rng.random((n, n)) < density)
    return W * (spectral_radius / np.max(np.abs(np.linalg.eigvals(W))))


def reservoir_states(u: np.ndarray, W: np.ndarray, W_in: np.ndarray) -> np.ndarray:
    """h_t = tanh(W h_{t-1} + W_in u_t) for a scalar input sequence u; one row of states per step."""
    h = np.zeros(len(W))
    states = np.empty((len(u), len(W)))
    for t, u_t in enumerate(u):
        h = np.tanh(W @ h + W_in * u_t)
        states[t] = h
    return states


def waveform(n: int, seed: int = 0) -> np.ndarray:
    """Two incommensurate sines and a little noise: a signal with no exact period."""
    t = np.arange(n)
    return np.sin(0.2 * t) + 0.5 * np.sin(0.311 * t) + 0.05 * np.random.default_rng(seed).standard_normal(n)


def esn_forecast_error(
    spectral_radius: float = 0.9, n_reservoir: int = 200, seed: int = 0, washout: int = 100
) -> float:
    """Normalised RMS error of one-step-ahead prediction on the last third of ``waveform(1500)``."""
    rng = np.random.default_rng(seed)
    u = waveform(1500, seed)
    W, W_in = reservoir(n_reservoir, spectral_radius, rng), rng.uniform(-0.5, 0.5, n_reservoir)
    H = reservoir_states(u[:-1], W, W_in)
    split = 1000
    Htr, ytr = H[washout:split], u[washout + 1 : split + 1]
    w = np.linalg.solve(Htr.T @ Htr + 1e-6 * np.eye(n_reservoir), Htr.T @ ytr)
    pred, target = H[split:] @ w, u[split + 1 :]
    return float(np.sqrt(np.mean((pred - target) ** 2)) / np.std(target))
