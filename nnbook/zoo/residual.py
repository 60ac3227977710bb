"""A residual block against a plain layer: deep stacks of each trained on the digits."""

from __future__ import annotations

from functools import lru_cache

import torch
from torch import nn

__all__ = ["ResidualBlock", "deep_net", "train_deep"]


class ResidualBlock(nn.Module):
    """x + W2 relu(W1 x): the block learns a correction to the identity."""

    def __init__(self, width: int):
        super().__init__()
        self.f = nn.Sequential(nn.Linear(width, width), nn.ReLU(), nn.Linear(width, width))

    def forward(self, x):
        return x + self.f(x)


def deep_net(blocks: int, residual: bool, width: int = 32) -> nn.Sequential:
    """64 -> width, then ``blocks`` blocks of two layers (residual or plain, ReLU), then width -> 10."""
    body = [
        ResidualBlock(width)
        if residual
        else nn.Sequential(nn.Linear(width, width), nn.ReLU(), nn.Linear(width, width), nn.ReLU())
        for _ in range(blocks)
    ]
    return nn.Sequential(nn.Linear(64, width), nn.ReLU(), *body, nn.Linear(width, 10))


@lru_cache(maxsize=8)
def train_deep(blocks: int, residual: bool, epochs: int = 15, seed: int = 0) -> tuple[list[float], float]:
    """Per-epoch training loss and final test accuracy of ``deep_net`` trained by SGD with momentum (PyTorch's default init)."""
    from nnbook.data import load_digits

    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    X, y = (torch.tensor(a) for a in load_digits("train"))
    Xt, yt = (torch.tensor(a) for a in load_digits("test"))
    X, Xt = X.float(), Xt.float()
    net = deep_net(blocks, residual)
    opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
    losses = []
    for _ in range(epochs):
        total = 0.0
        for idx in torch.randperm(len(X), generator=g).split(32):
            opt.zero_grad()
            loss = nn.functional.cross_entropy(net(X[idx]), y[idx])
            if not torch.isfinite(loss):
                return losses + [float("nan")] * (epochs - len(losses)), float("nan")
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        losses.append(total / len(X))
    with torch.no_grad():
        return losses, float((net(Xt).argmax(1) == yt).float().mean())
