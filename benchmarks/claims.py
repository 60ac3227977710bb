"""The book's headline accuracies, each recomputed over several seeds on the book's fixed split.

Each claim names the chapter that makes it, the target it must meet (as the mean over seeds), and a
function ``seed -> accuracy`` built from the same package code the chapter runs. A claim whose code
is not in the package yet is reported as missing, which is a miss.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Claim:
    name: str
    chapter: str
    target: float  # the mean over seeds must reach this accuracy
    run: Callable[[int], float]
    note: str = ""


def numpy_mlp(seed: int) -> float:
    """Chapter 6: the from-scratch 64-32-10 ReLU MLP, 30 epochs of SGD (batches of 32, learning rate 0.1)."""
    from nnbook.data import load_digits
    from nnbook.scratch.mlp import MLP

    X, y = load_digits("train")
    Xt, yt = load_digits("test")
    model = MLP([64, 32, 10], "relu", seed=seed)
    model.fit(X, y, epochs=30, batch_size=32, lr=0.1, seed=seed)
    return float(model.accuracy(Xt, yt))


def torch_mlp(seed: int) -> float:
    """Chapter 7: the PyTorch MLP of the training workflow, early-stopped on the validation split."""
    import torch

    from nnbook import fit as F
    from nnbook.demos.training import digits_splits
    from nnbook.models.mlp import mlp

    data = digits_splits()
    torch.manual_seed(seed)
    model = mlp((64, 256, 10), dropout=0.2)
    F.fit(model, data.train, loss="cross_entropy", optimiser=torch.optim.Adam(model.parameters(), lr=2e-3, weight_decay=1e-4),
          epochs=100, batch_size=128, val_data=data.val, metrics=["accuracy"], early_stopping=F.EarlyStopping(patience=10), seed=seed,
          progress=False)
    return float(F.evaluate(model, data.test, loss="cross_entropy", metrics=["accuracy"])["accuracy"])


CLAIMS: list[Claim] = [
    Claim("NumPy MLP (from scratch)", "ch06_backprop", 0.95, numpy_mlp),
    Claim("PyTorch MLP", "ch07_training", 0.97, torch_mlp),
]


def measure_claim(claim: Claim, seeds=(0, 1, 2)) -> dict:
    """Mean, spread and per-seed accuracies of one claim; ``error`` when its code cannot run."""
    try:
        accs = [claim.run(s) for s in seeds]
    except Exception as exc:  # noqa: BLE001 - a missing or broken claim is reported, not fatal
        return {"claim": claim.name, "chapter": claim.chapter, "target": claim.target, "error": f"{type(exc).__name__}: {exc}"}
    return {"claim": claim.name, "chapter": claim.chapter, "target": claim.target, "seeds": list(seeds), "accuracies": accs,
            "mean": float(np.mean(accs)), "std": float(np.std(accs, ddof=1)) if len(accs) > 1 else 0.0,
            "met": bool(np.mean(accs) >= claim.target)}
