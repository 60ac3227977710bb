"""The book's digit judge: a small CNN trained once on the training digits, used to judge generated ones.

Generative chapters (RBM/DBN, GANs) ask "does this sample look like the digit it should be?" by
classifying it with this network, which never saw the test split or any generated image.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import torch
from torch import nn

__all__ = ["judge_net", "digit_judge", "judge_predict", "judge_proba"]


def judge_net() -> nn.Sequential:
    """The judge's architecture: two 3x3 convolutions, max pooling, one hidden dense layer."""
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1),
        nn.ReLU(),
        nn.Conv2d(16, 32, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(32 * 4 * 4, 64),
        nn.ReLU(),
        nn.Linear(64, 10),
    )


@lru_cache(maxsize=4)
@torch.enable_grad()
def digit_judge(seed: int = 0, epochs: int = 40) -> nn.Sequential:
    """The judge trained on the book's training digits (Adam, mini-batches of 64), in eval mode."""
    from nnbook.data import load_digits

    X, y = load_digits("train", flatten=False)
    g = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    net = judge_net()
    opt = torch.optim.Adam(net.parameters(), lr=2e-3)
    Xt = torch.tensor(X, dtype=torch.float32).unsqueeze(1)
    yt = torch.tensor(y)
    for _ in range(epochs):
        for idx in torch.randperm(len(Xt), generator=g).split(64):
            opt.zero_grad()
            nn.functional.cross_entropy(net(Xt[idx]), yt[idx]).backward()
            opt.step()
    return net.eval()


def _as_images(images) -> torch.Tensor:
    x = torch.as_tensor(np.asarray(images, dtype=np.float32))
    if x.ndim == 2 and x.shape[1] == 64:
        x = x.reshape(-1, 8, 8)
    if x.ndim != 3 or x.shape[1:] != (8, 8):
        raise ValueError(f"images must have shape (n, 8, 8) or (n, 64); got {tuple(x.shape)}")
    return x.unsqueeze(1)


@torch.no_grad()
def judge_proba(images, seed: int = 0) -> np.ndarray:
    """The judge's softmax probabilities over the ten digits, shape (n, 10); it has no "not a digit" class."""
    return torch.softmax(digit_judge(seed)(_as_images(images)), dim=1).numpy()


@torch.no_grad()
def judge_predict(images, seed: int = 0) -> np.ndarray:
    """The judge's predicted digit for each image: ``images`` of shape (n, 8, 8) or (n, 64) with values in [0, 1]."""
    return digit_judge(seed)(_as_images(images)).argmax(1).numpy()
