"""The one NumPy core: the layer interface every from-scratch network in the book is built from.

A layer holds its trainable arrays in ``params`` (name -> array) and computes

* ``forward(x) -> (y, cache)``: the output and whatever the backward pass needs;
* ``backward(cache, grad_y) -> (grad_x, grads)``: the gradient of the loss with respect to the
  layer's input and a dict with one gradient per entry of ``params`` (same names, same shapes).

Dense, convolution, pooling, recurrent and LSTM layers all implement this, so a network is a
:class:`Sequential` of them and one training loop, one gradient check and one optimiser serve all.
Optimisers update ``params`` in place, so a layer's arrays stay the same objects during training.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol

import numpy as np

from nnbook import checks

__all__ = [
    "Cache",
    "Grads",
    "Layer",
    "Sequential",
    "ActivationLayer",
    "Flatten",
    "minibatches",
    "sgd_step",
    "train_step",
    "train_steps",
    "train_epoch",
    "Optimiser",
]

Cache = Any
Grads = dict[str, np.ndarray]


class Layer:
    """Base class of every NumPy layer: ``params``, ``forward`` and ``backward`` (see the module docstring)."""

    params: dict[str, np.ndarray]

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, Cache]:
        raise NotImplementedError

    def backward(self, cache: Cache, grad_y: np.ndarray) -> tuple[np.ndarray, Grads]:
        raise NotImplementedError

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """The output alone (inference)."""
        return self.forward(x)[0]

    @property
    def n_params(self) -> int:
        """The number of trainable numbers in the layer."""
        return int(sum(p.size for p in self.params.values()))


class Sequential(Layer):
    """Layers applied one after another; parameters are named ``"<index>.<name>"``, e.g. ``"0.W"``."""

    def __init__(self, layers: Iterable[Layer]):
        self.layers = list(layers)
        if not self.layers:
            raise ValueError("a Sequential network needs at least one layer; got none")
        for i, layer in enumerate(self.layers):
            if not isinstance(layer, Layer):
                raise TypeError(f"layer {i} must be an nnbook.scratch.core.Layer; got {type(layer).__name__}")

    def __len__(self) -> int:
        return len(self.layers)

    def __getitem__(self, i: int) -> Layer:
        return self.layers[i]

    def __iter__(self) -> Iterator[Layer]:
        return iter(self.layers)

    @property
    def params(self) -> dict[str, np.ndarray]:  # type: ignore[override]
        return {f"{i}.{name}": p for i, layer in enumerate(self.layers) for name, p in layer.params.items()}

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, list[Cache]]:
        caches = []
        for layer in self.layers:
            x, cache = layer.forward(x)
            caches.append(cache)
        return x, caches

    def backward(self, cache: list[Cache], grad_y: np.ndarray) -> tuple[np.ndarray, Grads]:
        grads: Grads = {}
        for i in reversed(range(len(self.layers))):
            grad_y, layer_grads = self.layers[i].backward(cache[i], grad_y)
            grads.update({f"{i}.{name}": g for name, g in layer_grads.items()})
        return grad_y, grads


class ActivationLayer(Layer):
    """An element-wise activation from the one registry, :data:`nnbook.scratch.activations.ACTIVATIONS`."""

    def __init__(self, name: str):
        from nnbook.scratch.activations import get

        self.name = name
        self.activation = get(name)
        self.params = {}

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return self.activation(x), x

    def backward(self, cache: np.ndarray, grad_y: np.ndarray) -> tuple[np.ndarray, Grads]:
        return grad_y * self.activation.derivative_at(cache), {}

    def __repr__(self) -> str:
        return f"ActivationLayer({self.name!r})"


class Flatten(Layer):
    """Reshape ``(batch, ...)`` to ``(batch, features)``, e.g. between convolution and dense layers."""

    def __init__(self) -> None:
        self.params = {}

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, tuple[int, ...]]:
        return x.reshape(len(x), -1), x.shape

    def backward(self, cache: tuple[int, ...], grad_y: np.ndarray) -> tuple[np.ndarray, Grads]:
        return grad_y.reshape(cache), {}


def minibatches(n: int, batch_size: int, rng: np.random.Generator | None = None) -> Iterator[np.ndarray]:
    """Index arrays of one epoch's mini-batches over ``n`` examples (shuffled when ``rng`` is given)."""
    checks.positive_int(batch_size, "batch_size")
    order = rng.permutation(n) if rng is not None else np.arange(n)
    for start in range(0, n, batch_size):
        yield order[start : start + batch_size]


def sgd_step(params: dict[str, np.ndarray], grads: Grads, lr: float) -> None:
    """Plain gradient descent, in place: ``p <- p - lr * dL/dp`` for every parameter."""
    for name, p in params.items():
        p -= lr * grads[name]


class Optimiser(Protocol):
    """What :func:`train_steps` needs of an optimiser (e.g. ``nnbook.scratch.optim.SGD`` or ``Adam``)."""

    def step(self, params: dict[str, np.ndarray], grads: Grads) -> None: ...


def _update(lr: float | None, optimiser: Optimiser | None, weight_decay: float) -> Callable[[dict, Grads], None]:
    if (lr is None) == (optimiser is None):
        raise ValueError(f"give either lr (plain gradient descent) or an optimiser, not both or neither; got lr={lr!r}")
    if lr is not None:
        checks.learning_rate(lr)
    checks.real_number(weight_decay, "weight_decay", low=0.0, low_inclusive=True)
    if optimiser is not None and not callable(getattr(optimiser, "step", None)):
        raise TypeError(f"optimiser must have a step(params, grads) method; got {type(optimiser).__name__}")
    return optimiser.step if optimiser is not None else lambda params, grads: sgd_step(params, grads, lr)


def train_step(
    net: Layer, loss, X: np.ndarray, y: np.ndarray, update: Callable[[dict, Grads], None], weight_decay: float = 0.0
) -> float:
    """One training step on the batch ``X, y``: forward, loss, backward, ``update(params, grads)`` in place;
    returns the batch's loss before the step."""
    y_pred, cache = net.forward(X)
    value, grad_y = loss(y_pred, y)
    _, grads = net.backward(cache, grad_y)
    params = net.params
    if weight_decay:  # the L2 penalty (weight_decay / 2) ||W||^2 of the weight arrays, not of the biases
        grads = {n: g + weight_decay * params[n] if g.ndim >= 2 else g for n, g in grads.items()}
    update(params, grads)
    return value


def train_steps(
    net: Layer,
    loss,
    X: np.ndarray,
    y: np.ndarray,
    batches: Iterable[np.ndarray],
    lr: float | None = None,
    *,
    optimiser: Optimiser | None = None,
    weight_decay: float = 0.0,
) -> Iterator[float]:
    """:func:`train_step` on each batch of rows in turn; yields each batch's loss (before its step).

    ``loss(y_pred, target) -> (value, dvalue/dy_pred)`` is the one loss interface of
    :mod:`nnbook.scratch.losses`. The step is plain gradient descent with ``lr``, or ``optimiser``'s
    (``nnbook.scratch.optim``); ``weight_decay`` adds the gradient of the L2 penalty
    ``(weight_decay / 2) ||W||^2`` of every weight array (two or more dimensions; not the biases).
    The caller records what it yields (e.g. into a ``History``).
    """
    update = _update(lr, optimiser, weight_decay)  # checked now, not at the first step
    return (train_step(net, loss, X[rows], y[rows], update, weight_decay) for rows in batches)


def train_epoch(
    net: Layer,
    loss,
    X: np.ndarray,
    y: np.ndarray,
    batches: Iterable[np.ndarray],
    lr: float | None = None,
    *,
    optimiser: Optimiser | None = None,
    weight_decay: float = 0.0,
) -> float:
    """:func:`train_steps` over one epoch's ``batches``; returns the mean over the examples of their
    batch's loss (each taken before its step)."""
    batches = list(batches)
    losses = train_steps(net, loss, X, y, batches, lr, optimiser=optimiser, weight_decay=weight_decay)
    return sum(value * len(rows) for value, rows in zip(losses, batches)) / sum(map(len, batches))
