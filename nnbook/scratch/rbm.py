"""Restricted Boltzmann machines in NumPy: energy, free energy, Gibbs sampling, CD-k and PCD,
and the exact partition function of a small RBM by enumeration.

Binary visible units v (n_visible) and binary hidden units h (n_hidden), weights ``W`` of shape
``(n_hidden, n_visible)`` (the dense-layer convention, so ``W`` initialises a ``Dense`` layer
directly), visible biases ``b`` and hidden biases ``c``:

    E(v, h) = -b.v - c.h - h.W v,      p(v, h) = exp(-E(v, h)) / Z.

Training follows the gradient of the average negative log-likelihood of the data, estimated with
contrastive divergence; the parameters are updated by the core's :func:`sgd_step`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from nnbook import checks
from nnbook.history import History
from nnbook.scratch import init as _init
from nnbook.scratch.activations import sigmoid, softplus
from nnbook.scratch.core import Grads, minibatches, sgd_step
from nnbook.scratch.losses import logsumexp

__all__ = [
    "RBM",
    "sample_bernoulli",
    "gibbs_step",
    "cd_gradients",
    "cd_step",
    "pcd_step",
    "train_rbm",
    "binary_states",
    "log_partition",
    "log_marginal_brute_force",
    "exact_log_likelihood",
    "reconstruction_error",
]

MAX_ENUMERATED_UNITS = 20  # 2**20 states: the largest side we sum over exactly


@dataclass
class RBM:
    """A binary RBM: weights ``W`` (n_hidden, n_visible), visible biases ``b``, hidden biases ``c``."""

    W: np.ndarray
    b: np.ndarray
    c: np.ndarray

    def __post_init__(self) -> None:
        self.W, self.b, self.c = (np.asarray(a, dtype=float) for a in (self.W, self.b, self.c))
        if self.W.ndim != 2:
            raise ValueError(f"W must be a matrix of shape (n_hidden, n_visible); got shape {self.W.shape}")
        if self.b.shape != (self.W.shape[1],) or self.c.shape != (self.W.shape[0],):
            raise ValueError(
                f"b must have shape ({self.W.shape[1]},) and c shape ({self.W.shape[0]},) "
                f"for W of shape {self.W.shape}; got {self.b.shape} and {self.c.shape}"
            )

    @classmethod
    def create(
        cls,
        n_visible: int,
        n_hidden: int,
        rng: np.random.Generator,
        *,
        std: float = 0.01,
        visible_mean: np.ndarray | None = None,
    ) -> RBM:
        """Small Gaussian weights; visible biases log(p / (1 - p)) of the data's mean ``visible_mean``
        when given (so that the untrained model already has the right pixel averages), else 0."""
        W = _init.normal((n_hidden, n_visible), rng, std=std)
        b = np.zeros(n_visible)
        if visible_mean is not None:
            p = np.clip(np.asarray(visible_mean, dtype=float), 1e-3, 1 - 1e-3)
            if p.shape != (n_visible,):
                raise ValueError(f"visible_mean must have shape ({n_visible},); got {p.shape}")
            b = np.log(p / (1 - p))
        return cls(W, b, np.zeros(n_hidden))

    @property
    def n_visible(self) -> int:
        return self.W.shape[1]

    @property
    def n_hidden(self) -> int:
        return self.W.shape[0]

    @property
    def params(self) -> dict[str, np.ndarray]:
        return {"W": self.W, "b": self.b, "c": self.c}

    def copy(self) -> RBM:
        """An independent copy (of the same class, with the same settings)."""
        return dataclasses.replace(self, W=self.W.copy(), b=self.b.copy(), c=self.c.copy())

    def hidden_probs(self, v) -> np.ndarray:
        """p(h_j = 1 | v) = sigmoid(c_j + W_j . v) for every hidden unit (rows of the batch ``v``)."""
        return sigmoid(checks.rows(v, self.n_visible, "v") @ self.W.T + self.c)

    def visible_probs(self, h) -> np.ndarray:
        """p(v_i = 1 | h) = sigmoid(b_i + h . W[:, i]) for every visible unit."""
        return sigmoid(checks.rows(h, self.n_hidden, "h") @ self.W + self.b)

    def visible_states(self) -> np.ndarray:
        """Every visible vector the model can take, one per row (here all 2**n_visible binary vectors)."""
        return binary_states(self.n_visible)

    def sample_visible(self, h, rng: np.random.Generator) -> np.ndarray:
        """A visible vector drawn from p(v | h): each unit an independent Bernoulli draw."""
        return sample_bernoulli(self.visible_probs(h), rng)

    def energy(self, v, h) -> np.ndarray:
        """E(v, h) = -b.v - c.h - h.W v, one value per row."""
        v, h = checks.rows(v, self.n_visible, "v"), checks.rows(h, self.n_hidden, "h")
        return -v @ self.b - h @ self.c - np.sum((h @ self.W) * v, axis=1)

    def free_energy(self, v) -> np.ndarray:
        """F(v) = -b.v - sum_j softplus(c_j + W_j . v), so that p(v) = exp(-F(v)) / Z."""
        v = checks.rows(v, self.n_visible, "v")
        return -v @ self.b - softplus(v @ self.W.T + self.c).sum(axis=1)


def sample_bernoulli(p: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Independent 0/1 samples with P(1) = p, element-wise."""
    return (rng.random(np.shape(p)) < p).astype(float)


def gibbs_step(rbm: RBM, v: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """One block Gibbs step v -> h ~ p(h | v) -> v' ~ p(v | h); returns (v', h).

    All hidden units are sampled at once because they are independent given v (and vice versa).
    """
    h = sample_bernoulli(rbm.hidden_probs(v), rng)
    return rbm.sample_visible(h, rng), h


def cd_gradients(rbm: RBM, v_data: np.ndarray, v_model: np.ndarray) -> Grads:
    """Estimated gradient of the mean negative log-likelihood: model statistics minus data statistics.

    ``v_data`` is a mini-batch of data, ``v_model`` samples from the chains (CD or PCD); the
    hidden units enter through their probabilities p(h | v), which lowers the variance.
    """
    ph_data, ph_model = rbm.hidden_probs(v_data), rbm.hidden_probs(v_model)
    n, m = len(v_data), len(v_model)
    return {
        "W": ph_model.T @ v_model / m - ph_data.T @ v_data / n,
        "b": v_model.mean(axis=0) - v_data.mean(axis=0),
        "c": ph_model.mean(axis=0) - ph_data.mean(axis=0),
    }


def cd_step(rbm: RBM, v_data: np.ndarray, lr: float, rng: np.random.Generator, k: int = 1) -> np.ndarray:
    """One CD-k update: chains start at the data, run k Gibbs steps, then one gradient step."""
    v = v_data
    for _ in range(k):
        v, _h = gibbs_step(rbm, v, rng)
    sgd_step(rbm.params, cd_gradients(rbm, v_data, v), lr)
    return v


def pcd_step(
    rbm: RBM, v_data: np.ndarray, chains: np.ndarray, lr: float, rng: np.random.Generator, k: int = 1
) -> np.ndarray:
    """One persistent-CD update: the chains continue from where the last update left them."""
    for _ in range(k):
        chains, _h = gibbs_step(rbm, chains, rng)
    sgd_step(rbm.params, cd_gradients(rbm, v_data, chains), lr)
    return chains


def reconstruction_error(rbm: RBM, v) -> float:
    """Mean squared difference between v and its mean-field reconstruction p(v | p(h | v))."""
    v = checks.rows(v, rbm.n_visible, "v")
    return float(np.mean((v - rbm.visible_probs(rbm.hidden_probs(v))) ** 2))


def train_rbm(
    rbm: RBM,
    X: np.ndarray,
    *,
    epochs: int,
    lr: float,
    rng: np.random.Generator,
    method: str = "cd",
    k: int = 1,
    batch_size: int = 32,
    n_chains: int | None = None,
    weight_decay: float = 0.0,
    monitor: Callable[[RBM], dict[str, float]] | None = None,
) -> History:
    """Train ``rbm`` in place on the rows of ``X`` with CD-k (``method="cd"``) or PCD-k (``"pcd"``).

    Records after every epoch the reconstruction error and whatever ``monitor(rbm)`` returns (for
    example the exact log-likelihood of a tiny RBM). ``weight_decay`` shrinks W by the factor
    ``1 - lr * weight_decay`` after each update (an L2 penalty).
    """
    X = checks.rows(X, rbm.n_visible, "X")
    checks.one_of(method, {"cd": "contrastive divergence", "pcd": "persistent CD"}, "method")
    checks.positive_int(epochs, "epochs", minimum=0)
    checks.positive_int(k, "k")
    checks.positive_int(batch_size, "batch_size")
    checks.learning_rate(lr)
    chains = sample_bernoulli(np.full((n_chains or batch_size, rbm.n_visible), 0.5), rng) if method == "pcd" else None
    history = History()

    def record() -> None:
        history.record(reconstruction_error=reconstruction_error(rbm, X), **(monitor(rbm) if monitor else {}))

    record()
    for _ in range(epochs):
        for idx in minibatches(len(X), batch_size, rng):
            if method == "cd":
                cd_step(rbm, X[idx], lr, rng, k)
            else:
                chains = pcd_step(rbm, X[idx], chains, lr, rng, k)
            if weight_decay:
                rbm.W *= 1.0 - lr * weight_decay  # L2 penalty: shrink W after the step
        record()
    return history


# --- exact quantities of a small RBM, by enumeration ---------------------------------------------


def binary_states(n: int) -> np.ndarray:
    """All 2**n binary vectors of length n, as rows of a (2**n, n) float array (counting order)."""
    checks.int_in_range(n, "n (the number of units whose 2**n states are enumerated)", 0, MAX_ENUMERATED_UNITS)
    return ((np.arange(2**n)[:, None] >> np.arange(n - 1, -1, -1)) & 1).astype(float)


def log_partition(rbm: RBM) -> float:
    """log Z = log sum_v exp(-F(v)), summed exactly over every visible vector the model can take."""
    if rbm.n_visible > MAX_ENUMERATED_UNITS:
        raise ValueError(
            f"exact log Z enumerates 2**n_visible states; n_visible = {rbm.n_visible} is too many "
            f"(at most {MAX_ENUMERATED_UNITS})"
        )
    return float(logsumexp(-rbm.free_energy(rbm.visible_states()), axis=0))


def log_marginal_brute_force(rbm: RBM, v) -> np.ndarray:
    """log sum_h exp(-E(v, h)) by summing over all 2**n_hidden hidden vectors (for checking F)."""
    v = checks.rows(v, rbm.n_visible, "v")
    H = binary_states(rbm.n_hidden)
    minus_E = np.stack([-rbm.energy(np.repeat(row[None], len(H), 0), H) for row in v])
    return logsumexp(minus_E, axis=1)


def exact_log_likelihood(rbm: RBM, X) -> float:
    """The mean log p(x) over the rows of X, with the exact partition function."""
    X = checks.rows(X, rbm.n_visible, "X")
    return float(np.mean(-rbm.free_energy(X)) - log_partition(rbm))
