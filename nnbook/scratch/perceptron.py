"""The threshold neuron, the perceptron learning rule and tiny two-layer sigmoid networks, in NumPy.

Conventions: inputs ``X`` have shape ``(n, d)``; a layer's weights ``W`` have shape
``(units, inputs)``, so its weighted inputs are ``X @ W.T + b``. Labels are 0/1 integers.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np

from nnbook import checks
from nnbook.checks import inputs as as_inputs
from nnbook.checks import labels01 as as_labels
from nnbook.history import History
from nnbook.scratch import init
from nnbook.scratch.activations import get, sigmoid, step
from nnbook.scratch.core import Sequential, train_steps
from nnbook.scratch.layers import Dense
from nnbook.scratch.losses import LOSSES

__all__ = [
    "PARAM_NAMES",
    "neuron",
    "perceptron_update",
    "perceptron_learning",
    "Perceptron",
    "novikoff_bound",
    "two_layer_sizes",
    "two_layer_network",
    "layer_outputs",
    "xor_hand_params",
    "init_params",
    "as_targets",
    "loss",
    "gradients",
    "Trained",
    "train_two_layer",
    "train_xor",
    "one_hot",
    "train_pixel_recogniser",
    "sigmoid",
    "step",
]

Params = dict[str, np.ndarray]
PARAM_NAMES = ("W1", "b1", "W2", "b2")


# --- single neurons --------------------------------------------------------------------------
# step (1 where z >= 0, else 0) and sigmoid are the book's single implementations, from activations.py.


def neuron(X, w, b: float, activation: str = "step") -> np.ndarray:
    """Output of one neuron for each row of ``X``: ``activation(X @ w + b)``."""
    f = get(activation)
    w = np.asarray(w, dtype=np.float64)
    if w.ndim != 1:
        raise ValueError(f"w must be a 1-D weight vector; got shape {w.shape}")
    X = as_inputs(X, len(w))
    return f(X @ w + float(b))


# --- the perceptron ---------------------------------------------------------------------------


def perceptron_update(w: np.ndarray, b: float, x: np.ndarray, y: int, lr: float) -> tuple[np.ndarray, float, bool]:
    """One step of the rule ``w += lr (y - y_hat) x``, ``b += lr (y - y_hat)``; also says if it changed."""
    y_hat = float(x @ w + b >= 0)
    delta = lr * (y - y_hat)
    return w + delta * x, b + delta, delta != 0


def perceptron_learning(
    X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float, lr: float, orders: Iterable[Iterable[int]]
) -> Iterator[tuple[int, int, np.ndarray, float, bool]]:
    """Sweep the examples in each epoch's order, applying the perceptron rule to each, until an epoch
    makes no mistake. Yields ``(epoch, i, w, b, mistake)`` after every example."""
    for epoch, order in enumerate(orders, start=1):
        mistakes = 0
        for i in order:
            w, b, mistake = perceptron_update(w, b, X[i], y[i], lr)
            mistakes += mistake
            yield epoch, i, w, b, mistake
        if mistakes == 0:
            return


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
    history_: list[tuple[np.ndarray, float]] = field(
        init=False, repr=False
    )  # (w, b) before the 1st and after each update
    updated_on_: list[int] = field(init=False, repr=False)  # sample index behind each update
    update_epoch_: list[int] = field(init=False, repr=False)  # epoch (from 1) of each update

    def __post_init__(self) -> None:
        checks.learning_rate(self.lr)
        checks.int_at_least(self.max_epochs, "max_epochs", 1)

    def fit(self, X, y, w0=None, b0: float = 0.0) -> Perceptron:
        """Learn ``w_`` and ``b_`` from inputs ``X`` (n, d) and labels ``y`` in {0, 1}; start at ``w0`` (zeros)."""
        X = as_inputs(X)
        y = as_labels(y, len(X))
        w = np.zeros(X.shape[1]) if w0 is None else np.array(w0, dtype=np.float64)
        if w.shape != (X.shape[1],):
            raise ValueError(f"w0 must have shape ({X.shape[1]},); got {w.shape}")
        b = float(b0)
        rng = np.random.default_rng(self.seed)
        orders = (rng.permutation(len(X)) if self.shuffle else range(len(X)) for _ in range(self.max_epochs))
        self.errors_, self.history_, self.updated_on_, self.update_epoch_ = [], [(w.copy(), b)], [], []
        self.w_, self.b_ = w, b
        for epoch, i, w_k, b_k, mistake in perceptron_learning(X, y, w, b, self.lr, orders):
            if len(self.errors_) < epoch:
                self.errors_.append(0)
            if mistake:
                self.errors_[-1] += 1
                self.history_.append((w_k.copy(), b_k))
                self.updated_on_.append(int(i))
                self.update_epoch_.append(epoch)
            self.w_, self.b_ = w_k, b_k
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


# --- two-layer networks: a Sequential of two Dense layers --------------------------------------
# The chapter writes the weights as W1, b1, W2, b2; the network itself is the core's Sequential,
# holding the very same arrays (layer 0's "W" is W1, layer 1's "b" is b2).


def two_layer_sizes(params: Params) -> tuple[int, int, int]:
    """Validate a two-layer network's shapes; return (inputs, hidden units, outputs)."""
    missing = [k for k in PARAM_NAMES if k not in params]
    if missing:
        raise ValueError(f"params must hold {list(PARAM_NAMES)}; missing {missing}")
    W1, b1, W2, b2 = (np.asarray(params[k]) for k in PARAM_NAMES)
    if (
        W1.ndim != 2
        or W2.ndim != 2
        or b1.shape != (W1.shape[0],)
        or W2.shape[1] != W1.shape[0]
        or b2.shape != (W2.shape[0],)
    ):
        raise ValueError(
            "params shapes must be W1 (h, d), b1 (h,), W2 (k, h), b2 (k,); "
            f"got W1 {W1.shape}, b1 {b1.shape}, W2 {W2.shape}, b2 {b2.shape}"
        )
    return W1.shape[1], W1.shape[0], W2.shape[0]


def two_layer_network(params: Params, activation: str = "sigmoid") -> Sequential:
    """The network ``f(f(X W1^T + b1) W2^T + b2)`` as a Sequential of two :class:`Dense` layers
    sharing the arrays of ``params`` (float64 arrays are used, not copied)."""
    two_layer_sizes(params)
    get(activation)
    return Sequential([Dense(params["W1"], params["b1"], activation), Dense(params["W2"], params["b2"], activation)])


def layer_outputs(params: Params, X, activation: str = "sigmoid") -> tuple[np.ndarray, np.ndarray]:
    """Hidden activations H (n, h) and outputs Y (n, k) of a two-layer network."""
    net = two_layer_network(params, activation)
    Y, caches = net.forward(as_inputs(X, net[0].n_in))
    return caches[1][0], Y  # the second layer's input is the hidden layer's output


def xor_hand_params() -> Params:
    """Hand-chosen weights of a 2-2-1 step network computing XOR = OR and not AND."""
    return {
        "W1": np.array([[1.0, 1.0], [1.0, 1.0]]),  # hidden unit 1: OR, hidden unit 2: AND
        "b1": np.array([-0.5, -1.5]),
        "W2": np.array([[1.0, -1.0]]),  # fire for OR, unless AND
        "b2": np.array([-0.5]),
    }


def init_params(n_in: int, n_hidden: int, n_out: int, seed: int = 0, scale: float = 1.0) -> Params:
    """Gaussian weights N(0, ``scale``^2) (``init.normal``) and zero biases, from ``seed``."""
    for name, v in (("n_in", n_in), ("n_hidden", n_hidden), ("n_out", n_out)):
        checks.int_at_least(v, name, 1)
    rng = np.random.default_rng(seed)
    return {
        "W1": init.normal((n_hidden, n_in), rng, std=scale),
        "b1": np.zeros(n_hidden),
        "W2": init.normal((n_out, n_hidden), rng, std=scale),
        "b2": np.zeros(n_out),
    }


def as_targets(T, n: int, k: int) -> np.ndarray:
    """Targets as a float array (n, k); a 1-D vector is accepted when k == 1."""
    T = np.asarray(T, dtype=np.float64)
    if T.ndim == 1 and k == 1:
        T = T[:, None]
    if T.shape != (n, k):
        raise ValueError(
            f"targets must have shape ({n}, {k}), one row per input and one column per output; got {T.shape}"
        )
    return T


def loss(params: Params, X, T) -> float:
    """Squared-error cost ``1/(2n) sum (Y - T)^2`` of a sigmoid network over n samples."""
    _, Y = layer_outputs(params, X)
    return LOSSES["half_squared_error"](Y, as_targets(T, *Y.shape))[0]


def gradients(params: Params, X, T) -> Params:
    """Gradients of :func:`loss` with respect to W1, b1, W2, b2, by backpropagation through the layers."""
    net = two_layer_network(params)
    X = as_inputs(X, net[0].n_in)
    Y, cache = net.forward(X)
    _, grad_Y = LOSSES["half_squared_error"](Y, as_targets(T, *Y.shape))
    _, grads = net.backward(cache, grad_Y)
    return {"W1": grads["0.W"], "b1": grads["0.b"], "W2": grads["1.W"], "b2": grads["1.b"]}


@dataclass
class Trained:
    """A trained two-layer sigmoid network and its cost after every epoch (``history["loss"]``)."""

    params: Params
    history: History

    @property
    def losses(self) -> list[float]:
        """The cost after each epoch."""
        return list(self.history["loss"])

    def predict(self, X) -> np.ndarray:
        """Class labels: output > 0.5 for one output unit, the most active unit otherwise."""
        _, Y = layer_outputs(self.params, X)
        return (Y[:, 0] > 0.5).astype(np.int64) if Y.shape[1] == 1 else Y.argmax(1)


def train_two_layer(
    X, T, n_hidden: int, *, lr: float = 1.0, epochs: int = 1000, seed: int = 0, scale: float = 1.0
) -> Trained:
    """Full-batch gradient descent on :func:`loss` from seeded random weights; ``epochs`` >= 1 steps."""
    X = as_inputs(X)
    T = np.asarray(T, dtype=np.float64)
    T = as_targets(T, len(X), 1 if T.ndim == 1 else T.shape[-1])
    checks.learning_rate(lr)
    checks.int_at_least(epochs, "epochs", 1)
    params = init_params(X.shape[1], n_hidden, T.shape[1], seed, scale)
    net = two_layer_network(params)  # holds the arrays of params: training updates both
    history = History()
    steps = train_steps(net, LOSSES["half_squared_error"], X, T, [np.arange(len(X))] * epochs, lr)
    for epoch, cost in enumerate(steps):
        if epoch > 0:  # the cost of the step's start: the parameters the previous epoch produced
            history.record(loss=cost)
    history.record(loss=loss(params, X, T))
    return Trained(params, history)


def train_xor(n_hidden: int = 2, *, lr: float = 2.0, epochs: int = 3000, seed: int = 0) -> Trained:
    """A 2-``n_hidden``-1 sigmoid network trained on the XOR truth table."""
    from nnbook.data import truth_table

    X, y = truth_table("xor")
    return train_two_layer(X, y, n_hidden, lr=lr, epochs=epochs, seed=seed)


def one_hot(y, k: int) -> np.ndarray:
    """Labels 0..k-1 as rows of a (n, k) one-hot matrix."""
    y = np.asarray(y)
    if y.ndim != 1 or not np.all(np.isin(y, np.arange(k))):
        raise ValueError(f"y must be a 1-D array of labels in 0..{k - 1}; got shape {y.shape}")
    return np.eye(k)[y.astype(np.int64)]


def train_pixel_recogniser(
    X=None, y=None, *, n_hidden: int = 3, lr: float = 2.0, epochs: int = 2000, seed: int = 0
) -> Trained:
    """The 12-3-2 recogniser of 4x3-pixel zeros and ones (default data: ``pixel_digits()``).

    Output unit 0 should be the more active for a zero, output unit 1 for a one.
    """
    from nnbook.data import pixel_digits

    if X is None:
        X, y = pixel_digits()
    X = as_inputs(X, 12)
    y = as_labels(y, len(X))
    return train_two_layer(X, one_hot(y, 2), n_hidden, lr=lr, epochs=epochs, seed=seed)
