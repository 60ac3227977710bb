"""A radial basis function network: Gaussian bumps around k-means centres, output weights by least squares."""

from __future__ import annotations

import numpy as np

__all__ = ["rbf_features", "fit_rbf", "predict_rbf"]


def rbf_features(X: np.ndarray, centres: np.ndarray, width: float) -> np.ndarray:
    """phi_j(x) = exp(-|x - c_j|^2 / (2 width^2)) for every row of X and centre c_j, plus a constant 1."""
    sq = ((X[:, None, :] - centres[None, :, :]) ** 2).sum(-1)
    return np.column_stack([np.exp(-sq / (2 * width**2)), np.ones(len(X))])


def fit_rbf(X: np.ndarray, T: np.ndarray, n_centres: int, width: float, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Centres by k-means on X, then the output weights that minimise the squared error to targets T."""
    from sklearn.cluster import KMeans

    if n_centres < 1 or n_centres > len(X):
        raise ValueError(f"n_centres must be between 1 and the number of examples ({len(X)}); got {n_centres}")
    if width <= 0:
        raise ValueError(f"width must be positive; got {width}")
    centres = KMeans(n_centres, n_init=4, random_state=seed).fit(X).cluster_centers_
    W = np.linalg.lstsq(rbf_features(X, centres, width), T, rcond=None)[0]
    return centres, W


def predict_rbf(X: np.ndarray, centres: np.ndarray, W: np.ndarray, width: float) -> np.ndarray:
    """The network's outputs: the features times the output weights."""
    return rbf_features(X, centres, width) @ W
