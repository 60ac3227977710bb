"""The threshold neuron, the perceptron learning rule and tiny two-layer sigmoid networks, in NumPy.

Conventions: inputs ``X`` have shape ``(n, d)``; a layer's weights ``W`` have shape
``(units, inputs)``, so its weighted inputs are ``X @ W.T + b``. Labels are 0/1 integers.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from nnbook.scratch.activations import sigmoid, step

Params = dict[str, np.ndarray]
PARAM_NAMES = ("W1", "b1", "W2", "b2")


# --- single neurons --------------------------------------------------------------------------
# step (1 where z >= 0, else 0) and sigmoid are the book's single implementations, from activations.py.

ACTIVATIONS = {"step": step, "sigmoid": sigmoid}


def as_inputs(X, n_features: int | None = None, name: str = "X") -> np.ndarray:
    """``X`` as a float array of shape (n, d); a clear ValueError otherwise."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or len(X) == 0:
        raise ValueError(f"{name} must be a non-empty 2-D array of shape (n_samples, n_features); got shape {X.shape}")
    if n_features is not None and X.shape[1] != n_features:
        raise ValueError(f"{name} must have {n_features} feature column(s); got shape {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError(f"{name} must contain only finite numbers")
    return X


def as_labels(y, n: int) -> np.ndarray:
    """``y`` as an int array of n labels in {0, 1}; a clear ValueError otherwise."""
    y = np.asarray(y)
    if y.shape != (n,):
        raise ValueError(f"y must have shape ({n},), one label per row of X; got shape {y.shape}")
    if not np.all(np.isin(y, (0, 1))):
        raise ValueError(f"y must hold the labels 0 and 1 only; got values {sorted(set(np.unique(y).tolist()))}")
    return y.astype(np.int64)


def neuron(X, w, b: float, activation: str = "step") -> np.ndarray:
    """Output of one neuron for each row of ``X``: ``activation(X @ w + b)``."""
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}; got {activation!r}")
    w = np.asarray(w, dtype=np.float64)
    if w.ndim != 1:
        raise ValueError(f"w must be a 1-D weight vector; got shape {w.shape}")
    X = as_inputs(X, len(w))
    return ACTIVATIONS[activation](X @ w + float(b))


# --- the perceptron ---------------------------------------------------------------------------

def perceptron_update(w: np.ndarray, b: float, x: np.ndarray, y: int, lr: float) -> tuple[np.ndarray, float, bool]:
    """One step of the rule ``w += lr (y - y_hat) x``, ``b += lr (y - y_hat)``; also says if it changed."""
    y_hat = float(x @ w + b >= 0)
    delta = lr * (y - y_hat)
    return w + delta * x, b + delta, delta != 0


@dataclass
class Perceptron:
    """Rosenblatt's perceptron: one step neuron trained by the perceptron learning rule.

    ``fit`` sweeps the data in order (or shuffled with ``seed`` when ``shuffle``), updating on
    every mistake, and stops after the first epoch without a mistake or after ``max_epochs``.
    """

    lr: float = 1.0
    max_epochs: int = 100
    shuffle: bool = False
    seed: int = 0
    w_: np.ndarray = field(init=False, repr=False)
    b_: float = field(init=False, repr=False)
    errors_: list[int] = field(init=False, repr=False)  # mistakes (= updates) in each epoch
    history_: list[tuple[np.ndarray, float]] = field(init=False, repr=False)  # (w, b) before the 1st and after each update
    updated_on_: list[int] = field(init=False, repr=False)  # sample index behind each update
    update_epoch_: list[int] = field(init=False, repr=False)  # epoch (from 1) of each update

    def __post_init__(self) -> None:
        if not (isinstance(self.lr, (int, float)) and self.lr > 0):
            raise ValueError(f"lr (learning rate) must be a positive number; got {self.lr!r}")
        if isinstance(self.max_epochs, bool) or not isinstance(self.max_epochs, (int, np.integer)) or self.max_epochs < 1:
            raise ValueError(f"max_epochs must be an integer >= 1; got {self.max_epochs!r}")

    def fit(self, X, y, w0=None, b0: float = 0.0) -> Perceptron:
        """Learn ``w_`` and ``b_`` from inputs ``X`` (n, d) and labels ``y`` in {0, 1}; start at ``w0`` (zeros)."""
        X = as_inputs(X)
        y = as_labels(y, len(X))
        w = np.zeros(X.shape[1]) if w0 is None else np.array(w0, dtype=np.float64)
        if w.shape != (X.shape[1],):
            raise ValueError(f"w0 must have shape ({X.shape[1]},); got {w.shape}")
        b = float(b0)
        rng = np.random.default_rng(self.seed)
        self.errors_, self.history_, self.updated_on_, self.update_epoch_ = [], [(w.copy(), b)], [], []
        for epoch in range(1, self.max_epochs + 1):
            order = rng.permutation(len(X)) if self.shuffle else range(len(X))
            mistakes = 0
            for i in order:
                w, b, changed = perceptron_update(w, b, X[i], y[i], self.lr)
                if changed:
                    mistakes += 1
                    self.history_.append((w.copy(), b))
                    self.updated_on_.append(int(i))
                    self.update_epoch_.append(epoch)
            self.errors_.append(mistakes)
            if mistakes == 0:
                break
        self.w_, self.b_ = w, b
        return self

    @property
    def converged_(self) -> bool:
        """True when the last epoch made no mistake (the training data is classified correctly)."""
        return bool(self.errors_) and self.errors_[-1] == 0

    @property
    def n_updates_(self) -> int:
        """Total number of weight updates (mistakes) during training."""
        return len(self.updated_on_)

    def decision_function(self, X) -> np.ndarray:
        """The weighted input ``X @ w + b`` of each row (>= 0 means class 1)."""
        if not hasattr(self, "w_"):
            raise RuntimeError("this Perceptron is not fitted yet; call fit(X, y) first")
        return as_inputs(X, len(self.w_)) @ self.w_ + self.b_

    def predict(self, X) -> np.ndarray:
        """Predicted labels in {0, 1}."""
        return step(self.decision_function(X)).astype(np.int64)


def novikoff_bound(X, y, w_star, b_star: float) -> float:
    """Novikoff's bound ``(R / gamma)^2`` on the perceptron's updates (start at zero) for the
    separator ``(w_star, b_star)``: R is the largest norm of ``(x, 1)``, gamma its margin there."""
    X = as_inputs(X)
    y = as_labels(y, len(X))
    Xa = np.c_[X, np.ones(len(X))]
    u = np.r_[np.asarray(w_star, dtype=np.float64), float(b_star)]
    if u.shape != (Xa.shape[1],):
        raise ValueError(f"w_star must have shape ({X.shape[1]},); got {np.shape(w_star)}")
    gamma = np.min((2 * y - 1) * (Xa @ u)) / np.linalg.norm(u)
    if gamma <= 0:
        raise ValueError(f"(w_star, b_star) does not separate the data (margin {gamma:.3g} <= 0)")
    R = np.linalg.norm(Xa, axis=1).max()
    return float((R / gamma) ** 2)


# --- two-layer networks -----------------------------------------------------------------------

def check_params(params: Params) -> tuple[int, int, int]:
    """Validate a two-layer network's shapes; return (inputs, hidden units, outputs)."""
    missing = [k for k in PARAM_NAMES if k not in params]
    if missing:
        raise ValueError(f"params must hold {list(PARAM_NAMES)}; missing {missing}")
    W1, b1, W2, b2 = (np.asarray(params[k]) for k in PARAM_NAMES)
    if W1.ndim != 2 or W2.ndim != 2 or b1.shape != (W1.shape[0],) or W2.shape[1] != W1.shape[0] or b2.shape != (W2.shape[0],):
        raise ValueError(
            "params shapes must be W1 (h, d), b1 (h,), W2 (k, h), b2 (k,); "
            f"got W1 {W1.shape}, b1 {b1.shape}, W2 {W2.shape}, b2 {b2.shape}"
        )
    return W1.shape[1], W1.shape[0], W2.shape[0]


def forward(params: Params, X, activation: str = "sigmoid") -> tuple[np.ndarray, np.ndarray]:
    """Hidden activations H (n, h) and outputs Y (n, k) of a two-layer network."""
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}; got {activation!r}")
    d, _, _ = check_params(params)
    f = ACTIVATIONS[activation]
    H = f(as_inputs(X, d) @ params["W1"].T + params["b1"])
    return H, f(H @ params["W2"].T + params["b2"])


def xor_hand_params() -> Params:
    """Hand-chosen weights of a 2-2-1 step network computing XOR = OR and not AND."""
    return {
        "W1": np.array([[1.0, 1.0], [1.0, 1.0]]),  # hidden unit 1: OR, hidden unit 2: AND
        "b1": np.array([-0.5, -1.5]),
        "W2": np.array([[1.0, -1.0]]),  # fire for OR, unless AND
        "b2": np.array([-0.5]),
    }


def init_params(n_in: int, n_hidden: int, n_out: int, seed: int = 0, scale: float = 1.0) -> Params:
    """Small random Gaussian weights (std ``scale``) and zero biases, from ``seed``."""
    for name, v in (("n_in", n_in), ("n_hidden", n_hidden), ("n_out", n_out)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(f"{name} must be an integer >= 1; got {v!r}")
    rng = np.random.default_rng(seed)
    return {
        "W1": scale * rng.standard_normal((n_hidden, n_in)),
        "b1": np.zeros(n_hidden),
        "W2": scale * rng.standard_normal((n_out, n_hidden)),
        "b2": np.zeros(n_out),
    }


def as_targets(T, n: int, k: int) -> np.ndarray:
    """Targets as a float array (n, k); a 1-D vector is accepted when k == 1."""
    T = np.asarray(T, dtype=np.float64)
    if T.ndim == 1 and k == 1:
        T = T[:, None]
    if T.shape != (n, k):
        raise ValueError(f"targets must have shape ({n}, {k}), one row per input and one column per output; got {T.shape}")
    return T


def loss(params: Params, X, T) -> float:
    """Squared-error cost ``1/(2n) sum (Y - T)^2`` of a sigmoid network over n samples."""
    _, Y = forward(params, X)
    T = as_targets(T, *Y.shape)
    return float(0.5 * np.sum((Y - T) ** 2) / len(Y))


def gradients(params: Params, X, T) -> Params:
    """Gradients of :func:`loss` with respect to W1, b1, W2, b2, by the chain rule."""
    X = as_inputs(X)
    _, _, k = check_params(params)
    return _loss_and_gradients(params, X, as_targets(T, len(X), k))[1]


def _loss_and_gradients(params: Params, X: np.ndarray, T: np.ndarray) -> tuple[float, Params]:
    """Cost and gradients in one forward and one backward pass (inputs already checked)."""
    H = sigmoid(X @ params["W1"].T + params["b1"])
    Y = sigmoid(H @ params["W2"].T + params["b2"])
    dA2 = (Y - T) * Y * (1 - Y) / len(X)  # d loss / d (weighted input of the outputs)
    dA1 = (dA2 @ params["W2"]) * H * (1 - H)  # ... of the hidden units
    cost = float(0.5 * np.sum((Y - T) ** 2) / len(X))
    return cost, {"W1": dA1.T @ X, "b1": dA1.sum(0), "W2": dA2.T @ H, "b2": dA2.sum(0)}


@dataclass
class Trained:
    """A trained two-layer sigmoid network and its cost after every epoch."""

    params: Params
    losses: list[float]

    def predict(self, X) -> np.ndarray:
        """Class labels: output > 0.5 for one output unit, the most active unit otherwise."""
        _, Y = forward(self.params, X)
        return (Y[:, 0] > 0.5).astype(np.int64) if Y.shape[1] == 1 else Y.argmax(1)


def train(X, T, n_hidden: int, *, lr: float = 1.0, epochs: int = 1000, seed: int = 0, scale: float = 1.0) -> Trained:
    """Full-batch gradient descent on :func:`loss` from seeded random weights; ``epochs`` >= 1 steps."""
    X = as_inputs(X)
    T = np.asarray(T, dtype=np.float64)
    T = as_targets(T, len(X), 1 if T.ndim == 1 else T.shape[-1])
    if not lr > 0:
        raise ValueError(f"lr (learning rate) must be a positive number; got {lr!r}")
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 1:
        raise ValueError(f"epochs must be an integer >= 1; got {epochs!r}")
    params = init_params(X.shape[1], n_hidden, T.shape[1], seed, scale)
    losses = []  # losses[i]: the cost after i + 1 epochs
    for epoch in range(epochs):
        cost, g = _loss_and_gradients(params, X, T)
        if epoch > 0:
            losses.append(cost)  # the cost of the parameters the previous epoch produced
        params = {k: params[k] - lr * g[k] for k in PARAM_NAMES}
    losses.append(loss(params, X, T))
    return Trained(params, losses)


def train_xor(n_hidden: int = 2, *, lr: float = 2.0, epochs: int = 3000, seed: int = 0) -> Trained:
    """A 2-``n_hidden``-1 sigmoid network trained on the XOR truth table."""
    from nnbook.data import truth_table

    X, y = truth_table("xor")
    return train(X, y, n_hidden, lr=lr, epochs=epochs, seed=seed)


def one_hot(y, k: int) -> np.ndarray:
    """Labels 0..k-1 as rows of a (n, k) one-hot matrix."""
    y = np.asarray(y)
    if y.ndim != 1 or not np.all(np.isin(y, np.arange(k))):
        raise ValueError(f"y must be a 1-D array of labels in 0..{k - 1}; got shape {y.shape}")
    return np.eye(k)[y.astype(np.int64)]


def train_pixel_recogniser(X=None, y=None, *, n_hidden: int = 3, lr: float = 2.0, epochs: int = 2000, seed: int = 0) -> Trained:
    """The 12-3-2 recogniser of 4x3-pixel zeros and ones (default data: ``pixel_digits()``).

    Output unit 0 should be the more active for a zero, output unit 1 for a one.
    """
    from nnbook.data import pixel_digits

    if X is None:
        X, y = pixel_digits()
    X = as_inputs(X, 12)
    y = as_labels(y, len(X))
    return train(X, one_hot(y, 2), n_hidden, lr=lr, epochs=epochs, seed=seed)
