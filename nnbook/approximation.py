"""Universal approximation in practice: one hidden layer of growing width fitted to a 1-D function."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import torch
from torch import nn

from nnbook import checks

__all__ = ["target", "shallow_net", "fit_shallow", "sup_error"]

GRID = np.linspace(-np.pi, np.pi, 401)


def target(x: np.ndarray) -> np.ndarray:
    """The function to approximate on [-pi, pi]: a smooth curve with two bumps and a dip."""
    return np.sin(2 * x) + 0.5 * np.cos(5 * x) * np.exp(-x * x / 2)


def shallow_net(width: int) -> nn.Sequential:
    """x -> sum_j c_j tanh(w_j x + b_j) + d: one hidden layer of ``width`` tanh units."""
    width = checks.positive_int(width, "width")
    return nn.Sequential(nn.Linear(1, width), nn.Tanh(), nn.Linear(width, 1)).double()


@lru_cache(maxsize=64)
@torch.enable_grad()
def fit_shallow(width: int, seed: int = 0, steps: int = 3000) -> nn.Sequential:
    """A ``shallow_net(width)`` trained by Adam on the least-squares error over GRID (full batch)."""
    torch.manual_seed(seed)
    net = shallow_net(width)
    x = torch.tensor(GRID[:, None])
    y = torch.tensor(target(GRID)[:, None])
    opt = torch.optim.Adam(net.parameters(), lr=0.02)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps)
    for _ in range(steps):
        opt.zero_grad()
        ((net(x) - y) ** 2).mean().backward()
        opt.step()
        sched.step()
    return net.eval()


@torch.no_grad()
def sup_error(width: int, seed: int = 0) -> float:
    """The largest absolute error of the trained network on a grid 10x finer than the training grid."""
    fine = np.linspace(-np.pi, np.pi, 4001)
    pred = fit_shallow(width, seed)(torch.tensor(fine[:, None]))[:, 0].numpy()
    return float(np.max(np.abs(pred - target(fine))))
