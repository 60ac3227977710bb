"""Chapter 12, generative adversarial networks: the experiments and figures (pure functions).

The networks and the training step live in :mod:`nnbook.models.gan`, the sample-quality
measures in :mod:`nnbook.sample_quality`; this module wires them into the chapter's
experiments and draws the figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import torch
from matplotlib.figure import Figure
from torch import nn

from nnbook.history import History
from nnbook.models import gan as M
from nnbook.plot import PALETTE, bare_axis, figure


# ---------------------------------------------------------------------------------------------
# The theory in 1-D: optimal discriminator, Jensen-Shannon divergence, generator gradients
# ---------------------------------------------------------------------------------------------
def normal_pdf(x: np.ndarray, mean: float, std: float) -> np.ndarray:
    """The density of N(mean, std^2) at x."""
    return np.exp(-0.5 * ((np.asarray(x) - mean) / std) ** 2) / (std * np.sqrt(2 * np.pi))


def optimal_discriminator(p_data: np.ndarray, p_g: np.ndarray) -> np.ndarray:
    """D*(x) = p_data(x) / (p_data(x) + p_g(x)), the discriminator that maximises V(G, D) for a fixed G."""
    p_data, p_g = np.asarray(p_data, dtype=float), np.asarray(p_g, dtype=float)
    if (p_data < 0).any() or (p_g < 0).any():
        raise ValueError("densities must be non-negative")
    total = p_data + p_g
    return np.divide(p_data, total, out=np.full_like(total, 0.5), where=total > 0)


def value_function(d: np.ndarray, p_data: np.ndarray, p_g: np.ndarray, x: np.ndarray) -> float:
    """V(G, D) = E_data[log D] + E_g[log(1 - D)], integrated on the grid x (trapezoidal rule)."""
    d = np.clip(d, 1e-12, 1 - 1e-12)
    return float(np.trapezoid(p_data * np.log(d) + p_g * np.log(1 - d), x))


def jensen_shannon(p: np.ndarray, q: np.ndarray, x: np.ndarray) -> float:
    """JSD(p || q) in nats for densities on the grid x: the mean KL divergence of p and q to their average."""
    m = (p + q) / 2

    def kl(a):
        mask = (a > 0) & (m > 0)  # 0 log 0 = 0; m = 0 only where a underflowed to 0 as well
        return np.trapezoid(np.where(mask, a * (np.log(np.where(mask, a, 1)) - np.log(np.where(mask, m, 1))), 0.0), x)

    return float((kl(p) + kl(q)) / 2)


def train_1d_discriminator(
    data_mean=0.0, data_std=1.0, g_mean=2.0, g_std=0.5, *, steps: int = 1500, batch_size: int = 512, seed: int = 0
) -> nn.Module:
    """A small MLP discriminator trained on samples of two 1-D normals (data vs a frozen generator)."""
    gen = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    D = nn.Sequential(nn.Linear(1, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 1))
    opt = torch.optim.Adam(D.parameters(), lr=3e-3)
    bce = nn.functional.binary_cross_entropy_with_logits
    for _ in range(steps):
        real = data_mean + data_std * torch.randn(batch_size, 1, generator=gen)
        fake = g_mean + g_std * torch.randn(batch_size, 1, generator=gen)
        loss = bce(D(real), torch.ones(batch_size, 1)) + bce(D(fake), torch.zeros(batch_size, 1))
        opt.zero_grad()
        loss.backward()
        opt.step()
    return D.eval()


@torch.no_grad()
def discriminator_output(D: nn.Module, x: np.ndarray) -> np.ndarray:
    """D(x) = sigmoid(logit) of a 1-D discriminator on the points x."""
    return torch.sigmoid(D(torch.as_tensor(x, dtype=torch.float32).reshape(-1, 1)))[:, 0].numpy().astype(float)


def generator_gradients(d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """|d loss / d logit| of the two generator losses at D(G(z)) = d: minimax log(1 - D) and non-saturating -log D."""
    d = np.asarray(d, dtype=float)
    return d, 1 - d


def optimal_discriminator_figure(x, p_data, p_g, d_trained, *, title: str) -> Figure:
    fig, (ax1, ax2) = figure(2, width=10, height=3.5)
    ax1.plot(x, p_data, label="$p_{data}$")
    ax1.plot(x, p_g, label="$p_g$")
    ax1.set(xlabel="x", ylabel="density", title="Data and generator densities")
    ax1.legend()
    ax2.plot(x, optimal_discriminator(p_data, p_g), color="k", lw=3, alpha=0.4, label="$D^*$ (formula)")
    ax2.plot(x, d_trained, color=PALETTE[2], ls="--", label="trained discriminator")
    ax2.axhline(0.5, color="grey", lw=0.8)
    ax2.set(xlabel="x", ylabel="D(x)", ylim=(-0.02, 1.02), title=title)
    ax2.legend()
    return fig


def generator_gradient_figure(*, title: str) -> Figure:
    d = np.linspace(1e-3, 1 - 1e-3, 400)
    minimax, nonsat = generator_gradients(d)
    fig, ax = figure(width=6.4, height=3.8)
    ax.semilogy(d, minimax, label=r"minimax: minimise $\log(1 - D(G(z)))$")
    ax.semilogy(d, nonsat, label=r"non-saturating: minimise $-\log D(G(z))$")
    ax.axvspan(0, 0.1, color="grey", alpha=0.15)
    ax.text(0.02, 2e-3, "early training:\nfakes rejected", fontsize=9)
    ax.set(
        xlabel="D(G(z)), the discriminator's belief that a fake is real",
        ylabel="|gradient| w.r.t. the logit",
        title=title,
    )
    ax.legend(loc="lower right")
    return fig


# ---------------------------------------------------------------------------------------------
# The toy GAN on a ring of Gaussians
# ---------------------------------------------------------------------------------------------
RING_MODES, RING_RADIUS, RING_STD = 8, 2.0, 0.05


def ring_centres(modes: int = RING_MODES, radius: float = RING_RADIUS) -> np.ndarray:
    """The centres of ``modes`` Gaussians evenly spaced on a circle, shape (modes, 2)."""
    angle = 2 * np.pi * np.arange(modes) / modes
    return radius * np.stack([np.cos(angle), np.sin(angle)], axis=1)


def sample_ring(
    n: int, gen: torch.Generator, modes: int = RING_MODES, radius: float = RING_RADIUS, std: float = RING_STD
) -> torch.Tensor:
    """``n`` points from the mixture of equally likely Gaussians on the ring."""
    centres = torch.as_tensor(ring_centres(modes, radius), dtype=torch.float32)
    which = torch.randint(modes, (n,), generator=gen)
    return centres[which] + std * torch.randn(n, 2, generator=gen)


@dataclass
class ToyRun:
    """A trained toy GAN: the networks, the losses, and snapshots of samples and discriminator."""

    G: nn.Module
    D: nn.Module
    history: History
    snapshots: dict[int, dict] = field(default_factory=dict)

    def samples(self, n: int = 2000, seed: int = 1) -> np.ndarray:
        with torch.no_grad():
            return self.G(torch.randn(n, self.G.z_dim, generator=torch.Generator().manual_seed(seed))).numpy()


GRID = np.linspace(-3, 3, 61)


@torch.no_grad()
def discriminator_surface(D: nn.Module, grid: np.ndarray = GRID) -> np.ndarray:
    """D(x) = sigmoid(logit) on the square grid x (rows: second coordinate), for a point-wise discriminator."""
    xx, yy = np.meshgrid(grid, grid)
    pts = torch.as_tensor(np.stack([xx.ravel(), yy.ravel()], 1), dtype=torch.float32)
    if isinstance(D, M.PackedDiscriminator):  # a pack of identical points: D's view of one location
        pts = pts.repeat_interleave(D.pack, dim=0)
    d = torch.sigmoid(D(pts))
    if isinstance(D, M.PackedDiscriminator):
        d = d[:: D.pack]
    return d.numpy().reshape(len(grid), len(grid))


def train_toy_gan(
    *,
    steps: int = 2000,
    pack: int = 1,
    z_dim: int = 8,
    hidden: int = 64,
    batch_size: int = 128,
    lr_g: float = 1e-3,
    lr_d: float = 1e-3,
    real_target: float = 1.0,
    std: float = RING_STD,
    seed: int = 0,
    snapshot_at: Sequence[int] = (),
    n_snapshot: int = 500,
) -> ToyRun:
    """Train the MLP GAN on the ring; ``pack > 1`` uses a PacGAN discriminator against mode collapse."""
    torch.manual_seed(seed)
    G = M.ToyGenerator(z_dim, hidden)
    D = M.ToyDiscriminator(hidden) if pack == 1 else M.PackedDiscriminator(pack, hidden)
    run = ToyRun(G, D, History())
    z_fixed = torch.randn(n_snapshot, z_dim, generator=torch.Generator().manual_seed(seed + 1))
    wanted = set(snapshot_at)

    def snapshot(step: int) -> None:
        if step + 1 in wanted:
            with torch.no_grad():
                run.snapshots[step + 1] = {"samples": G(z_fixed).numpy().copy(), "surface": discriminator_surface(D)}

    run.history = M.train_gan(
        G,
        D,
        lambda gen: (sample_ring(batch_size, gen, std=std),),
        steps=steps,
        batch_size=batch_size,
        lr_g=lr_g,
        lr_d=lr_d,
        real_target=real_target,
        seed=seed,
        callback=snapshot,
    )
    return run


def dynamics_figure(run: ToyRun, *, title: str) -> Figure:
    """Samples (dots) over the discriminator's D(x) (colour) at each snapshot, real modes as crosses."""
    steps = sorted(run.snapshots)
    fig, axes = figure(len(steps), width=2.6 * len(steps), height=2.9)
    axes = np.atleast_1d(axes)
    c = ring_centres()
    for ax, s in zip(axes, steps):
        snap = run.snapshots[s]
        im = ax.imshow(
            snap["surface"],
            extent=(GRID[0], GRID[-1], GRID[0], GRID[-1]),
            origin="lower",
            cmap="RdBu",
            vmin=0,
            vmax=1,
            alpha=0.8,
        )
        ax.scatter(*snap["samples"].T, s=3, color="k", alpha=0.5)
        ax.scatter(*c.T, marker="x", s=40, color=PALETTE[4])
        ax.set(title=f"step {s}", xlim=(GRID[0], GRID[-1]), ylim=(GRID[0], GRID[-1]), xlabel="$x_1$")
        ax.set_aspect("equal")
        ax.grid(False)
    axes[0].set_ylabel("$x_2$")
    fig.colorbar(im, ax=list(axes), shrink=0.8, label="D(x)")
    fig.suptitle(title)
    return fig


def loss_figure(histories: dict[str, History], *, title: str, window: int = 50) -> Figure:
    """Discriminator and generator losses per step (moving average over ``window`` steps)."""
    fig, ax = figure(width=7, height=3.5)
    smooth = np.ones(window) / window
    for i, (name, h) in enumerate(histories.items()):
        for key, ls in (("loss_d", "-"), ("loss_g", "--")):
            ax.plot(
                h["step"][window - 1 :],
                np.convolve(h[key], smooth, mode="valid"),
                ls=ls,
                color=PALETTE[i],
                label=f"{name}: {'discriminator' if key == 'loss_d' else 'generator'}",
            )
    for level, text in ((2 * np.log(2), "balance for D: 2 log 2"), (np.log(2), "balance for G: log 2")):
        ax.axhline(level, color="grey", lw=0.8)
        ax.annotate(
            text,
            (1.0, level),
            xycoords=("axes fraction", "data"),
            xytext=(-4, 3),
            textcoords="offset points",
            ha="right",
            fontsize=8,
            color="grey",
        )
    ax.set(xlabel="training step", ylabel="loss (moving average)", title=title)
    ax.legend(fontsize=8, ncol=2)
    return fig


def samples_figure(runs: dict[str, np.ndarray], *, title: str) -> Figure:
    """Final samples of several toy runs side by side, over the ring's mode centres."""
    fig, axes = figure(len(runs), width=3.2 * len(runs), height=3.3)
    axes = np.atleast_1d(axes)
    for ax, (name, x) in zip(axes, runs.items()):
        ax.scatter(*x.T, s=2, alpha=0.4)
        ax.scatter(*ring_centres().T, marker="x", s=40, color=PALETTE[1])
        ax.set(title=name, xlim=(-3, 3), ylim=(-3, 3), xlabel="$x_1$")
        ax.set_aspect("equal")
    axes[0].set_ylabel("$x_2$")
    fig.suptitle(title)
    return fig


# ---------------------------------------------------------------------------------------------
# Digits: DCGAN and conditional GAN
# ---------------------------------------------------------------------------------------------
@dataclass
class DigitRun:
    """A trained digit GAN: the generator, its weight average (the one we sample from), the losses."""

    G: nn.Module
    D: nn.Module
    G_avg: nn.Module
    history: History


def train_digit_gan(
    *,
    conditional: bool,
    steps: int = 500,
    batch_size: int = 64,
    width: int = 32,
    lr: float = 2e-3,
    decay: float = 0.98,
    seed: int = 0,
    device: str = "cpu",
) -> DigitRun:
    """Train the DCGAN (``conditional=False``) or the conditional GAN with a projection discriminator
    on the book's training digits; the generator's weights are averaged with ``decay``."""
    from nnbook.data import load_digits

    X, y = load_digits("train")
    Xt, yt = M.from_pixels(X), torch.as_tensor(y)
    torch.manual_seed(seed)
    if conditional:
        G, D = M.ConditionalGenerator(width=width), M.ProjectionDiscriminator(width=width)
    else:
        G, D = M.DigitGenerator(width=width), M.DigitDiscriminator(width=width)
    G, D = G.to(device), D.to(device)
    avg = M.WeightAverage(G, decay)

    def real_batch(gen):
        idx = torch.randint(len(Xt), (batch_size,), generator=gen)
        return (Xt[idx], yt[idx]) if conditional else (Xt[idx],)

    history = M.train_gan(
        G,
        D,
        real_batch,
        steps=steps,
        batch_size=batch_size,
        lr_g=lr,
        lr_d=lr,
        seed=seed,
        callback=lambda step: avg.update(),
        device=device,
    )
    return DigitRun(G.cpu(), D.cpu(), avg.model.cpu().eval(), history)


def per_digit_accuracy(G: nn.Module, n_per_digit: int = 100, *, seed: int = 0) -> np.ndarray:
    """For each digit d, the share of ``n_per_digit`` conditional samples that the book's judge reads as d."""
    from nnbook.models.judge import judge_predict

    digits = np.repeat(np.arange(10), n_per_digit)
    predicted = judge_predict(M.sample_digits(G, len(digits), digits, seed=seed))
    return np.array([(predicted[digits == d] == d).mean() for d in range(10)])


def conditional_gan(seed: int = 0) -> DigitRun:
    """Chapter 12's conditional GAN trained with ``seed`` for 800 steps (a module-level function, so
    :func:`nnbook.parallel.run_seeded` can train several seeds at once)."""
    return train_digit_gan(conditional=True, steps=800, seed=seed)


def conditional_gan_accuracy(seed: int = 0, *, run: DigitRun | None = None) -> tuple[DigitRun, np.ndarray]:
    """Chapter 12's conditional GAN trained with ``seed`` (or ``run``, already trained by
    :func:`conditional_gan` with it), and for each digit the share of 100 samples of its
    weight-averaged generator that the judge reads as the requested digit."""
    run = conditional_gan(seed) if run is None else run
    return run, per_digit_accuracy(run.G_avg, 100, seed=10 + seed)


def digit_grid_figure(images: np.ndarray, *, title: str, row_labels: Sequence[str] | None = None) -> Figure:
    """A grid of 8x8 images, shape (rows, columns, 8, 8), one row per digit (or per anything)."""
    images = np.asarray(images)
    rows, cols = images.shape[:2]
    fig, axes = figure(cols, rows, width=0.55 * cols + 0.6, height=0.55, squeeze=False)
    for r in range(rows):
        for c in range(cols):
            ax = axes[r, c]
            ax.imshow(images[r, c], cmap="gray_r", vmin=0, vmax=1)
            bare_axis(ax)
        if row_labels is not None:
            axes[r, 0].set_ylabel(row_labels[r], rotation=0, ha="right", va="center")
    fig.suptitle(title)
    return fig


def latent_path(G: nn.Module, digit: int, seed_a: int, seed_b: int, n: int = 8) -> np.ndarray:
    """Images along the straight line between two noise vectors (drawn with seeds ``seed_a``, ``seed_b``), for one digit."""
    if n < 2:
        raise ValueError(f"an interpolation needs at least 2 points; got n={n}")
    if not 0 <= digit < G.n_classes:
        raise ValueError(f"digit must be in 0..{G.n_classes - 1}; got {digit}")
    za = torch.randn(1, G.z_dim, generator=torch.Generator().manual_seed(seed_a))
    zb = torch.randn(1, G.z_dim, generator=torch.Generator().manual_seed(seed_b))
    t = torch.linspace(0, 1, n)[:, None]
    with torch.no_grad():
        G.eval()
        return M.to_pixels(G((1 - t) * za + t * zb, torch.full((n,), digit, dtype=torch.long)))


def interpolation_figure(G: nn.Module, digit: int = 3, seed_a: int = 0, seed_b: int = 1, n: int = 8) -> Figure:
    """The widget's figure: the latent path for ``digit``, each image titled with the judge's reading."""
    from nnbook.models.judge import judge_predict

    path = latent_path(G, digit, seed_a, seed_b, n)
    read = judge_predict(path)
    fig, axes = figure(n, width=1.1 * n, height=1.6)
    for i, (ax, img) in enumerate(zip(axes, path)):
        ax.imshow(img, cmap="gray_r", vmin=0, vmax=1)
        bare_axis(ax)
        ax.set_title(f"t={i / (n - 1):.2f}\njudge: {read[i]}", fontsize=8)
    agree = int((read == digit).sum())
    fig.suptitle(f"From noise A (seed {seed_a}) to noise B (seed {seed_b}): {agree} of {n} read as {digit}")
    return fig
