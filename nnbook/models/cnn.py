"""Convolutional networks in PyTorch: a LeNet-style net for the 8x8 digits and AlexNet (for shapes).

``lenet`` is sized for 8x8 inputs: two blocks of 3x3 convolutions with "same" padding and 2x2 max
pooling (8x8 -> 4x4 -> 2x2), then a small fully connected classifier. ``alexnet`` builds the
network of Krizhevsky, Sutskever and Hinton (2012), in one of two variants, only to read off its
layer shapes and parameter counts; the book never trains it.
"""
from __future__ import annotations

import math
from typing import Literal

import torch
from torch import nn

__all__ = ["AsImage", "lenet", "alexnet", "layer_table"]


def _positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive integer; got {value!r}")
    return value


class AsImage(nn.Module):
    """Reshape each example to ``shape`` (channels, height, width), e.g. flat digits to 1x8x8 images."""

    def __init__(self, shape: tuple[int, int, int]):
        super().__init__()
        self.shape = tuple(shape)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x[0].numel() != math.prod(self.shape):
            raise ValueError(f"each example must hold {math.prod(self.shape)} values to become an image of shape {self.shape}; got shape {tuple(x.shape[1:])}")
        return x.reshape(len(x), *self.shape)

    def extra_repr(self) -> str:
        return f"shape={self.shape}"


def lenet(channels: tuple[int, int] = (16, 32), hidden: int = 64, dropout: float = 0.25, n_classes: int = 10) -> nn.Sequential:
    """A LeNet-style network for 1x8x8 images given as (n, 64) or (n, 1, 8, 8) tensors.

    conv 3x3 (c1) - ReLU - conv 3x3 (c1) - ReLU - max pool 2 - conv 3x3 (c2) - ReLU - max pool 2
    - flatten (4 * c2) - dense (hidden) - ReLU - dropout - dense (n_classes logits).
    """
    if len(channels) != 2:
        raise ValueError(f"channels must be a pair (c1, c2) of channel counts; got {channels!r}")
    c1, c2 = (_positive_int(c, "each channel count") for c in channels)
    hidden, n_classes = _positive_int(hidden, "hidden"), _positive_int(n_classes, "n_classes")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be a probability in [0, 1); got {dropout!r}")
    return nn.Sequential(
        AsImage((1, 8, 8)),                                # (n, 64) -> (n, 1, 8, 8)
        nn.Conv2d(1, c1, 3, padding=1), nn.ReLU(),
        nn.Conv2d(c1, c1, 3, padding=1), nn.ReLU(),
        nn.MaxPool2d(2),                                   # 8x8 -> 4x4
        nn.Conv2d(c1, c2, 3, padding=1), nn.ReLU(),
        nn.MaxPool2d(2),                                   # 4x4 -> 2x2
        nn.Flatten(),
        nn.Linear(4 * c2, hidden), nn.ReLU(), nn.Dropout(dropout),
        nn.Linear(hidden, n_classes),
    )
