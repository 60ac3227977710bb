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

from nnbook.scratch.activations import relu, relu_grad, sigmoid, sigmoid_grad, softmax, tanh, tanh_grad
from nnbook.scratch.losses import softmax_cross_entropy, softmax_cross_entropy_grad

ACT = {"sigmoid": sigmoid, "tanh": tanh, "relu": relu}
ACT_GRAD = {"sigmoid": sigmoid_grad, "tanh": tanh_grad, "relu": relu_grad}
ACTIVATIONS = tuple(ACT)


def _act(name: str, z: np.ndarray) -> np.ndarray:
    return ACT[name](z)


def _act_grad(name: str, z: np.ndarray) -> np.ndarray:
    return ACT_GRAD[name](z)


class MLP:
    """A fully connected network ``sizes[0] -> ... -> sizes[-1]`` with softmax + cross-entropy.

    ``forward`` caches what ``backward`` needs; ``grads`` does both and returns the loss and the
    gradients in the order of ``params`` (W1, b1, W2, b2, ...).
    """

    def __init__(self, sizes: Sequence[int], activation: str = "relu", *, seed: int = 0, init: str | None = None) -> None:
        sizes = list(sizes)
        if len(sizes) < 2 or any(isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 1 for s in sizes):
            raise ValueError(f"sizes must list at least two positive layer widths, e.g. (64, 32, 10); got {sizes}")
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {ACTIVATIONS}; got {activation!r}")
        init = init or ("he" if activation == "relu" else "xavier")
        if init not in ("he", "xavier"):
            raise ValueError(f"init must be 'he' or 'xavier'; got {init!r}")
        self.sizes, self.activation = sizes, activation
        rng = np.random.default_rng(seed)
        self.W, self.b = [], []
        for n_in, n_out in zip(sizes[:-1], sizes[1:]):
            std = np.sqrt(2.0 / n_in) if init == "he" else np.sqrt(2.0 / (n_in + n_out))
            self.W.append(rng.normal(0.0, std, size=(n_out, n_in)))
            self.b.append(np.zeros(n_out))
        self._cache: tuple | None = None

    @property
    def params(self) -> list[np.ndarray]:
        """W1, b1, W2, b2, ... (the arrays themselves: updating them in place changes the model)."""
        return [p for wb in zip(self.W, self.b) for p in wb]

    def _check_X(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.sizes[0]:
            raise ValueError(f"X must have shape (batch, {self.sizes[0]}); got {X.shape}")
        return X

    def _check_y(self, y: np.ndarray, n: int) -> np.ndarray:
        y = np.asarray(y)
        if y.shape != (n,) or not np.issubdtype(y.dtype, np.integer):
            raise ValueError(f"y must be {n} integer class labels, shape ({n},); got shape {y.shape}, dtype {y.dtype}")
        if y.size and (y.min() < 0 or y.max() >= self.sizes[-1]):
            raise ValueError(f"labels must lie in 0..{self.sizes[-1] - 1}; got {y.min()}..{y.max()}")
        return y

    def forward(self, X: np.ndarray) -> np.ndarray:
        """Class probabilities, shape (batch, n_classes); caches the pre-activations Z and activations A."""
        A = [self._check_X(X)]
        Z = []
        for l, (W, b) in enumerate(zip(self.W, self.b)):
            Z.append(A[-1] @ W.T + b)
            last = l == len(self.W) - 1
            A.append(softmax(Z[-1], axis=1) if last else _act(self.activation, Z[-1]))
        self._cache = (Z, A)
        return A[-1]

    def loss(self, X: np.ndarray, y: np.ndarray) -> float:
        """Mean cross-entropy ``-(1/n) sum_i log p_i[y_i]``."""
        P = self.forward(X)
        y = self._check_y(y, len(P))
        return softmax_cross_entropy(self._cache[0][-1], y)  # from the logits: no log(0)

    def backward(self, y: np.ndarray) -> list[np.ndarray]:
        """Gradients of the mean cross-entropy for the batch of the last ``forward`` call.

        The output delta of softmax + cross-entropy is ``(P - Y) / n``; each layer below gets
        ``delta = (delta_above W_above) * f'(Z)``, and ``dW = delta^T A_below``, ``db = sum(delta)``.
        """
        if self._cache is None:
            raise RuntimeError("call forward(X) before backward(y): backward needs the cached activations")
        Z, A = self._cache
        n = len(A[0])
        y = self._check_y(y, n)
        delta = softmax_cross_entropy_grad(Z[-1], y)  # (P - onehot(y)) / n
        grads: list[np.ndarray] = []
        for l in range(len(self.W) - 1, -1, -1):
            grads[:0] = [delta.T @ A[l], delta.sum(axis=0)]
            if l > 0:
                delta = (delta @ self.W[l]) * _act_grad(self.activation, Z[l - 1])
        return grads

    def grads(self, X: np.ndarray, y: np.ndarray) -> tuple[float, list[np.ndarray]]:
        """``(loss, gradients)`` for one batch, gradients in the order of :attr:`params`."""
        loss = self.loss(X, y)
        return loss, self.backward(y)

    def step(self, grads: list[np.ndarray], lr: float) -> None:
        """One gradient-descent update in place: ``p <- p - lr * grad``."""
        for p, g in zip(self.params, grads):
            p -= lr * g

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.forward(X).argmax(axis=1)

    def accuracy(self, X: np.ndarray, y: np.ndarray) -> float:
        return float(np.mean(self.predict(X) == np.asarray(y)))

    def fit(self, X, y, *, epochs: int = 20, batch_size: int = 32, lr: float = 0.1, seed: int = 0,
            X_val=None, y_val=None) -> dict[str, list[float]]:
        """Mini-batch SGD; returns the history: training loss per epoch (mean over batches), and
        validation accuracy per epoch when ``X_val`` is given."""
        X = self._check_X(X)
        y = self._check_y(y, len(X))
        if not lr > 0:
            raise ValueError(f"lr must be a positive learning rate; got {lr!r}")
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer; got {batch_size!r}")
        rng = np.random.default_rng(seed)
        hist: dict[str, list[float]] = {"loss": [], "val_acc": []}
        for _ in range(epochs):
            order = rng.permutation(len(X))
            total = 0.0
            for i in range(0, len(X), batch_size):
                idx = order[i : i + batch_size]
                loss, g = self.grads(X[idx], y[idx])
                self.step(g, lr)
                total += loss * len(idx)
            hist["loss"].append(total / len(X))
            if X_val is not None:
                hist["val_acc"].append(self.accuracy(X_val, y_val))
        return hist


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
    """
    x, t, W1, b1, W2, b2 = (np.asarray(v, dtype=np.float64) for v in (x, t, W1, b1, W2, b2))
    if x.ndim != 1 or W1.shape != (b1.size, x.size) or W2.shape != (b2.size, b1.size) or t.shape != b2.shape:
        raise ValueError(
            "shapes must chain: x (n0,), W1 (n1, n0), b1 (n1,), W2 (n2, n1), b2 (n2,), t (n2,); "
            f"got x {x.shape}, W1 {W1.shape}, b1 {b1.shape}, W2 {W2.shape}, b2 {b2.shape}, t {t.shape}"
        )
    z1 = W1 @ x + b1
    a1 = sigmoid(z1)
    z2 = W2 @ a1 + b2
    a2 = sigmoid(z2)
    E = 0.5 * np.sum((a2 - t) ** 2)
    delta2 = (a2 - t) * a2 * (1 - a2)
    delta1 = (W2.T @ delta2) * a1 * (1 - a1)
    return {"z1": z1, "a1": a1, "z2": z2, "a2": a2, "E": np.float64(E), "delta2": delta2, "delta1": delta1,
            "dW2": np.outer(delta2, a1), "db2": delta2, "dW1": np.outer(delta1, x), "db1": delta1}


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


def vanishing_figure(depth: int = 8, activation: str = "sigmoid", width: int = 32, seed: int = 0):
    """Bar chart of the RMS weight gradient per layer of a ``depth``-hidden-layer MLP at initialisation,
    on 256 training digits; the title states how much smaller the first layer's gradient is."""
    from nnbook.data import load_digits
    from nnbook.plot import PALETTE, figure

    X, y = load_digits("train")
    model = MLP([64] + [int(width)] * int(depth) + [10], activation, seed=seed)
    norms = layer_grad_norms(model, X[:256], y[:256])
    fig, ax = figure(width=6.4, height=3.6)
    ax.bar(np.arange(1, len(norms) + 1), norms, color=PALETTE[0] if activation != "sigmoid" else PALETTE[1])
    ax.set_yscale("log")
    ax.set_xlabel("layer (1 = next to the input)")
    ax.set_ylabel("RMS of dL/dW")
    ratio = norms[-1] / norms[0]
    ax.set_title(f"{activation}, {depth} hidden layers: layer 1 gets {ratio:.3g}x less gradient than the last")
    return fig


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
