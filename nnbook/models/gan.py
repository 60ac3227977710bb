"""Generative adversarial networks: the networks and the training step.

Three pairs of generator and discriminator: an MLP pair for 2-D toy data, a DCGAN-style
convolutional pair for the 8x8 digits, and a conditional pair (label embedding in the
generator, projection discriminator) that draws a requested digit. All digit generators output
images in [-1, 1] (tanh); `to_pixels` maps them back to the book's [0, 1] pixels.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

import numpy as np
import torch
from torch import nn

from nnbook.history import History

__all__ = [
    "ToyGenerator",
    "ToyDiscriminator",
    "PackedDiscriminator",
    "DigitGenerator",
    "DigitDiscriminator",
    "ConditionalGenerator",
    "ProjectionDiscriminator",
    "gan_step",
    "train_gan",
    "WeightAverage",
    "to_pixels",
    "from_pixels",
    "sample_digits",
]


# ---------------------------------------------------------------------------------------------
# Toy 2-D data
# ---------------------------------------------------------------------------------------------
def _mlp(sizes: list[int], act: Callable[[], nn.Module] = lambda: nn.LeakyReLU(0.2)) -> nn.Sequential:
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(zip(sizes, sizes[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(act())
    return nn.Sequential(*layers)


class ToyGenerator(nn.Module):
    """Noise of ``z_dim`` dimensions -> a point in the plane, through an MLP."""

    def __init__(self, z_dim: int = 8, hidden: int = 64, depth: int = 2) -> None:
        super().__init__()
        self.z_dim = z_dim
        self.net = _mlp([z_dim] + [hidden] * depth + [2], act=nn.ReLU)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z)


class ToyDiscriminator(nn.Module):
    """A point in the plane -> one logit, "real" when large."""

    def __init__(self, hidden: int = 64, depth: int = 2) -> None:
        super().__init__()
        self.net = _mlp([2] + [hidden] * depth + [1])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)[:, 0]


class PackedDiscriminator(nn.Module):
    """PacGAN: judges ``pack`` samples at once (concatenated), so it can see a lack of variety.

    A batch of n points becomes n / pack packs; each pack gets one logit, repeated for its
    members so the output has one logit per point, like the other discriminators.
    """

    def __init__(self, pack: int = 2, hidden: int = 64, depth: int = 2, dim: int = 2) -> None:
        super().__init__()
        if pack < 1:
            raise ValueError(f"pack must be a positive number of samples per pack; got {pack}")
        self.pack, self.dim = pack, dim
        self.net = _mlp([dim * pack] + [hidden] * depth + [1])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if len(x) % self.pack:
            raise ValueError(f"the batch size ({len(x)}) must be a multiple of pack={self.pack}")
        logits = self.net(x.reshape(-1, self.pack * self.dim))[:, 0]
        return logits.repeat_interleave(self.pack)


# ---------------------------------------------------------------------------------------------
# 8x8 digits
# ---------------------------------------------------------------------------------------------
class DigitGenerator(nn.Module):
    """DCGAN-style: noise -> 2x2 feature maps -> two transposed convolutions -> an 8x8 image."""

    def __init__(self, z_dim: int = 32, width: int = 64) -> None:
        super().__init__()
        self.z_dim = z_dim
        self.project = nn.Sequential(nn.Linear(z_dim, 2 * width * 4), nn.BatchNorm1d(2 * width * 4), nn.ReLU())
        self.up = nn.Sequential(
            nn.ConvTranspose2d(2 * width, width, 4, 2, 1),
            nn.BatchNorm2d(width),
            nn.ReLU(),  # 2x2 -> 4x4
            nn.ConvTranspose2d(width, 1, 4, 2, 1),
            nn.Tanh(),  # 4x4 -> 8x8
        )
        self.width = width

    def features(self, z: torch.Tensor) -> torch.Tensor:
        return self.project(z).reshape(len(z), 2 * self.width, 2, 2)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.up(self.features(z))


class DigitDiscriminator(nn.Module):
    """DCGAN-style: two strided convolutions with leaky ReLU, then one logit."""

    def __init__(self, width: int = 64) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, width, 4, 2, 1),
            nn.LeakyReLU(0.2),  # 8x8 -> 4x4
            nn.Conv2d(width, 2 * width, 4, 2, 1),
            nn.LeakyReLU(0.2),  # 4x4 -> 2x2
            nn.Flatten(),
        )
        self.out = nn.Linear(2 * width * 4, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.out(self.features(x))[:, 0]


class ConditionalGenerator(DigitGenerator):
    """The digit generator told which digit to draw: a learned label embedding joins the noise."""

    def __init__(self, z_dim: int = 32, width: int = 64, n_classes: int = 10, embed: int = 16) -> None:
        super().__init__(z_dim, width)
        self.n_classes = n_classes
        self.embed = nn.Embedding(n_classes, embed)
        self.project[0] = nn.Linear(z_dim + embed, 2 * width * 4)

    def forward(self, z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        return super().forward(torch.cat([z, self.embed(y)], dim=1))


class ProjectionDiscriminator(DigitDiscriminator):
    """Projection discriminator: logit = w . phi(x) + b + e_y . phi(x), with a learned class embedding e_y."""

    def __init__(self, width: int = 64, n_classes: int = 10) -> None:
        super().__init__(width)
        self.embed = nn.Embedding(n_classes, 2 * width * 4)
        nn.init.normal_(self.embed.weight, std=0.02)

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        h = self.features(x)
        return self.out(h)[:, 0] + (self.embed(y) * h).sum(1)


# ---------------------------------------------------------------------------------------------
# Training
# ---------------------------------------------------------------------------------------------
def gan_step(G, D, opt_g, opt_d, real, z, *cond, real_target: float = 1.0) -> tuple[float, float]:
    """One discriminator step, then one generator step with the non-saturating loss."""
    bce = nn.functional.binary_cross_entropy_with_logits
    fake = G(z, *cond)
    d_real, d_fake = D(real, *cond), D(fake.detach(), *cond)
    loss_d = bce(d_real, torch.full_like(d_real, real_target)) + bce(d_fake, torch.zeros_like(d_fake))
    opt_d.zero_grad()
    loss_d.backward()
    opt_d.step()
    d_fake = D(fake, *cond)  # the discriminator just improved: judge again
    loss_g = bce(d_fake, torch.ones_like(d_fake))  # non-saturating: maximise log D(G(z))
    opt_g.zero_grad()
    loss_g.backward()
    opt_g.step()
    return loss_d.item(), loss_g.item()


def train_gan(
    G: nn.Module,
    D: nn.Module,
    real_batch: Callable[[torch.Generator], tuple],
    *,
    steps: int,
    batch_size: int = 128,
    lr_g: float = 2e-3,
    lr_d: float = 2e-3,
    betas=(0.5, 0.999),
    real_target: float = 1.0,
    seed: int = 0,
    record_every: int = 1,
    callback: Callable[[int], None] | None = None,
    device: str | torch.device = "cpu",
) -> History:
    """Train ``G`` and ``D`` with Adam for ``steps`` calls of :func:`gan_step`; record the losses.

    ``real_batch(gen)`` returns ``(x,)`` or ``(x, y)``: real examples and, for a conditional GAN,
    their labels, which the generator is then asked to draw. ``callback(step)`` runs after each
    step (e.g. to save snapshots). ``G`` and ``D`` must already be on ``device``; batches are moved
    there. Returns a History with ``step``, ``loss_d`` and ``loss_g``.
    """
    if steps < 1 or batch_size < 1:
        raise ValueError(f"steps and batch_size must be positive; got steps={steps}, batch_size={batch_size}")
    if not 0.0 < real_target <= 1.0:
        raise ValueError(f"real_target must be in (0, 1] (1 = no label smoothing); got {real_target}")
    gen = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    opt_g = torch.optim.Adam(G.parameters(), lr=lr_g, betas=betas)
    opt_d = torch.optim.Adam(D.parameters(), lr=lr_d, betas=betas)
    G.train(), D.train()
    history = History()
    for step in range(steps):
        real, *cond = (t.to(device) for t in real_batch(gen))
        z = torch.randn(len(real), G.z_dim, generator=gen).to(device)
        loss_d, loss_g = gan_step(G, D, opt_g, opt_d, real, z, *cond, real_target=real_target)
        if step % record_every == 0 or step == steps - 1:
            history.record(step=step, loss_d=loss_d, loss_g=loss_g)
        if callback is not None:
            callback(step)
    G.eval(), D.eval()
    return history


class WeightAverage:
    """An exponential moving average of a network's weights: ``model`` holds the averaged copy.

    ``update()`` after each optimiser step sets avg <- decay * avg + (1 - decay) * current for the
    parameters and copies the buffers (batch-norm statistics). Averaging the generator's recent
    weights smooths out the oscillation of adversarial training.
    """

    def __init__(self, net: nn.Module, decay: float = 0.98) -> None:
        if not 0.0 <= decay < 1.0:
            raise ValueError(f"decay must be in [0, 1); got {decay}")
        self.net, self.decay = net, decay
        self.model = copy.deepcopy(net)

    @torch.no_grad()
    def update(self) -> None:
        for avg, cur in zip(self.model.parameters(), self.net.parameters()):
            avg.lerp_(cur, 1.0 - self.decay)
        for avg, cur in zip(self.model.buffers(), self.net.buffers()):
            avg.copy_(cur)


def from_pixels(x: np.ndarray) -> torch.Tensor:
    """The book's digits (pixels in [0, 1], shape (n, 64) or (n, 8, 8)) as a tensor (n, 1, 8, 8) in [-1, 1]."""
    x = np.asarray(x, dtype=np.float32)
    if x.ndim == 2 and x.shape[1] == 64:
        x = x.reshape(-1, 8, 8)
    if x.ndim != 3 or x.shape[1:] != (8, 8):
        raise ValueError(f"images must have shape (n, 8, 8) or (n, 64); got {x.shape}")
    return torch.from_numpy(2 * x - 1).unsqueeze(1)


def to_pixels(images: torch.Tensor) -> np.ndarray:
    """Generator output (n, 1, 8, 8) in [-1, 1] -> NumPy images (n, 8, 8) with pixels in [0, 1]."""
    return ((images.detach().reshape(-1, 8, 8).cpu().numpy() + 1) / 2).clip(0, 1)


@torch.no_grad()
def sample_digits(G: nn.Module, n: int, digit: int | np.ndarray | None = None, *, seed: int = 0) -> np.ndarray:
    """``n`` images (n, 8, 8) in [0, 1] from a trained generator; ``digit`` (one or one per image) for a conditional one."""
    G.eval()
    z = torch.randn(n, G.z_dim, generator=torch.Generator().manual_seed(seed))
    if digit is None:
        return to_pixels(G(z))
    y = torch.as_tensor(np.broadcast_to(np.asarray(digit), (n,)).copy(), dtype=torch.long)
    if y.min() < 0 or y.max() >= G.n_classes:
        raise ValueError(f"digit must be in 0..{G.n_classes - 1}; got {digit}")
    return to_pixels(G(z, y))
