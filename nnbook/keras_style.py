"""Keras's compile / fit / evaluate / predict workflow, expressed in PyTorch on top of nnbook.fit.

``Trainer(module)`` wraps any ``nn.Module``; ``Sequential([...])`` builds a stack of layers and is
a Trainer. Keras's ``model.compile`` is called :meth:`Trainer.compile` here too; it has nothing to
do with ``torch.compile`` (which the wrapped module still offers as ``trainer.module.compile``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import torch
from torch import nn

from nnbook import fit as _fit
from nnbook.history import History

OPTIMISERS: dict[str, type[torch.optim.Optimizer]] = {
    "sgd": torch.optim.SGD,
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "rmsprop": torch.optim.RMSprop,
}


def make_optimiser(name: str, parameters, **options) -> torch.optim.Optimizer:
    """A PyTorch optimiser from its Keras name (``"sgd"``, ``"adam"``, ...) and its options, e.g.
    ``lr``; like Keras, ``"sgd"`` defaults to a learning rate of 0.01."""
    key = name.lower() if isinstance(name, str) else name
    if key not in OPTIMISERS:
        raise ValueError(f"unknown optimiser {name!r}; expected one of {sorted(OPTIMISERS)} or a torch.optim.Optimizer")
    if key == "sgd":
        options.setdefault("lr", 0.01)
    return OPTIMISERS[key](parameters, **options)


def _probabilities(outputs: torch.Tensor, loss: str) -> torch.Tensor:
    if outputs.numel() and (outputs.min() < 0 or outputs.max() > 1):
        hint = "a Sigmoid" if loss == "binary_crossentropy" else "a Softmax"
        raw = "bce_with_logits" if loss == "binary_crossentropy" else "cross_entropy"
        raise ValueError(
            f"{loss!r} takes probabilities, as in Keras, but the model's outputs lie outside [0, 1] "
            f"(range {outputs.min().item():.3g} to {outputs.max().item():.3g}): end the model with {hint} "
            f"layer, or use loss={raw!r} on the raw scores (logits)"
        )
    return outputs.clamp(1e-7, 1 - 1e-7)  # Keras clips probabilities by the same epsilon


def binary_crossentropy(outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Keras's ``binary_crossentropy``: probabilities (n,) or (n, 1) against labels in {0, 1}."""
    p = _probabilities(outputs, "binary_crossentropy")
    p = p[:, 0] if p.ndim == 2 and p.shape[1] == 1 and targets.ndim == 1 else p
    return nn.functional.binary_cross_entropy(p, targets.to(p.dtype))


def sparse_categorical_crossentropy(outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Keras's ``sparse_categorical_crossentropy``: class probabilities (n, K) against integer labels."""
    return nn.functional.nll_loss(torch.log(_probabilities(outputs, "sparse_categorical_crossentropy")), targets.long())


# Keras's loss names, with Keras's meaning (probabilities, not logits); the names of
# nnbook.fit.TORCH_LOSSES ("cross_entropy", "bce_with_logits", "mse", "mae") work too.
KERAS_LOSSES: dict[str, Callable] = {
    "binary_crossentropy": binary_crossentropy,
    "sparse_categorical_crossentropy": sparse_categorical_crossentropy,
    "mean_squared_error": nn.MSELoss(),
    "mean_absolute_error": nn.L1Loss(),
}


def keras_loss(loss: str | Callable) -> Callable:
    """A loss from a Keras name (:data:`KERAS_LOSSES`), a name of :data:`nnbook.fit.TORCH_LOSSES` or a callable."""
    if isinstance(loss, str) and loss in KERAS_LOSSES:
        return KERAS_LOSSES[loss]
    if isinstance(loss, str) and loss not in _fit.TORCH_LOSSES:
        raise ValueError(
            f"unknown loss {loss!r}; expected a callable or one of {sorted({*KERAS_LOSSES, *_fit.TORCH_LOSSES})}"
        )
    return _fit.get_loss(loss)


class Trainer:
    """A model with Keras-style methods: ``compile`` (choose optimiser, loss, metrics), ``fit``,
    ``evaluate``, ``predict``, ``save`` and ``load``."""

    def __init__(self, module: nn.Module) -> None:
        if not isinstance(module, nn.Module):
            raise TypeError(f"Trainer wraps a torch.nn.Module; got {type(module).__name__}")
        self.module = module
        self.optimiser: torch.optim.Optimizer | None = None
        self.loss = None
        self.metrics: dict = {}
        self.history: History | None = None

    def compile(
        self,
        optimiser: str | torch.optim.Optimizer = "adam",
        loss="cross_entropy",
        metrics=("accuracy",),
        **optimiser_options,
    ) -> Trainer:
        """Choose how to learn: an optimiser (a name such as ``"adam"`` plus options like ``lr``,
        or a ready optimiser over this model's parameters), a loss (name or callable) and metrics."""
        if isinstance(optimiser, str):
            if not list(self.module.parameters()):
                raise ValueError("this model has no parameters to optimise; add layers before compile()")
            self.optimiser = make_optimiser(optimiser, self.module.parameters(), **optimiser_options)
        elif isinstance(optimiser, torch.optim.Optimizer):
            if optimiser_options:
                raise TypeError(f"options {sorted(optimiser_options)} only apply when the optimiser is given by name")
            self.optimiser = optimiser
        else:
            raise TypeError(f"optimiser must be a name such as 'adam' or a torch.optim.Optimizer; got {optimiser!r}")
        self.loss = keras_loss(loss)
        self.metrics = _fit.get_metrics(metrics)  # validated now, not at the first fit
        return self

    def _need_compile(self, what: str) -> None:
        if self.optimiser is None:
            raise RuntimeError(f"call compile(optimiser=..., loss=...) before {what}()")

    def fit(
        self, X, y, *, epochs: int = 10, batch_size: int | None = 32, validation_data=None, verbose: int = 1, **options
    ) -> History:
        """Train on ``(X, y)``; ``verbose=0`` hides the progress bar. Other options (``early_stopping``,
        ``scheduler``, ``augment``, ``seed``, ``device``) are those of :func:`nnbook.fit.fit`."""
        self._need_compile("fit")
        if verbose not in (0, 1, True, False):
            raise ValueError(f"verbose must be 0 (silent) or 1 (progress bar); got {verbose!r}")
        self.history = _fit.fit(
            self.module,
            (X, y),
            loss=self.loss,
            optimiser=self.optimiser,
            epochs=epochs,
            batch_size=batch_size,
            val_data=validation_data,
            metrics=self.metrics,
            progress=bool(verbose),
            **options,
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

    def load(self, path: str | Path) -> Trainer:
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

    def add(self, layer: nn.Module) -> Sequential:
        """Append a layer (before ``compile``: the optimiser is built from the layers present then)."""
        if not isinstance(layer, nn.Module):
            raise TypeError(f"layer must be a torch.nn.Module; got {type(layer).__name__}")
        if self.optimiser is not None:
            raise RuntimeError("add layers before compile(): the optimiser would not train the new layer")
        self.module.append(layer)
        return self
