"""Measures of how good a model's outputs are: accuracy for ``fit``, and the cost of decisions
taken with a threshold on predicted probabilities."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

__all__ = ["Metric", "METRICS", "accuracy", "expected_cost", "best_threshold"]

Metric = Callable[[torch.Tensor, torch.Tensor], float]


def accuracy(outputs: torch.Tensor, targets: torch.Tensor) -> float:
    """Fraction of correct predictions: argmax of the class scores, or ``output > 0`` for a
    single logit per example (binary classification with targets in {0, 1})."""
    if outputs.ndim == 2 and outputs.shape[1] > 1:
        pred = outputs.argmax(dim=1)
    else:
        pred = (outputs.reshape(-1) > 0).long()
    return (pred == targets.reshape(-1).long()).float().mean().item()


METRICS: dict[str, Metric] = {"accuracy": accuracy}


def expected_cost(y, p, threshold: float, cost_fp: float, cost_fn: float) -> float:
    """Mean cost per case of flagging ``p >= threshold`` as positive: a false positive costs
    ``cost_fp``, a false negative ``cost_fn``, correct decisions cost nothing."""
    y, p = np.asarray(y), np.asarray(p, dtype=float)
    if y.shape != p.shape or y.ndim != 1:
        raise ValueError(f"y and p must be vectors of the same length; got shapes {y.shape} and {p.shape}")
    if not set(np.unique(y)) <= {0, 1}:
        raise ValueError("y must hold labels 0 (negative) and 1 (positive)")
    if cost_fp < 0 or cost_fn < 0:
        raise ValueError(f"costs must be >= 0; got cost_fp={cost_fp}, cost_fn={cost_fn}")
    flag = p >= threshold
    return float((cost_fp * np.sum(flag & (y == 0)) + cost_fn * np.sum(~flag & (y == 1))) / len(y))


def best_threshold(y, p, cost_fp: float, cost_fn: float) -> float:
    """The threshold among the observed probabilities (and just above 1: flag none) of least expected cost."""
    candidates = np.unique(np.r_[np.asarray(p, dtype=float), np.nextafter(1.0, 2.0)])
    costs = [expected_cost(y, p, t, cost_fp, cost_fn) for t in candidates]
    return float(candidates[int(np.argmin(costs))])
