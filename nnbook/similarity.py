"""Comparing the internal representations of networks: RDMs (representational similarity
analysis), linear CKA, and an MDS map of many representations.

A representation is a matrix ``X`` of shape (n, p): the p activations of one layer for the same
n inputs. Two representations are compared through the n inputs, so p may differ between them.
"""

from __future__ import annotations

import numpy as np


def _matrix(X, name: str) -> np.ndarray:
    A = np.asarray(X, dtype=np.float64)
    if A.ndim != 2:
        raise ValueError(f"{name} must be a matrix of shape (n_inputs, n_units); got shape {A.shape}")
    if A.shape[0] < 2:
        raise ValueError(f"{name} needs at least 2 inputs (rows) to compare; got {A.shape[0]}")
    if not np.all(np.isfinite(A)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return A


def rdm(X, metric: str = "correlation") -> np.ndarray:
    """The representational dissimilarity matrix: entry (i, j) is how differently inputs i and j are
    represented, ``1 - Pearson correlation`` of rows i and j (``metric="correlation"``) or their
    Euclidean distance (``metric="euclidean"``). Symmetric, zero diagonal, shape (n, n)."""
    A = _matrix(X, "X")
    if metric == "correlation":
        C = A - A.mean(axis=1, keepdims=True)
        norms = np.linalg.norm(C, axis=1)
        flat = np.flatnonzero(norms < 1e-12)
        if flat.size:
            raise ValueError(
                f"correlation is undefined for rows with constant values (rows {flat[:5].tolist()}...); "
                "use metric='euclidean' or drop those inputs"
            )
        C = C / norms[:, None]
        D = 1.0 - C @ C.T
    elif metric == "euclidean":
        sq = (A**2).sum(axis=1)
        D = np.sqrt(np.maximum(sq[:, None] + sq[None, :] - 2.0 * A @ A.T, 0.0))
    else:
        raise ValueError(f"metric must be 'correlation' or 'euclidean'; got {metric!r}")
    D = 0.5 * (D + D.T)
    np.fill_diagonal(D, 0.0)
    return D


def upper(D) -> np.ndarray:
    """The entries above the diagonal of a square matrix, as a vector (each pair of inputs once)."""
    D = np.asarray(D)
    if D.ndim != 2 or D.shape[0] != D.shape[1]:
        raise ValueError(f"expected a square matrix; got shape {D.shape}")
    return D[np.triu_indices(D.shape[0], k=1)]


def rsa(rdm_a, rdm_b) -> float:
    """Representational similarity of two RDMs over the same inputs: Spearman rank correlation of
    their upper triangles (ranks, because distances of different systems need not be linearly related)."""
    from scipy.stats import spearmanr

    a, b = upper(rdm_a), upper(rdm_b)
    if a.shape != b.shape:
        raise ValueError(f"the RDMs must cover the same inputs; got {np.shape(rdm_a)} and {np.shape(rdm_b)}")
    if a.size < 2:
        raise ValueError("RSA needs RDMs over at least 3 inputs")
    return float(spearmanr(a, b).statistic)


def linear_cka(X, Y) -> float:
    """Linear centred kernel alignment of two representations of the same n inputs.

    With column-centred X (n, p) and Y (n, q): ``||Y^T X||_F^2 / (||X^T X||_F ||Y^T Y||_F)``, in
    [0, 1]; 1 when Y is an orthogonal transform of X times a positive scale (Kornblith et al. 2019).
    """
    A, B = _matrix(X, "X"), _matrix(Y, "Y")
    if A.shape[0] != B.shape[0]:
        raise ValueError(
            f"X and Y must describe the same inputs (same number of rows); got {A.shape[0]} and {B.shape[0]}"
        )
    A = A - A.mean(axis=0)
    B = B - B.mean(axis=0)
    # rescale first: CKA is scale-free, and this keeps the squared norms far from overflow
    A /= np.linalg.norm(A) or 1.0
    B /= np.linalg.norm(B) or 1.0
    xx = np.linalg.norm(A.T @ A)
    yy = np.linalg.norm(B.T @ B)
    if xx == 0 or yy == 0:
        raise ValueError("CKA is undefined for a representation that is the same for every input")
    return float(np.linalg.norm(B.T @ A) ** 2 / (xx * yy))


def pairwise(reps, similarity=linear_cka) -> np.ndarray:
    """The symmetric matrix of ``similarity(reps[i], reps[j])`` over a list of representations."""
    reps = list(reps)
    if len(reps) < 2:
        raise ValueError(f"need at least two representations to compare; got {len(reps)}")
    k = len(reps)
    S = np.eye(k)
    for i in range(k):
        for j in range(i + 1, k):
            S[i, j] = S[j, i] = similarity(reps[i], reps[j])
    return S


def mds(D, n_components: int = 2, seed: int = 0) -> np.ndarray:
    """Points in ``n_components`` dimensions whose distances approximate the dissimilarities ``D``
    (metric multidimensional scaling, scikit-learn's SMACOF). Returns shape (k, n_components)."""
    from sklearn.manifold import MDS

    D = np.asarray(D, dtype=np.float64)
    if D.ndim != 2 or D.shape[0] != D.shape[1]:
        raise ValueError(f"D must be a square matrix of dissimilarities; got shape {D.shape}")
    if not np.allclose(D, D.T, atol=1e-10) or np.any(D < -1e-12) or not np.allclose(np.diag(D), 0):
        raise ValueError("D must be symmetric, non-negative, with a zero diagonal")
    if D.shape[0] <= n_components:
        raise ValueError(f"need more than {n_components} items to place in {n_components} dimensions; got {D.shape[0]}")
    model = MDS(n_components=n_components, metric="precomputed", n_init=4, init="random", random_state=seed)
    return model.fit_transform(np.maximum(D, 0.0))


def unit_correlations(X, Y) -> np.ndarray:
    """Pearson correlation of every unit (column) of X with every unit of Y over the same inputs,
    shape (p, q). A unit that is constant over the inputs (e.g. a ReLU that never fires)
    correlates 0 with everything."""
    A, B = _matrix(X, "X"), _matrix(Y, "Y")
    if A.shape[0] != B.shape[0]:
        raise ValueError(
            f"X and Y must describe the same inputs (same number of rows); got {A.shape[0]} and {B.shape[0]}"
        )

    def standardise(M):
        M = M - M.mean(axis=0)
        norms = np.linalg.norm(M, axis=0)
        return M / np.where(norms > 1e-12, norms, np.inf)

    return standardise(A).T @ standardise(B)
