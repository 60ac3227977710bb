"""Keras's compile / fit / evaluate / predict workflow, expressed in PyTorch on top of nnbook.fit.

``Trainer(module)`` wraps any ``nn.Module``; ``Sequential([...])`` builds a stack of layers and is
a Trainer. Keras's ``model.compile`` is called :meth:`Trainer.compile` here too; it has nothing to
do with ``torch.compile`` (which the wrapped module still offers as ``trainer.module.compile``).
"""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import torch
from torch import nn

from nnbook import fit as _fit

_OPTIMISERS = {
    "sgd": torch.optim.SGD,
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "rmsprop": torch.optim.RMSprop,
}


class Trainer:
    """A model with Keras-style methods: ``compile`` (choose optimiser, loss, metrics), ``fit``,
    ``evaluate``, ``predict``, ``save`` and ``load``."""

    def __init__(self, module: nn.Module) -> None:
        if not isinstance(module, nn.Module):
            raise TypeError(f"Trainer wraps a torch.nn.Module; got {type(module).__name__}")
        self.module = module
        self.optimiser: torch.optim.Optimizer | None = None
        self.loss = None
        self.metrics: tuple = ()
        self.history: _fit.History | None = None

    def compile(self, optimiser: str | torch.optim.Optimizer = "adam", loss="cross_entropy", metrics=("accuracy",), **optimiser_options) -> "Trainer":
        """Choose how to learn: an optimiser (a name such as ``"adam"`` plus options like ``lr``,
        or a ready optimiser over this model's parameters), a loss (name or callable) and metrics."""
        if isinstance(optimiser, str):
            key = optimiser.lower()
            if key not in _OPTIMISERS:
                raise ValueError(f"unknown optimiser {optimiser!r}; expected one of {sorted(_OPTIMISERS)} or a torch.optim.Optimizer")
            if not list(self.module.parameters()):
                raise ValueError("this model has no parameters to optimise; add layers before compile()")
            if key == "sgd":
                optimiser_options.setdefault("lr", 0.01)
            self.optimiser = _OPTIMISERS[key](self.module.parameters(), **optimiser_options)
        elif isinstance(optimiser, torch.optim.Optimizer):
            if optimiser_options:
                raise TypeError(f"options {sorted(optimiser_options)} only apply when the optimiser is given by name")
            self.optimiser = optimiser
        else:
            raise TypeError(f"optimiser must be a name such as 'adam' or a torch.optim.Optimizer; got {optimiser!r}")
        self.loss = _fit.get_loss(loss)
        _fit._get_metrics(metrics)  # validate now, not at the first fit
        self.metrics = tuple(metrics) if metrics is not None else ()
        return self

    def _need_compile(self, what: str) -> None:
        if self.optimiser is None:
            raise RuntimeError(f"call compile(optimiser=..., loss=...) before {what}()")

    def fit(self, X, y, *, epochs: int = 10, batch_size: int | None = 32, validation_data=None, verbose: int = 1, **options) -> _fit.History:
        """Train on ``(X, y)``; ``verbose=0`` hides the progress bar. Other options (``early_stopping``,
        ``scheduler``, ``augment``, ``seed``, ``device``) are those of :func:`nnbook.fit.fit`."""
        self._need_compile("fit")
        if verbose not in (0, 1, True, False):
            raise ValueError(f"verbose must be 0 (silent) or 1 (progress bar); got {verbose!r}")
        self.history = _fit.fit(
            self.module, (X, y), loss=self.loss, optimiser=self.optimiser, epochs=epochs, batch_size=batch_size,
            val_data=validation_data, metrics=self.metrics, progress=bool(verbose), **options,
        )
        return self.history

    def evaluate(self, X, y, *, batch_size: int | None = None) -> dict[str, float]:
        """Loss and metrics on ``(X, y)``."""
        self._need_compile("evaluate")
        return _fit.evaluate(self.module, (X, y), loss=self.loss, metrics=self.metrics, batch_size=batch_size)

    def predict(self, X, *, batch_size: int | None = None) -> np.ndarray:
        """The model's outputs for ``X`` as a NumPy array."""
        return _fit.predict(self.module, X, batch_size=batch_size)

    def save(self, path: str | Path) -> Path:
        """Save the weights (Keras: ``model.save_weights``)."""
        return _fit.save(self.module, path)

    def load(self, path: str | Path) -> "Trainer":
        """Load weights saved by :meth:`save` into this (same) architecture."""
        _fit.load(self.module, path)
        return self

    def count_params(self) -> int:
        """The number of trainable parameters."""
        return sum(p.numel() for p in self.module.parameters() if p.requires_grad)

    def summary(self) -> str:
        """One line per layer with its number of parameters, like Keras's ``model.summary()``."""
        lines = [f"{'layer':<40}{'parameters':>12}"]
        for name, layer in self.module.named_children():
            n = sum(p.numel() for p in layer.parameters())
            lines.append(f"{name + ': ' + repr(layer):<40.40}{n:>12,}")
        lines.append(f"{'total trainable':<40}{self.count_params():>12,}")
        return "\n".join(lines)

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return self.module(x)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.module!r})"


class Sequential(Trainer):
    """A stack of layers applied in order (Keras ``Sequential``), trained with the Trainer methods."""

    def __init__(self, layers: Iterable[nn.Module] = ()) -> None:
        if isinstance(layers, nn.Module):
            raise TypeError("Sequential takes a list of layers, e.g. Sequential([nn.Linear(64, 10)])")
        layers = list(layers)
        for i, layer in enumerate(layers):
            if not isinstance(layer, nn.Module):
                raise TypeError(f"layer {i} must be a torch.nn.Module; got {type(layer).__name__}")
        super().__init__(nn.Sequential(*layers))

    def add(self, layer: nn.Module) -> "Sequential":
        """Append a layer (before ``compile``: the optimiser is built from the layers present then)."""
        if not isinstance(layer, nn.Module):
            raise TypeError(f"layer must be a torch.nn.Module; got {type(layer).__name__}")
        if self.optimiser is not None:
            raise RuntimeError("add layers before compile(): the optimiser would not train the new layer")
        self.module.append(layer)
        return self
