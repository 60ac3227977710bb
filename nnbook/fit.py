"""A reusable PyTorch training loop: ``fit`` with a progress bar, history and early stopping,
plus ``evaluate``, ``predict``, ``save`` and ``load``.

Data is passed as a pair ``(X, y)`` of NumPy arrays or tensors. Floating arrays become float32
tensors and integer arrays int64 tensors (class labels, token indices). The data sets of the book
are small, so each pair is moved to the device once and mini-batches are index slices of it.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from nnbook import checks, runtime
from nnbook.history import History
from nnbook.metrics import METRICS, Metric
from nnbook.progress import ProgressBar

__all__ = [
    "fit",
    "evaluate",
    "predict",
    "save",
    "load",
    "EarlyStopping",
    "get_loss",
    "get_metrics",
    "TORCH_LOSSES",
    "as_tensor",
]


# ---------------------------------------------------------------------------------------------
# Losses and metrics by name
# ---------------------------------------------------------------------------------------------
class BCEWithLogits(nn.Module):
    """Binary cross-entropy on logits for a model with one output: outputs of shape (n, 1) or (n,)
    against targets (n,) in {0, 1}, integer or float (``nn.BCEWithLogitsLoss`` needs equal shapes
    and float targets)."""

    def forward(self, outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        if outputs.ndim == 2 and outputs.shape[1] == 1 and targets.ndim == 1:
            outputs = outputs[:, 0]
        if outputs.shape != targets.shape:
            raise ValueError(
                f"bce_with_logits needs one logit per example: outputs of shape (n,) or (n, 1) and targets (n,); "
                f"got outputs {tuple(outputs.shape)} and targets {tuple(targets.shape)}"
            )
        return nn.functional.binary_cross_entropy_with_logits(outputs, targets.to(outputs.dtype))


TORCH_LOSSES: dict[str, Callable[[], nn.Module]] = {
    "cross_entropy": nn.CrossEntropyLoss,  # logits (n, K) and integer labels (n,)
    "bce_with_logits": BCEWithLogits,  # one logit per example and labels in {0, 1}
    "mse": nn.MSELoss,
    "mae": nn.L1Loss,
}


def get_loss(loss: str | Callable) -> Callable:
    """A loss function from its name (one of :data:`TORCH_LOSSES`) or the callable itself."""
    if isinstance(loss, str):
        if loss not in TORCH_LOSSES:
            raise ValueError(f"unknown loss {loss!r}; expected a callable or one of {sorted(TORCH_LOSSES)}")
        return TORCH_LOSSES[loss]()
    if not callable(loss):
        raise TypeError(f"loss must be a callable (outputs, targets) -> scalar tensor or a name; got {loss!r}")
    return loss


def get_metrics(metrics) -> dict[str, Metric]:
    """Metrics as a dict name -> function, from a name, a callable, a list of them or a dict."""
    if metrics is None:
        return {}
    if isinstance(metrics, Mapping):
        items = list(metrics.items())
    else:
        if isinstance(metrics, str) or callable(metrics):
            metrics = [metrics]
        items = []
        for m in metrics:
            if isinstance(m, str):
                if m not in METRICS:
                    raise ValueError(f"unknown metric {m!r}; expected a callable or one of {sorted(METRICS)}")
                items.append((m, METRICS[m]))
            elif callable(m):
                items.append((getattr(m, "__name__", "metric"), m))
            else:
                raise TypeError(f"each metric must be a name or a callable (outputs, targets) -> float; got {m!r}")
    for name, m in items:
        if not callable(m):
            raise TypeError(f"metric {name!r} must be a callable (outputs, targets) -> float; got {m!r}")
        if name == "loss" or name.startswith("val_") or name == "lr":
            raise ValueError(
                f"a metric may not be called {name!r}: 'loss', 'lr' and 'val_*' are the names fit records itself"
            )
    return dict(items)


# ---------------------------------------------------------------------------------------------
# Early stopping
# ---------------------------------------------------------------------------------------------
@dataclass
class EarlyStopping:
    """Stop when the validation loss has not improved by more than ``min_delta`` for ``patience``
    epochs in a row; with ``restore_best`` the model ends with the weights of its best epoch.

    After a run, ``best_epoch`` (0-based) is the epoch with the best validation loss and
    ``stopped_epoch`` the epoch after which training stopped (``None`` if it ran to the end).
    """

    patience: int = 5
    min_delta: float = 0.0
    restore_best: bool = True
    best_loss: float = field(default=math.inf, init=False)
    best_epoch: int | None = field(default=None, init=False)
    stopped_epoch: int | None = field(default=None, init=False)
    epochs_seen: int = field(default=0, init=False)
    waited: int = field(default=0, init=False)
    best_state: dict | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        checks.int_at_least(self.patience, "patience", 1, "an integer >= 1 (epochs without improvement)")
        checks.real_number(self.min_delta, "min_delta", low=0, low_inclusive=True, hint="the smallest drop that counts")
        checks.flag(self.restore_best, "restore_best")

    def update(self, loss: float, model: nn.Module) -> bool:
        """Take one epoch's validation loss; return True when training should stop."""
        if loss < self.best_loss - self.min_delta:  # a real improvement: remember it
            self.best_loss, self.best_epoch, self.waited = loss, self.epochs_seen, 0
            if self.restore_best:
                self.best_state = copy.deepcopy(model.state_dict())
        else:
            self.waited += 1
        self.epochs_seen += 1
        return self.waited >= self.patience

    def reset(self) -> None:
        """Forget a previous run, so one object can watch several runs."""
        self.best_loss, self.best_epoch, self.stopped_epoch = math.inf, None, None
        self.epochs_seen, self.waited, self.best_state = 0, 0, None

    def restore(self, model: nn.Module) -> None:
        """Load the best epoch's weights into ``model`` (kept by ``update`` only with ``restore_best``)."""
        if self.best_state is not None:
            model.load_state_dict(self.best_state)


# ---------------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------------
def as_tensor(a: Any, name: str = "data") -> torch.Tensor:
    """A NumPy array (or tensor, or nested list) as a tensor: floats as float32, integers as int64."""
    if isinstance(a, torch.Tensor):
        return a
    try:
        arr = np.asarray(a)
    except Exception as e:  # pragma: no cover - unusual inputs
        raise TypeError(f"{name} must be an array or tensor; got {type(a).__name__}") from e
    if arr.dtype == bool:
        arr = arr.astype(np.float32)
    if np.issubdtype(arr.dtype, np.floating):
        return torch.from_numpy(np.ascontiguousarray(arr, dtype=np.float32))
    if np.issubdtype(arr.dtype, np.integer):
        return torch.from_numpy(np.ascontiguousarray(arr, dtype=np.int64))
    raise TypeError(f"{name} must hold numbers; got an array of dtype {arr.dtype}")


def _pair(data: Any, name: str) -> tuple[torch.Tensor, torch.Tensor]:
    if not isinstance(data, (tuple, list)) or len(data) != 2:
        raise TypeError(f"{name} must be a pair (X, y) of arrays or tensors; got {type(data).__name__}")
    X, y = as_tensor(data[0], f"{name} X"), as_tensor(data[1], f"{name} y")
    if X.ndim == 0 or y.ndim == 0:
        raise ValueError(
            f"{name}: X and y must have a first axis of examples; got shapes {tuple(X.shape)} and {tuple(y.shape)}"
        )
    if len(X) != len(y):
        raise ValueError(f"{name}: X and y must have the same number of examples; got {len(X)} and {len(y)}")
    if len(X) == 0:
        raise ValueError(f"{name} is empty; it needs at least one example")
    return X, y


def _model(model: Any) -> nn.Module:
    return checks.instance(model, nn.Module, "model", "a torch.nn.Module")


def _batch_size(batch_size: Any) -> int | None:
    return checks.int_at_least(batch_size, "batch_size", 1, none="one batch")


def _resolve_device(device) -> torch.device:
    if device is None:
        return runtime.device()
    if isinstance(device, torch.device):
        return device
    return runtime.device(device)


def _batches(n: int, batch_size: int | None, order: torch.Tensor | None = None):
    size = n if batch_size is None else batch_size
    idx = order if order is not None else torch.arange(n)
    for start in range(0, n, size):
        yield idx[start : start + size]


# ---------------------------------------------------------------------------------------------
# The loop
# ---------------------------------------------------------------------------------------------
def _run_epoch(model, X, y, loss_fn, optimiser, batch_size, generator, augment, metrics) -> dict[str, float]:
    model.train()
    n = len(X)
    order = torch.randperm(n, generator=generator).to(X.device)
    total = {"loss": 0.0, **{k: 0.0 for k in metrics}}
    for idx in _batches(n, batch_size, order):
        xb, yb = X[idx], y[idx]
        if augment is not None:
            xb = augment(xb)
        optimiser.zero_grad(set_to_none=True)
        out = model(xb)
        loss = loss_fn(out, yb)
        if loss.ndim != 0:
            raise ValueError(f"the loss must return a scalar (mean over the batch); got shape {tuple(loss.shape)}")
        loss.backward()
        optimiser.step()
        total["loss"] += loss.item() * len(idx)
        with torch.no_grad():
            for k, m in metrics.items():
                total[k] += float(m(out, yb)) * len(idx)
    return {k: v / n for k, v in total.items()}


@torch.no_grad()
def _evaluate(model, X, y, loss_fn, metrics, batch_size) -> dict[str, float]:
    model.eval()
    outs = torch.cat([model(X[idx]) for idx in _batches(len(X), batch_size)])
    result = {}
    if loss_fn is not None:
        result["loss"] = float(loss_fn(outs, y))
    for k, m in metrics.items():
        result[k] = float(m(outs, y))
    return result


def fit(
    model: nn.Module,
    train_data,
    *,
    loss,
    optimiser: torch.optim.Optimizer,
    epochs: int,
    batch_size: int | None,
    val_data=None,
    metrics=None,
    early_stopping: EarlyStopping | int | None = None,
    scheduler=None,
    augment: Callable[[torch.Tensor], torch.Tensor] | None = None,
    device=None,
    seed: int | None = None,
    progress: bool = True,
) -> History:
    """Train ``model`` on ``train_data = (X, y)`` and return the per-epoch :class:`~nnbook.history.History`
    (``loss`` and each metric on the training batches, ``val_loss``, ``val_<metric>``, ``lr``).

    Each epoch shuffles the examples, steps ``optimiser`` once per mini-batch of ``batch_size``
    (``None``: the whole set), then steps ``scheduler`` (if any) and measures ``val_data``.
    ``early_stopping`` is an :class:`EarlyStopping` (which afterwards holds ``best_epoch`` and
    ``stopped_epoch``) or a patience in epochs; it needs ``val_data``.
    ``augment`` maps a training batch of inputs to a randomly altered batch. ``seed`` seeds
    shuffling, dropout and augmentation, so equal models and seeds give identical runs.
    """
    _model(model)
    checks.instance(
        optimiser,
        torch.optim.Optimizer,
        "optimiser",
        "a torch.optim.Optimizer, e.g. torch.optim.Adam(model.parameters())",
    )
    model_params = {id(p) for p in model.parameters()}
    opt_params = [p for g in optimiser.param_groups for p in g["params"]]
    if not any(id(p) in model_params for p in opt_params):
        raise ValueError(
            "the optimiser holds none of this model's parameters; build it with optimiser(model.parameters()) after creating the model"
        )
    checks.int_at_least(epochs, "epochs", 1)
    _batch_size(batch_size)
    loss_fn = get_loss(loss)
    metric_fns = get_metrics(metrics)
    if isinstance(early_stopping, (int, np.integer)) and not isinstance(early_stopping, bool):
        early_stopping = EarlyStopping(patience=int(early_stopping))
    if early_stopping is not None and not isinstance(early_stopping, EarlyStopping):
        raise TypeError(f"early_stopping must be None, a patience (int) or an EarlyStopping; got {early_stopping!r}")
    if early_stopping is not None and val_data is None:
        raise ValueError("early_stopping watches the validation loss, so it needs val_data=(X_val, y_val)")
    if scheduler is not None:
        if not hasattr(scheduler, "step"):
            raise TypeError(f"scheduler must be a torch.optim.lr_scheduler object; got {scheduler!r}")
        if getattr(scheduler, "optimizer", optimiser) is not optimiser:
            raise ValueError("the scheduler was built for a different optimiser than the one passed to fit")
    if augment is not None and not callable(augment):
        raise TypeError(f"augment must be a function batch -> batch; got {augment!r}")
    checks.flag(progress, "progress")

    dev = _resolve_device(device)
    X, y = (t.to(dev) for t in _pair(train_data, "train_data"))
    val = tuple(t.to(dev) for t in _pair(val_data, "val_data")) if val_data is not None else None
    model.to(dev)

    generator = torch.Generator()
    if seed is not None:
        runtime.seed(seed)
        generator.manual_seed(int(seed))
    else:
        generator.manual_seed(int(torch.randint(0, 2**62, (1,)).item()))

    if early_stopping is not None:
        early_stopping.reset()
    history = History()
    bar = ProgressBar(epochs, enabled=progress)
    for epoch in range(epochs):
        lr = float(optimiser.param_groups[0]["lr"])
        values = _run_epoch(model, X, y, loss_fn, optimiser, batch_size, generator, augment, metric_fns)
        if val is not None:
            values.update({f"val_{k}": v for k, v in _evaluate(model, *val, loss_fn, metric_fns, batch_size).items()})
        history.record(**values, lr=lr)
        if scheduler is not None:
            if isinstance(scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau):
                scheduler.step(values["val_loss"] if val is not None else values["loss"])
            else:
                scheduler.step()
        bar.epoch_end(values)
        if early_stopping is not None and early_stopping.update(values["val_loss"], model):
            early_stopping.stopped_epoch = epoch
            if progress:
                bar.stopped_early(epoch + 1)
            break
    bar.close()
    if early_stopping is not None:
        early_stopping.restore(model)
    model.eval()
    return history


def evaluate(
    model: nn.Module, data, *, loss=None, metrics=("accuracy",), batch_size: int | None = None, device=None
) -> dict[str, float]:
    """Loss (if ``loss`` is given) and metrics of ``model`` on ``data = (X, y)``, in evaluation mode."""
    _model(model)
    _batch_size(batch_size)
    dev = _resolve_device(device)
    X, y = (t.to(dev) for t in _pair(data, "data"))
    model.to(dev)
    return _evaluate(model, X, y, get_loss(loss) if loss is not None else None, get_metrics(metrics), batch_size)


@torch.no_grad()
def predict(model: nn.Module, X, *, batch_size: int | None = None, device=None) -> np.ndarray:
    """The model's outputs (e.g. class scores) for inputs ``X``, as a NumPy array, in evaluation mode."""
    _model(model)
    _batch_size(batch_size)
    dev = _resolve_device(device)
    Xt = as_tensor(X, "X").to(dev)
    if Xt.ndim == 0 or len(Xt) == 0:
        raise ValueError(f"X must hold at least one example along its first axis; got shape {tuple(Xt.shape)}")
    model.to(dev).eval()
    return torch.cat([model(Xt[idx]) for idx in _batches(len(Xt), batch_size)]).cpu().numpy()


def save(model: nn.Module, path: str | Path, **info: Any) -> Path:
    """Write the model's parameters and buffers (its ``state_dict``) and ``info`` to ``path``."""
    _model(model)
    checks.instance(path, (str, Path), "path", "a str or pathlib.Path")
    path = Path(path)
    state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    torch.save({"state_dict": state, "info": info}, path)
    return path


def load(model: nn.Module, path: str | Path) -> dict[str, Any]:
    """Load parameters saved by :func:`save` into ``model`` (same architecture); return the saved ``info``."""
    _model(model)
    checks.instance(path, (str, Path), "path", "a str or pathlib.Path")
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no saved model at {path}")
    saved = torch.load(path, map_location="cpu", weights_only=True)
    if not isinstance(saved, dict) or "state_dict" not in saved:
        raise ValueError(f"{path} was not written by nnbook.fit.save (no 'state_dict' entry)")
    try:
        model.load_state_dict(saved["state_dict"])
    except RuntimeError as e:
        raise ValueError(f"the saved parameters do not fit this model's architecture: {e}") from None
    return saved.get("info", {})
