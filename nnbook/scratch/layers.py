"""Dense layers in matrix form, the batched forward pass of a layer list, and parameter counting.

One layer computes a^(l) = f(W^(l) a^(l-1) + b^(l)) for one example (column vectors). For a batch
the examples are the rows of ``A`` and the same layer reads ``f(A @ W.T + b)``: the weight keeps
PyTorch's ``(n_out, n_in)`` shape, so a layer here and an ``nn.Linear`` hold identical arrays.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from nnbook import checks
from nnbook.scratch import init as _init
from nnbook.scratch.activations import ACTIVATIONS, get
from nnbook.scratch.core import Grads, Layer, Sequential

__all__ = [
    "Dense",
    "dense",
    "network",
    "forward",
    "dense_network",
    "count_parameters",
    "trace_shapes",
    "to_torch",
    "from_torch",
]


@dataclass
class Dense(Layer):
    """A fully connected layer: weight ``W`` of shape (n_out, n_in), bias ``b`` of shape (n_out,), activation name."""

    W: np.ndarray
    b: np.ndarray
    activation: str = "identity"

    def __post_init__(self) -> None:
        self.W = np.asarray(self.W, dtype=float)
        self.b = np.asarray(self.b, dtype=float)
        if self.W.ndim != 2:
            raise ValueError(f"W must be a matrix of shape (n_out, n_in); got shape {self.W.shape}")
        if self.b.shape != (self.W.shape[0],):
            raise ValueError(
                f"b must have shape (n_out,) = ({self.W.shape[0]},) to match W {self.W.shape}; got {self.b.shape}"
            )
        get(self.activation)

    @property
    def params(self) -> dict[str, np.ndarray]:  # type: ignore[override]
        return {"W": self.W, "b": self.b}

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
        z = x @ self.W.T + self.b
        return ACTIVATIONS[self.activation](z), (x, z)

    def backward(self, cache: tuple[np.ndarray, np.ndarray], grad_y: np.ndarray) -> tuple[np.ndarray, Grads]:
        x, z = cache
        grad_z = grad_y * ACTIVATIONS[self.activation].derivative_at(z)  # dL/dz = dL/dy * f'(z)
        return grad_z @ self.W, {"W": grad_z.T @ x, "b": grad_z.sum(axis=0)}

    @property
    def n_in(self) -> int:
        return self.W.shape[1]

    @property
    def n_out(self) -> int:
        return self.W.shape[0]

    def __call__(self, A: np.ndarray) -> np.ndarray:
        return dense(A, self.W, self.b, self.activation)


def dense(A: np.ndarray, W: np.ndarray, b: np.ndarray, activation: str = "identity") -> np.ndarray:
    """One layer on a batch: ``f(A @ W.T + b)``; A is (batch, n_in) or a single example (n_in,)."""
    A = np.asarray(A, dtype=float)
    if A.ndim not in (1, 2) or A.shape[-1] != W.shape[1]:
        raise ValueError(
            f"input must have shape (batch, {W.shape[1]}) or ({W.shape[1]},) for a weight of shape {W.shape}; got {A.shape}"
        )
    return get(activation)(A @ W.T + b)


def network(layers: Iterable[Dense]) -> Sequential:
    """A :class:`~nnbook.scratch.core.Sequential` of dense layers whose widths chain (checked)."""
    checked = _check_layers(layers)
    return layers if isinstance(layers, Sequential) else Sequential(checked)


def forward(layers: Iterable[Dense], X: np.ndarray, *, return_all: bool = False):
    """The batched forward pass through ``layers`` (a list of :class:`Dense` or their ``Sequential``).

    Returns the output, or with ``return_all`` the lists of pre-activations ``z`` (one per layer)
    and activations ``a`` (the input first, then one per layer).
    """
    net = network(layers)
    a = np.asarray(X, dtype=float)
    if a.ndim != 2 or a.shape[1] != net.layers[0].n_in:
        raise ValueError(f"X must have shape (batch, {net.layers[0].n_in}) for this network; got {a.shape}")
    y, caches = net.forward(a)
    if not return_all:
        return y
    zs = [z for _, z in caches]
    return zs, [a] + [x for x, _ in caches[1:]] + [y]


def _check_layers(layers) -> list[Dense]:
    layers = list(layers.layers if isinstance(layers, Sequential) else layers)
    if not layers:
        raise ValueError("a network needs at least one layer; got an empty list")
    for i, layer in enumerate(layers):
        if not isinstance(layer, Dense):
            raise TypeError(f"layer {i} must be a Dense layer; got {type(layer).__name__}")
    for i in range(1, len(layers)):
        if layers[i].n_in != layers[i - 1].n_out:
            raise ValueError(
                f"layer {i} expects {layers[i].n_in} inputs but layer {i - 1} gives {layers[i - 1].n_out} outputs"
            )
    return layers


def dense_network(
    sizes: Sequence[int],
    rng: np.random.Generator,
    *,
    activation: str = "relu",
    output_activation: str = "identity",
    init: str = "xavier_normal",
    **init_options,
) -> Sequential:
    """A multilayer perceptron of :class:`Dense` layers with widths ``sizes`` (input first): weights
    from initialiser ``init``, zero biases."""
    sizes = checks.layer_widths(sizes)
    get(activation), get(output_activation)
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        f = output_activation if i == len(sizes) - 2 else activation
        layers.append(Dense(_init.initialise(init, (n_out, n_in), rng, **init_options), np.zeros(n_out), f))
    return Sequential(layers)


def count_parameters(layers, *, per_layer: bool = False):
    """The number of trainable numbers in a network: each dense layer has n_out * n_in + n_out.

    ``layers`` is a list of :class:`Dense` layers or a list of widths such as ``[784, 16, 10]``.
    With ``per_layer`` a list with one count per layer is returned instead of the total.
    """
    layers = list(layers.layers if isinstance(layers, Sequential) else layers)
    if layers and all(isinstance(x, Dense) for x in layers):
        counts = [l.W.size + l.b.size for l in _check_layers(layers)]
    elif layers and not any(isinstance(x, Dense) for x in layers):
        sizes = checks.layer_widths(layers)
        counts = [n_out * n_in + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:])]
    else:
        raise TypeError("layers must be a non-empty list of Dense layers or of integer widths, not a mixture")
    return counts if per_layer else int(sum(counts))


def trace_shapes(layers: Sequence[Dense], batch: int = 1) -> list[dict]:
    """For each layer: the shapes of its input, W, b and output for a batch of ``batch`` examples."""
    layers = _check_layers(layers)
    checks.positive_int(batch, "batch")
    return [
        {
            "layer": i + 1,
            "input": (batch, l.n_in),
            "W": l.W.shape,
            "b": l.b.shape,
            "output": (batch, l.n_out),
            "activation": l.activation,
            "parameters": l.W.size + l.b.size,
        }
        for i, l in enumerate(layers)
    ]


def _torch_activations() -> dict[str, str]:
    """Registry name -> torch.nn module name, for the activations without a parameter."""
    return {a.name: a.torch_module for a in ACTIVATIONS.values() if a.torch_module and a.param is None}


def to_torch(layers: Iterable[Dense]):
    """An equivalent ``torch.nn.Sequential`` (float64) holding copies of the same weights."""
    import torch

    modules = []
    for layer in _check_layers(layers):
        lin = torch.nn.Linear(layer.n_in, layer.n_out, dtype=torch.float64)
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(layer.W))
            lin.bias.copy_(torch.from_numpy(layer.b))
        modules.append(lin)
        if layer.activation != "identity":
            if layer.activation not in _torch_activations():
                raise TypeError(
                    f"activation {layer.activation!r} has no parameter-free torch module; "
                    f"supported: {sorted(_torch_activations())}"
                )
            modules.append(getattr(torch.nn, _torch_activations()[layer.activation])())
    return torch.nn.Sequential(*modules)


def from_torch(model) -> Sequential:
    """The :class:`Dense` layers of a ``torch.nn.Sequential`` of Linear layers, each optionally followed by
    Tanh, ReLU or Sigmoid (weights copied as float64)."""
    import torch

    names = {v: k for k, v in _torch_activations().items()}
    layers: list[Dense] = []
    for i, m in enumerate(model):
        if isinstance(m, torch.nn.Linear):
            if m.bias is None:
                raise TypeError(f"module {i} is a Linear layer without bias; a Dense layer always has one")
            layers.append(Dense(m.weight.detach().double().numpy().copy(), m.bias.detach().double().numpy().copy()))
        elif type(m).__name__ in names and layers and layers[-1].activation == "identity":
            layers[-1].activation = names[type(m).__name__]
        else:
            raise TypeError(
                f"module {i} ({type(m).__name__}) is not supported; expected Linear optionally followed by one of {sorted(names)}"
            )
    return network(layers)
