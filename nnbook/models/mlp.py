"""The multilayer perceptron as a PyTorch module, with optional dropout and batch normalisation."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from nnbook import checks
from nnbook.scratch.activations import ACTIVATIONS as _REGISTRY

# The torch.nn module of every activation of the one registry that has one (its ``torch_module``)
_TORCH_ACTIVATIONS = {name: getattr(nn, a.torch_module) for name, a in _REGISTRY.items() if a.torch_module}


def mlp(
    sizes: Sequence[int], *, activation: str = "relu", dropout: float = 0.0, batch_norm: bool = False
) -> nn.Sequential:
    """A fully connected network with layer widths ``sizes`` (input, hidden..., output).

    Each hidden layer is ``Linear -> [BatchNorm1d] -> activation -> [Dropout(dropout)]``; the
    output layer is a plain ``Linear`` that returns scores (logits), so pair it with a loss on logits.
    """
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence) or len(sizes) < 2:
        raise ValueError(f"sizes must list at least an input and an output width, e.g. (64, 32, 10); got {sizes!r}")
    for s in sizes:
        checks.int_at_least(s, f"every layer width in {list(sizes)}", 1)
    checks.one_of(activation, _TORCH_ACTIVATIONS, "activation")
    dropout = checks.probability(dropout, "dropout")
    checks.flag(batch_norm, "batch_norm")
    layers: list[nn.Module] = []
    for n_in, n_out in zip(sizes[:-2], sizes[1:-1]):
        layers.append(nn.Linear(int(n_in), int(n_out)))
        if batch_norm:
            layers.append(nn.BatchNorm1d(int(n_out)))
        layers.append(_TORCH_ACTIVATIONS[activation]())
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
    layers.append(nn.Linear(int(sizes[-2]), int(sizes[-1])))
    return nn.Sequential(*layers)


@torch.no_grad()
def hidden_representations(model: nn.Sequential, X) -> list[np.ndarray]:
    """The activations after each hidden layer's nonlinearity (in evaluation mode) for inputs ``X``,
    followed by the output scores: one array of shape (n, width) per layer."""
    checks.instance(model, nn.Sequential, "model", "an nn.Sequential such as mlp(...) builds")
    x = torch.as_tensor(np.asarray(X), dtype=torch.float32) if not isinstance(X, torch.Tensor) else X
    checks.ndim(x, 2, "X", "(n, features)")
    was_training = model.training
    model.eval()
    x = x.to(next(model.parameters()).device)
    reps = []
    layers = list(model)
    for i, layer in enumerate(layers):
        x = layer(x)
        nxt = layers[i + 1] if i + 1 < len(layers) else None
        is_act = isinstance(layer, tuple(_TORCH_ACTIVATIONS.values()))
        if is_act and not isinstance(nxt, nn.Dropout):
            reps.append(x.cpu().numpy().copy())
        elif isinstance(layer, nn.Dropout):
            reps.append(x.cpu().numpy().copy())
    reps.append(x.cpu().numpy().copy())
    model.train(was_training)
    return reps
