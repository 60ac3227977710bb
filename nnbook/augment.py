"""Image data augmentation with plain tensor operations (no torchvision): small random rotations
and shifts (one affine resampling) and additive pixel noise, for batches of small grey images.

Every function takes a batch of shape (n, h, w), (n, 1, h, w) or, for square images, (n, h*h)
and returns a new tensor of the same shape; randomness comes only from ``generator``.
"""

from __future__ import annotations

import math

import torch

from nnbook import checks
from nnbook.fit import as_tensor

__all__ = ["random_affine", "add_noise", "augment_digits", "random_shift"]


def _as_images(x) -> tuple[torch.Tensor, tuple[int, ...]]:
    x = as_tensor(x, "images")
    if not torch.is_floating_point(x):
        x = x.float()
    shape = tuple(x.shape)
    if x.ndim == 2:
        side = math.isqrt(shape[1])
        if side * side != shape[1]:
            raise ValueError(f"flat images must have a square number of pixels, e.g. (n, 64); got {shape}")
        return x.reshape(-1, 1, side, side), shape
    if x.ndim == 3:
        return x.unsqueeze(1), shape
    if x.ndim == 4 and shape[1] == 1:
        return x, shape
    raise ValueError(f"images must have shape (n, h, w), (n, 1, h, w) or (n, h*w) with square images; got {shape}")


def random_affine(
    images, max_degrees: float = 10.0, max_shift: float = 1.0, generator: torch.Generator | None = None
) -> torch.Tensor:
    """Rotate each image by a uniform random angle in [-max_degrees, max_degrees] about its centre and
    shift it by uniform random amounts in [-max_shift, max_shift] pixels along each axis, in one
    bilinear resampling; pixels that come from outside the image are background (0)."""
    if not 0 <= max_degrees <= 180:
        raise ValueError(f"max_degrees must be in [0, 180]; got {max_degrees!r}")
    if not max_shift >= 0:
        raise ValueError(f"max_shift must be a number of pixels >= 0; got {max_shift!r}")
    x, shape = _as_images(images)
    n, _, h, w = x.shape
    u = torch.rand(n, 3, generator=generator).to(x.device, x.dtype) * 2 - 1  # three uniforms in [-1, 1]
    angle = u[:, 0] * math.radians(max_degrees)
    # affine_grid works in normalised coordinates, where the image spans [-1, 1]: a pixel is 2 / size
    tx, ty = u[:, 1] * max_shift * 2 / w, u[:, 2] * max_shift * 2 / h
    cos, sin = torch.cos(angle), torch.sin(angle)
    theta = torch.stack([torch.stack([cos, -sin, tx], 1), torch.stack([sin, cos, ty], 1)], 1)
    grid = torch.nn.functional.affine_grid(theta, list(x.shape), align_corners=False)
    out = torch.nn.functional.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    return out.reshape(shape)


def add_noise(images, std: float = 0.05, generator: torch.Generator | None = None) -> torch.Tensor:
    """Add independent Gaussian noise of standard deviation ``std`` to every pixel."""
    if not std >= 0:
        raise ValueError(f"std must be a number >= 0; got {std!r}")
    x, shape = _as_images(images)
    noise = torch.randn(x.shape, generator=generator).to(x.device, x.dtype)
    return (x + std * noise).reshape(shape)


def augment_digits(
    images,
    max_degrees: float = 10.0,
    max_shift: float = 1.0,
    noise: float = 0.05,
    p: float = 1.0,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """The book's digit augmentation: each image, with probability ``p``, is passed through
    :func:`random_affine` then :func:`add_noise`; the others are returned unchanged."""
    if isinstance(p, bool) or not 0.0 <= p <= 1.0:
        raise ValueError(f"p must be a probability in [0, 1]; got {p!r}")
    x = as_tensor(images, "images")
    out = add_noise(random_affine(x, max_degrees, max_shift, generator), noise, generator)
    if p < 1.0:
        keep = (torch.rand(len(x), generator=generator) >= p).to(x.device)
        out[keep] = x[keep].to(out.dtype)
    return out


def random_shift(images, max_shift: int = 1, p: float = 1.0, generator: torch.Generator | None = None) -> torch.Tensor:
    """Move each image, with probability ``p``, by a random non-zero offset of at most ``max_shift``
    whole pixels in each direction (all offsets but (0, 0) equally likely), filling the uncovered
    border with zeros (background). So a fraction ``p`` of the images is moved and ``p=1`` leaves no
    image in place. Unlike :func:`random_affine` nothing is resampled: pixels move as they are."""
    x, shape = _as_images(images)
    h, w = x.shape[2:]
    s = checks.int_in_range(max_shift, "max_shift", 0, min(h, w) - 1)
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0.0 <= p <= 1.0:
        raise ValueError(f"p must be a probability in [0, 1]; got {p!r}")
    if s == 0:
        return x.reshape(shape).clone()
    img = x[:, 0]
    n, dev = img.shape[0], img.device
    offsets = torch.cartesian_prod(torch.arange(-s, s + 1), torch.arange(-s, s + 1))
    offsets = offsets[(offsets != 0).any(dim=1)].to(dev)  # the (2s+1)^2 - 1 non-zero moves
    shifts = offsets[torch.randint(len(offsets), (n,), generator=generator).to(dev)]
    if p < 1.0:
        shifts[torch.rand(n, generator=generator).to(dev) >= p] = 0
    padded = torch.nn.functional.pad(img, (s, s, s, s))
    # output pixel (r, c) of image i is input pixel (r - dy, c - dx), i.e. padded (r - dy + s, c - dx + s)
    rows = (torch.arange(h, device=dev)[None, :] - shifts[:, :1] + s)[:, :, None].expand(n, h, w)
    cols = (torch.arange(w, device=dev)[None, :] - shifts[:, 1:] + s)[:, None, :].expand(n, h, w)
    return padded[torch.arange(n, device=dev)[:, None, None], rows, cols].reshape(shape)
