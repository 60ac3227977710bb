"""Autoencoder, denoising autoencoder and variational autoencoder on the 8x8 digits (PyTorch)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import torch
from torch import nn

__all__ = ["Autoencoder", "VAE", "vae_loss", "train_autoencoder", "autoencoder_error"]


class Autoencoder(nn.Module):
    """64 -> 32 -> code -> 32 -> 64, sigmoid outputs (pixels in [0, 1])."""

    def __init__(self, code: int = 8):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, code))
        self.decoder = nn.Sequential(nn.Linear(code, 32), nn.ReLU(), nn.Linear(32, 64), nn.Sigmoid())

    def forward(self, x):
        return self.decoder(self.encoder(x))


class VAE(nn.Module):
    """The encoder outputs a mean and a log-variance per code unit; the decoder maps a sampled code to pixels."""

    def __init__(self, code: int = 4):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 2 * code))
        self.decoder = nn.Sequential(nn.Linear(code, 64), nn.ReLU(), nn.Linear(64, 64), nn.Sigmoid())
        self.code = code

    def forward(self, x):
        mu, logvar = self.encoder(x).chunk(2, dim=1)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)  # the reparameterisation trick
        return self.decoder(z), mu, logvar


def vae_loss(x, x_hat, mu, logvar):
    """Negative ELBO per example: reconstruction cross-entropy plus KL(q(z|x) || N(0, I))."""
    recon = nn.functional.binary_cross_entropy(x_hat, x, reduction="sum")
    kl = -0.5 * torch.sum(1 + logvar - mu**2 - logvar.exp())
    return (recon + kl) / len(x)


@lru_cache(maxsize=8)
def train_autoencoder(kind: str = "ae", epochs: int = 60, seed: int = 0, noise: float = 0.3) -> nn.Module:
    """Train ``kind`` in {"ae", "dae", "vae"} on the training digits with Adam; the DAE sees noisy inputs."""
    from nnbook.data import load_digits

    if kind not in ("ae", "dae", "vae"):
        raise ValueError(f"kind must be 'ae', 'dae' or 'vae'; got {kind!r}")
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    X = torch.tensor(load_digits("train")[0], dtype=torch.float32)
    model = VAE() if kind == "vae" else Autoencoder()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    for _ in range(epochs):
        for idx in torch.randperm(len(X), generator=g).split(64):
            x = X[idx]
            opt.zero_grad()
            if kind == "vae":
                loss = vae_loss(x, *model(x))
            else:
                inp = (x + noise * torch.randn(x.shape, generator=g)).clamp(0, 1) if kind == "dae" else x
                loss = nn.functional.mse_loss(model(inp), x)
            loss.backward()
            opt.step()
    return model.eval()


@torch.no_grad()
def autoencoder_error(model: nn.Module, X: np.ndarray, noise: float = 0.0, seed: int = 1) -> float:
    """Mean squared error between clean images X and the model's output for X plus Gaussian noise."""
    x = torch.tensor(X, dtype=torch.float32)
    g = torch.Generator().manual_seed(seed)
    inp = (x + noise * torch.randn(x.shape, generator=g)).clamp(0, 1) if noise else x
    out = model(inp)
    out = out[0] if isinstance(out, tuple) else out
    return float(((out - x) ** 2).mean())
