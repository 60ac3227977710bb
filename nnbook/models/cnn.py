"""Convolutional networks in PyTorch: a LeNet-style net for the 8x8 digits and AlexNet (for shapes).

``lenet`` is sized for 8x8 inputs: two blocks of 3x3 convolutions with "same" padding and 2x2 max
pooling (8x8 -> 4x4 -> 2x2), then a small fully connected classifier. ``alexnet`` builds the
network of Krizhevsky, Sutskever and Hinton (2012), in one of two variants, only to read off its
layer shapes and parameter counts; the book never trains it.
"""

from __future__ import annotations

import copy
import math
from typing import Literal

import torch
from torch import nn

from nnbook import checks

__all__ = ["AsImage", "lenet", "alexnet", "layer_table"]


class AsImage(nn.Module):
    """Reshape each example to ``shape`` (channels, height, width), e.g. flat digits to 1x8x8 images."""

    def __init__(self, shape: tuple[int, int, int]):
        super().__init__()
        self.shape = tuple(shape)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x[0].numel() != math.prod(self.shape):
            raise ValueError(
                f"each example must hold {math.prod(self.shape)} values to become an image of shape {self.shape}; got shape {tuple(x.shape[1:])}"
            )
        return x.reshape(len(x), *self.shape)

    def extra_repr(self) -> str:
        return f"shape={self.shape}"


def lenet(
    channels: tuple[int, int] = (32, 64), hidden: int = 128, dropout: float = 0.25, n_classes: int = 10
) -> nn.Sequential:
    """A LeNet-style network for 1x8x8 images given as (n, 64) or (n, 1, 8, 8) tensors.

    conv 3x3 (c1) - ReLU - conv 3x3 (c1) - ReLU - max pool 2 - conv 3x3 (c2) - ReLU - max pool 2
    - flatten (4 * c2) - dense (hidden) - ReLU - dropout - dense (n_classes logits).
    """
    if len(channels) != 2:
        raise ValueError(f"channels must be a pair (c1, c2) of channel counts; got {channels!r}")
    c1, c2 = (checks.positive_int(c, "each channel count") for c in channels)
    hidden, n_classes = checks.positive_int(hidden, "hidden"), checks.positive_int(n_classes, "n_classes")
    dropout = checks.probability(dropout, "dropout")
    return nn.Sequential(
        AsImage((1, 8, 8)),  # (n, 64) -> (n, 1, 8, 8)
        nn.Conv2d(1, c1, 3, padding=1),
        nn.ReLU(),
        nn.Conv2d(c1, c1, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),  # 8x8 -> 4x4
        nn.Conv2d(c1, c2, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),  # 4x4 -> 2x2
        nn.Flatten(),
        nn.Linear(4 * c2, hidden),
        nn.ReLU(),
        nn.Dropout(dropout),
        nn.Linear(hidden, n_classes),
    )


AlexNetVariant = Literal["paper", "torchvision"]


def alexnet(variant: AlexNetVariant = "paper", n_classes: int = 1000) -> nn.Sequential:
    """AlexNet for 3x227x227 images (shapes and counts only; the book does not train it).

    ``"paper"``: the network of Krizhevsky et al. (2012) as trained on two GPUs: 96-256-384-384-256
    kernels, local response normalisation after the first two convolutions, and ``groups=2`` where
    a layer saw only the kernel maps on its own GPU (conv2, conv4, conv5). ``"torchvision"``: the
    one-GPU variant of torchvision's ``alexnet`` (64-192-384-256-256 kernels, no LRN, no groups).
    """
    n_classes = checks.positive_int(n_classes, "n_classes")
    if variant == "paper":
        # the paper divides by (k + alpha * sum of squares)^beta with alpha = 1e-4; PyTorch divides
        # alpha by the window size n = 5, so alpha = 5e-4 here gives the paper's formula
        lrn = dict(size=5, alpha=5e-4, beta=0.75, k=2.0)
        features = [
            nn.Conv2d(3, 96, 11, stride=4),
            nn.ReLU(),
            nn.LocalResponseNorm(**lrn),
            nn.MaxPool2d(3, 2),
            nn.Conv2d(96, 256, 5, padding=2, groups=2),
            nn.ReLU(),
            nn.LocalResponseNorm(**lrn),
            nn.MaxPool2d(3, 2),
            nn.Conv2d(256, 384, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(384, 384, 3, padding=1, groups=2),
            nn.ReLU(),
            nn.Conv2d(384, 256, 3, padding=1, groups=2),
            nn.ReLU(),
            nn.MaxPool2d(3, 2),
        ]
        classifier = [
            nn.Flatten(),
            nn.Linear(256 * 6 * 6, 4096),
            nn.ReLU(),
            nn.Dropout(0.5),
            nn.Linear(4096, 4096),
            nn.ReLU(),
            nn.Dropout(0.5),
            nn.Linear(4096, n_classes),
        ]
    elif variant == "torchvision":
        features = [
            nn.Conv2d(3, 64, 11, stride=4, padding=2),
            nn.ReLU(),
            nn.MaxPool2d(3, 2),
            nn.Conv2d(64, 192, 5, padding=2),
            nn.ReLU(),
            nn.MaxPool2d(3, 2),
            nn.Conv2d(192, 384, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(384, 256, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(256, 256, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(3, 2),
            nn.AdaptiveAvgPool2d((6, 6)),
        ]
        classifier = [
            nn.Flatten(),
            nn.Dropout(0.5),
            nn.Linear(256 * 6 * 6, 4096),
            nn.ReLU(),
            nn.Dropout(0.5),
            nn.Linear(4096, 4096),
            nn.ReLU(),
            nn.Linear(4096, n_classes),
        ]
    else:
        raise ValueError(
            f"variant must be 'paper' (two GPUs, 96 first-layer kernels) or 'torchvision'; got {variant!r}"
        )
    return nn.Sequential(*features, *classifier)


def _describe(m: nn.Module) -> dict:
    if isinstance(m, nn.Conv2d):
        return {
            "kernel": f"{m.kernel_size[0]}x{m.kernel_size[1]}",
            "stride": m.stride[0],
            "padding": m.padding[0],
            "groups": m.groups,
        }
    if isinstance(m, (nn.MaxPool2d, nn.AvgPool2d)):
        k, s = m.kernel_size, m.stride
        return {"kernel": f"{k}x{k}", "stride": s, "padding": m.padding, "groups": ""}
    return {"kernel": "", "stride": "", "padding": "", "groups": ""}  # blank cells in a table


def layer_table(model: nn.Sequential, input_shape: tuple[int, ...], *, skip=(nn.ReLU, nn.Dropout)) -> list[dict]:
    """One row per layer of ``model`` (except ``skip`` types): its type, kernel, stride, padding,
    groups (blank where they do not apply), output shape for one input of ``input_shape`` and
    number of parameters.

    The shapes come from running the model on a "meta" tensor (no memory, no arithmetic)."""
    checks.instance(model, nn.Sequential, "model", "a torch.nn.Sequential")
    x = torch.empty((1, *input_shape), device="meta")
    on_meta = all(p.device.type == "meta" for p in model.parameters())
    meta = model if on_meta else copy.deepcopy(model).to("meta")  # never move the caller's model
    rows = []
    with torch.no_grad():
        for i, m in enumerate(meta):
            x = m(x)
            if isinstance(m, skip):
                continue
            rows.append(
                {
                    "layer": i,
                    "type": type(m).__name__,
                    **_describe(m),
                    "output": tuple(x.shape[1:]),
                    "parameters": sum(p.numel() for p in m.parameters()),
                }
            )
    return rows
