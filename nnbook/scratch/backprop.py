"""A multilayer perceptron from scratch in NumPy: forward pass, backpropagation, mini-batch SGD.

Layer ``l`` holds ``W[l]`` of shape (n_out, n_in) and ``b[l]`` of shape (n_out,), the layout of
``torch.nn.Linear``. For a batch ``A`` of shape (batch, n_in) a layer computes
``Z = A W^T + b`` and ``A' = f(Z)``; the last layer is followed by softmax and the loss is the mean
cross-entropy. :func:`backprop_trace` is the small sigmoid + MSE network worked by hand in the
backpropagation chapter.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from nnbook import checks
from nnbook.history import History
from nnbook.scratch.activations import get, softmax
from nnbook.scratch.core import Sequential, minibatches, sgd_step, train_steps
from nnbook.scratch.layers import Dense, dense_network
from nnbook.scratch.losses import LOSSES

__all__ = ["MLP", "count_mults", "backprop_trace", "layer_grad_norms", "time_passes", "torch_grads"]

_INITS = {"he": "he_normal", "xavier": "xavier_normal"}  # names of nnbook.scratch.init initialisers


class MLP:
    """A fully connected network ``sizes[0] -> ... -> sizes[-1]`` with softmax + cross-entropy.

    The layers are :class:`~nnbook.scratch.layers.Dense` layers in a core ``Sequential``
    (``self.net``); the last one is linear and its outputs (the logits) go through softmax.
    ``forward`` caches what ``backward`` needs; ``grads`` does both and returns the loss and the
    gradients in the order of ``params`` (W1, b1, W2, b2, ...).
    """

    def __init__(
        self, sizes: Sequence[int], activation: str = "relu", *, seed: int = 0, init: str | None = None
    ) -> None:
        sizes = checks.layer_widths(sizes)
        if get(activation).name == "step":
            raise ValueError(
                "activation must be one with a useful gradient, e.g. 'relu'; the step's gradient is 0 everywhere"
            )
        init = init or ("he" if activation == "relu" else "xavier")
        if init not in _INITS:
            raise ValueError(f"init must be 'he' or 'xavier'; got {init!r}")
        self.sizes, self.activation = sizes, activation
        self.net: Sequential = dense_network(
            sizes, np.random.default_rng(seed), activation=activation, output_activation="identity", init=_INITS[init]
        )
        self.loss_fn = LOSSES["softmax_cross_entropy"]
        self._cache: tuple | None = None

    @property
    def params(self) -> list[np.ndarray]:
        """W1, b1, W2, b2, ... (the arrays themselves: updating them in place changes the model)."""
        return list(self.net.params.values())

    @property
    def W(self) -> list[np.ndarray]:
        return [layer.W for layer in self.net]

    @property
    def b(self) -> list[np.ndarray]:
        return [layer.b for layer in self.net]

    def _check_X(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.sizes[0]:
            raise ValueError(f"X must have shape (batch, {self.sizes[0]}); got {X.shape}")
        return X

    def _check_y(self, y: np.ndarray, n: int) -> np.ndarray:
        return checks.class_labels(y, n, self.sizes[-1])

    def forward(self, X: np.ndarray) -> np.ndarray:
        """Class probabilities, shape (batch, n_classes); caches the logits and the layers' caches."""
        logits, cache = self.net.forward(self._check_X(X))
        self._cache = (logits, cache)
        return softmax(logits, axis=1)

    def loss(self, X: np.ndarray, y: np.ndarray) -> float:
        """Mean cross-entropy ``-(1/n) sum_i log p_i[y_i]``, computed from the logits (no log(0))."""
        P = self.forward(X)
        return self.loss_fn(self._cache[0], self._check_y(y, len(P)))[0]

    def backward(self, y: np.ndarray) -> list[np.ndarray]:
        """Gradients of the mean cross-entropy for the batch of the last ``forward`` call.

        The output delta of softmax + cross-entropy is ``(P - Y) / n``; the layers' own backward
        passes carry it down (:meth:`~nnbook.scratch.layers.Dense.backward`).
        """
        if self._cache is None:
            raise RuntimeError("call forward(X) before backward(y): backward needs the cached activations")
        logits, cache = self._cache
        _, delta = self.loss_fn(logits, self._check_y(y, len(logits)))  # (P - onehot(y)) / n
        _, grads = self.net.backward(cache, delta)
        return [grads[name] for name in self.net.params]

    def grads(self, X: np.ndarray, y: np.ndarray) -> tuple[float, list[np.ndarray]]:
        """``(loss, gradients)`` for one batch, gradients in the order of :attr:`params`."""
        loss = self.loss(X, y)
        return loss, self.backward(y)

    def step(self, grads: list[np.ndarray], lr: float) -> None:
        """One gradient-descent update in place: ``p <- p - lr * grad``."""
        sgd_step(self.net.params, dict(zip(self.net.params, grads)), lr)

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.forward(X).argmax(axis=1)

    def accuracy(self, X: np.ndarray, y: np.ndarray) -> float:
        return float(np.mean(self.predict(X) == np.asarray(y)))

    def fit(
        self, X, y, *, epochs: int = 20, batch_size: int = 32, lr: float = 0.1, seed: int = 0, X_val=None, y_val=None
    ) -> History:
        """Mini-batch SGD (:func:`~nnbook.scratch.core.train_steps`); returns the History: training loss
        per epoch (mean over batches), and validation accuracy ``val_acc`` per epoch when ``X_val`` is given."""
        X = self._check_X(X)
        y = self._check_y(y, len(X))
        checks.learning_rate(lr)
        checks.positive_int(batch_size, "batch_size")
        rng = np.random.default_rng(seed)
        history = History()
        for _ in range(epochs):
            batches = list(minibatches(len(X), batch_size, rng))
            losses = list(train_steps(self.net, self.loss_fn, X, y, batches, lr))
            history.record(loss=np.average(losses, weights=[len(b) for b in batches]))
            if X_val is not None:
                history.record(val_acc=self.accuracy(X_val, y_val))
        return history


def count_mults(sizes: Sequence[int], batch: int = 1) -> dict[str, int]:
    """Multiplications in the matrix products of one forward and one backward pass.

    Forward: ``batch * n_in * n_out`` per layer. Backward: the same again for every ``dW`` and for
    every ``delta W`` passed down (not needed below the first layer), so about twice the forward.
    Elementwise products (activations, f'(z)) are ignored: they are O(units), not O(weights).
    """
    pairs = list(zip(sizes[:-1], sizes[1:]))
    fwd = sum(batch * i * o for i, o in pairs)
    bwd = fwd + sum(batch * i * o for i, o in pairs[1:])
    return {"forward": fwd, "backward": bwd}


def backprop_trace(x, t, W1, b1, W2, b2) -> dict[str, np.ndarray]:
    """Every intermediate value of the two-layer sigmoid network with loss E = 1/2 ||a2 - t||^2.

    Forward: z1 = W1 x + b1, a1 = sigmoid(z1), z2 = W2 a1 + b2, a2 = sigmoid(z2).
    Backward: delta2 = (a2 - t) * a2 (1 - a2), delta1 = (W2^T delta2) * a1 (1 - a1),
    dE/dW2 = delta2 a1^T, dE/db2 = delta2, dE/dW1 = delta1 x^T, dE/db1 = delta1.
    The network is two :class:`Dense` layers; for one example dE/db of a layer is its delta.
    """
    x, t, W1, b1, W2, b2 = (np.asarray(v, dtype=np.float64) for v in (x, t, W1, b1, W2, b2))
    if x.ndim != 1 or W1.shape != (b1.size, x.size) or W2.shape != (b2.size, b1.size) or t.shape != b2.shape:
        raise ValueError(
            "shapes must chain: x (n0,), W1 (n1, n0), b1 (n1,), W2 (n2, n1), b2 (n2,), t (n2,); "
            f"got x {x.shape}, W1 {W1.shape}, b1 {b1.shape}, W2 {W2.shape}, b2 {b2.shape}, t {t.shape}"
        )
    net = Sequential([Dense(W1, b1, "sigmoid"), Dense(W2, b2, "sigmoid")])
    a2, cache = net.forward(x[None, :])  # a batch of one example
    E, grad_a2 = LOSSES["half_squared_error"](a2, t[None, :])
    _, g = net.backward(cache, grad_a2)
    (_, z1), (a1, z2) = cache
    return {
        "z1": z1[0],
        "a1": a1[0],
        "z2": z2[0],
        "a2": a2[0],
        "E": np.float64(E),
        "delta2": g["1.b"],
        "delta1": g["0.b"],
        "dW2": g["1.W"],
        "db2": g["1.b"],
        "dW1": g["0.W"],
        "db1": g["0.b"],
    }


def layer_grad_norms(model: MLP, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Root-mean-square of dL/dW for each layer (first layer first): how much signal reaches it."""
    _, grads = model.grads(X, y)
    return np.array([np.sqrt(np.mean(g**2)) for g in grads[0::2]])


def time_passes(model: MLP, X: np.ndarray, y: np.ndarray, repeats: int = 15) -> dict[str, float]:
    """Fastest of ``repeats`` timings (seconds) of one forward and one backward pass over ``X``.

    BLAS is limited to one thread while timing, so the ratio reflects the work, not the scheduling.
    """
    import time

    from threadpoolctl import threadpool_limits

    fwd, bwd = [], []
    with threadpool_limits(limits=1):
        for _ in range(repeats):
            t0 = time.perf_counter()
            model.loss(X, y)
            t1 = time.perf_counter()
            model.backward(y)
            t2 = time.perf_counter()
            fwd.append(t1 - t0)
            bwd.append(t2 - t1)
    return {"forward": float(np.min(fwd)), "backward": float(np.min(bwd))}


def torch_grads(model: MLP, X: np.ndarray, y: np.ndarray) -> tuple[float, list[np.ndarray]]:
    """The reference: loss and gradients of the same network with the same weights from PyTorch
    autograd in float64, in the order of :attr:`MLP.params`."""
    import torch

    ps = [torch.tensor(p, requires_grad=True) for p in model.params]
    act = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}[model.activation]
    a = torch.tensor(model._check_X(X))
    for l in range(0, len(ps), 2):
        z = a @ ps[l].T + ps[l + 1]
        a = z if l == len(ps) - 2 else act(z)
    loss = torch.nn.functional.cross_entropy(a, torch.tensor(model._check_y(y, len(X))))
    loss.backward()
    return loss.item(), [p.grad.numpy() for p in ps]
