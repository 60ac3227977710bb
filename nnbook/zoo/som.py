"""Kohonen's self-organising map: prototypes on a grid pulled towards the inputs, neighbours together."""

from __future__ import annotations

import numpy as np

__all__ = ["som_step", "train_som", "quantisation_error", "neighbour_distance"]


def som_step(P: np.ndarray, grid: np.ndarray, x: np.ndarray, lr: float, radius: float) -> None:
    """One update, in place: find the best-matching prototype and pull it and its grid neighbours towards x."""
    winner = np.argmin(((P - x) ** 2).sum(1))
    d2 = ((grid - grid[winner]) ** 2).sum(1)  # squared distance on the map, not in input space
    pull = lr * np.exp(-d2 / (2 * radius**2))
    P += pull[:, None] * (x - P)


def train_som(
    X: np.ndarray, rows: int = 8, cols: int = 8, epochs: int = 5, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Prototypes (rows * cols, d) and their grid coordinates, with learning rate and radius shrinking over time."""
    rng = np.random.default_rng(seed)
    grid = np.array([(r, c) for r in range(rows) for c in range(cols)], dtype=float)
    P = X[rng.choice(len(X), rows * cols, replace=False)].copy()
    steps, k = epochs * len(X), 0
    for _ in range(epochs):
        for i in rng.permutation(len(X)):
            frac = k / steps
            som_step(P, grid, X[i], lr=0.5 * (1 - frac) + 0.01, radius=max(rows, cols) / 2 * (1 - frac) + 0.5)
            k += 1
    return P, grid


def quantisation_error(X: np.ndarray, P: np.ndarray) -> float:
    """Mean distance from each input to its best-matching prototype."""
    return float(np.mean(np.sqrt(((X[:, None, :] - P[None]) ** 2).sum(-1)).min(1)))


def neighbour_distance(P: np.ndarray, grid: np.ndarray) -> float:
    """Mean input-space distance between prototypes that are adjacent on the grid."""
    adj = [(i, j) for i in range(len(grid)) for j in range(len(grid)) if np.abs(grid[i] - grid[j]).sum() == 1]
    return float(np.mean([np.linalg.norm(P[i] - P[j]) for i, j in adj]))
