"""Chapter 10, recurrent networks: diagrams, the gradient-size experiments, the training runs, and the
widgets' pure functions (parameters -> figure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial

import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

from nnbook import fit as _fit
from nnbook import sequences as _seq
from nnbook.history import History
from nnbook.models.sequence import CharLM, SequenceReader, next_token_loss
from nnbook.plot import PALETTE, figure
from nnbook.scratch.core import Sequential, minibatches, sgd_step, train_step
from nnbook.scratch.layers import Dense
from nnbook.scratch.losses import LOSSES
from nnbook.scratch.rnn import RNN, LastStep, clip_grad_norm, global_norm, state_gradient_norms


# ---------------------------------------------------------------------------------------------
# Diagrams
# ---------------------------------------------------------------------------------------------
def _box(ax, xy, text, color, w=0.7, h=0.5, fontsize=11):
    x, y = xy
    ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.05", fc=color, ec="black", lw=1))
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize)


def _arrow(ax, a, b, text=None, color="black", offset=(0.0, 0.0), rad=0.0, fontsize=10):
    ax.add_patch(
        FancyArrowPatch(
            a,
            b,
            arrowstyle="-|>",
            mutation_scale=12,
            color=color,
            lw=1.2,
            connectionstyle=f"arc3,rad={rad}",
            shrinkA=14,
            shrinkB=14,
        )
    )
    if text:
        ax.text(
            (a[0] + b[0]) / 2 + offset[0],
            (a[1] + b[1]) / 2 + offset[1],
            text,
            fontsize=fontsize,
            color=color,
            ha="center",
            va="center",
        )


def unrolled_figure(steps: int = 4) -> Figure:
    """A recurrent layer drawn with its loop (left) and unrolled over ``steps`` time steps (right)."""
    fig, (ax1, ax2) = figure(2, width=11, height=3.6, gridspec_kw={"width_ratios": [1, 3.2]})
    # folded: one cell with a loop
    _box(ax1, (0, 1), r"$\mathbf{x}_t$", "#DDEEFF")
    _box(ax1, (0, 2.3), r"$\mathbf{h}_t$", "#FFE9CC")
    _box(ax1, (0, 3.6), r"$\mathbf{y}_t$", "#E3F5E1")
    _arrow(ax1, (0, 1), (0, 2.3), r"$W_{xh}$", offset=(0.35, 0))
    _arrow(ax1, (0, 2.3), (0, 3.6), r"$W_{hy}$", offset=(0.35, 0))
    ax1.add_patch(
        FancyArrowPatch(
            (0.35, 2.45),
            (0.35, 2.15),
            arrowstyle="-|>",
            mutation_scale=12,
            lw=1.2,
            connectionstyle="arc3,rad=-2.2",
            color=PALETTE[1],
        )
    )
    ax1.text(1.05, 2.3, r"$W_{hh}$", color=PALETTE[1], fontsize=10, va="center")
    ax1.set_title("folded: one layer with a loop")
    ax1.set(xlim=(-1, 1.6), ylim=(0.4, 4.2))
    # unrolled
    for t in range(1, steps + 1):
        x = 1.6 * t
        _box(ax2, (x, 1), rf"$\mathbf{{x}}_{t}$", "#DDEEFF")
        _box(ax2, (x, 2.3), rf"$\mathbf{{h}}_{t}$", "#FFE9CC")
        _box(ax2, (x, 3.6), rf"$\mathbf{{y}}_{t}$", "#E3F5E1")
        _arrow(ax2, (x, 1), (x, 2.3), r"$W_{xh}$" if t == 1 else None, offset=(0.35, 0))
        _arrow(ax2, (x, 2.3), (x, 3.6), r"$W_{hy}$" if t == 1 else None, offset=(0.35, 0))
        _arrow(ax2, (x - 1.6, 2.3), (x, 2.3), r"$W_{hh}$", color=PALETTE[1], offset=(0, 0.25))
    _box(ax2, (0, 2.3), r"$\mathbf{h}_0$", "#F2F2F2")
    ax2.text(1.6 * (steps + 0.75), 2.3, "...", fontsize=16, va="center")
    ax2.set_title("unrolled in time: the same weights at every step")
    ax2.set(xlim=(-0.6, 1.6 * (steps + 1)), ylim=(0.4, 4.2))
    for ax in (ax1, ax2):
        ax.set_aspect("equal")
        ax.axis("off")
    return fig


def gates_figure() -> Figure:
    """Data flow through one LSTM step and one GRU step: gates (sigmoid), candidates (tanh), products and sums."""
    fig, (ax1, ax2) = figure(2, width=11, height=4.2)
    gate, cand, op = "#FFE9CC", "#DDEEFF", "#F2F2F2"

    def circle(ax, xy, text):
        ax.add_patch(Circle(xy, 0.22, fc=op, ec="black"))
        ax.text(*xy, text, ha="center", va="center", fontsize=12)

    # LSTM: c_{t-1} -> x f -> + (i*g) -> c_t -> tanh -> x o -> h_t
    ax = ax1
    ax.text(-0.3, 3.2, r"$\mathbf{c}_{t-1}$", ha="right", va="center", fontsize=12)
    ax.text(5.6, 3.2, r"$\mathbf{c}_t$", ha="left", va="center", fontsize=12)
    ax.annotate("", (5.5, 3.2), (-0.2, 3.2), arrowprops=dict(arrowstyle="-|>", lw=2, color=PALETTE[1]))
    circle(ax, (1.2, 3.2), r"$\times$")
    circle(ax, (2.8, 3.2), "+")
    circle(ax, (2.8, 2.1), r"$\times$")
    circle(ax, (4.4, 1.2), r"$\times$")
    for x, name, txt, c in [
        (1.2, "f", r"$\sigma$", gate),
        (2.2, "i", r"$\sigma$", gate),
        (3.4, "g", "tanh", cand),
        (4.4, "o", r"$\sigma$", gate),
    ]:
        _box(ax, (x, 0.2), f"{txt}\n{name}", c, w=0.6, h=0.65, fontsize=10)
    ax.annotate("", (1.2, 2.98), (1.2, 0.55), arrowprops=dict(arrowstyle="-|>", lw=1))
    ax.annotate("", (2.6, 2.0), (2.2, 0.55), arrowprops=dict(arrowstyle="-|>", lw=1))
    ax.annotate("", (3.0, 2.0), (3.4, 0.55), arrowprops=dict(arrowstyle="-|>", lw=1))
    ax.annotate("", (2.8, 2.98), (2.8, 2.32), arrowprops=dict(arrowstyle="-|>", lw=1))
    ax.annotate("", (4.4, 0.98), (4.4, 0.55), arrowprops=dict(arrowstyle="-|>", lw=1))
    _box(ax, (4.4, 2.3), "tanh", cand, w=0.6, h=0.4, fontsize=10)
    ax.annotate("", (4.4, 2.5), (4.4, 3.2), arrowprops=dict(arrowstyle="-|>", lw=1))
    ax.annotate("", (4.4, 1.42), (4.4, 2.1), arrowprops=dict(arrowstyle="-|>", lw=1))
    ax.annotate("", (5.5, 1.2), (4.62, 1.2), arrowprops=dict(arrowstyle="-|>", lw=1.5))
    ax.text(5.6, 1.2, r"$\mathbf{h}_t$", ha="left", va="center", fontsize=12)
    ax.text(2.8, -0.55, r"all four gates read $[\mathbf{x}_t, \mathbf{h}_{t-1}]$", ha="center", fontsize=10)
    ax.set_title("LSTM: the cell state is changed only by $\\times f$ and $+\\, i \\odot g$")
    ax.set(xlim=(-1.2, 6.4), ylim=(-0.8, 3.7))
    # GRU: h_t = (1 - z) * n + z * h_{t-1}
    ax = ax2
    ax.text(-0.3, 3.2, r"$\mathbf{h}_{t-1}$", ha="right", va="center", fontsize=12)
    ax.text(5.6, 3.2, r"$\mathbf{h}_t$", ha="left", va="center", fontsize=12)
    ax.annotate("", (5.5, 3.2), (-0.2, 3.2), arrowprops=dict(arrowstyle="-|>", lw=2, color=PALETTE[1]))
    circle(ax, (1.8, 3.2), r"$\times$")
    ax.text(2.1, 2.6, "$z$", fontsize=10, va="center")
    circle(ax, (3.8, 3.2), "+")
    circle(ax, (3.8, 2.1), r"$\times$")
    _box(ax, (1.0, 0.2), "$\\sigma$\nr", gate, w=0.6, h=0.65, fontsize=10)
    _box(ax, (1.8, 1.4), "$\\sigma$\nz", gate, w=0.6, h=0.65, fontsize=10)
    _box(ax, (3.0, 0.2), "tanh\nn", cand, w=0.6, h=0.65, fontsize=10)
    ax.text(4.55, 2.1, r"$1 - z$", fontsize=10, va="center")
    ax.annotate("", (1.8, 2.98), (1.8, 1.75), arrowprops=dict(arrowstyle="-|>", lw=1))
    ax.annotate("", (2.68, 0.2), (1.32, 0.2), arrowprops=dict(arrowstyle="-|>", lw=1))
    ax.text(2.0, 0.42, r"$r \odot (W_{hn}\mathbf{h}_{t-1})$", fontsize=9, ha="center")
    ax.annotate("", (3.6, 2.0), (3.0, 0.55), arrowprops=dict(arrowstyle="-|>", lw=1))
    ax.annotate("", (3.8, 2.98), (3.8, 2.32), arrowprops=dict(arrowstyle="-|>", lw=1))
    ax.text(2.8, -0.55, r"the gates read $[\mathbf{x}_t, \mathbf{h}_{t-1}]$", ha="center", fontsize=10)
    ax.set_title("GRU: the new state mixes old state and candidate by $z$")
    ax.set(xlim=(-1.2, 6.4), ylim=(-0.8, 3.7))
    for ax in (ax1, ax2):
        ax.set_aspect("equal")
        ax.axis("off")
    return fig


# ---------------------------------------------------------------------------------------------
# Vanishing and exploding gradients
# ---------------------------------------------------------------------------------------------
def rnn_with_radius(rho: float, *, n_hidden: int = 32, activation: str = "tanh", seed: int = 0, n_in: int = 1) -> RNN:
    """A vanilla RNN whose recurrent matrix is ``rho`` times a random orthogonal matrix (spectral radius ``rho``)."""
    rng = np.random.default_rng(seed)
    layer = RNN(n_in, n_hidden, rng, activation=activation)
    from nnbook.scratch.init import orthogonal

    layer.params["W_hh"][...] = orthogonal((n_hidden, n_hidden), rng, gain=rho)
    return layer


def gradient_decay(
    radii: Sequence[float],
    activations: Sequence[str] = ("identity", "tanh", "relu"),
    *,
    T: int = 50,
    n_hidden: int = 32,
    batch: int = 16,
    seed: int = 0,
) -> dict[str, np.ndarray]:
    """``||dL/dh_t||`` for t = 1..T (rows: radii) per activation, for a loss that reads only ``h_T``."""
    x = np.random.default_rng(seed + 1).standard_normal((batch, T, 1))
    out = {}
    for act in activations:
        out[act] = np.stack(
            [
                state_gradient_norms(
                    rnn_with_radius(r, n_hidden=n_hidden, activation=act, seed=seed), x, np.random.default_rng(seed + 2)
                )
                for r in radii
            ]
        )
    return out


def gradient_decay_figure(radii: Sequence[float], decay: Mapping[str, np.ndarray]) -> Figure:
    """Left: gradient norm against steps back from the end (tanh). Right: the ratio over the whole sequence per activation."""
    fig, (ax1, ax2) = figure(2, width=11, height=4.0)
    norms = decay["tanh"]
    T = norms.shape[1]
    back = np.arange(T)[::-1]  # steps back from the last state
    for r, row in zip(radii, norms):
        ax1.semilogy(back, row / row[-1], label=rf"$\rho = {r:g}$")
    ax1.set(
        xlabel="steps back from the last state, $T - t$",
        ylabel=r"$\|\partial L/\partial \mathbf{h}_t\| \,/\, \|\partial L/\partial \mathbf{h}_T\|$",
        title="tanh RNN: the gradient shrinks or grows\ngeometrically with distance, at a rate set by $\\rho$",
    )
    ax1.legend(fontsize=9, ncol=2)
    for act, rows in decay.items():
        ax2.semilogy(radii, rows[:, 0] / rows[:, -1], "o-", label=act)
    ax2.axvline(1.0, color="grey", lw=1, ls="--")
    ax2.set(
        xlabel=r"spectral radius $\rho$ of $W_{hh}$",
        ylabel=f"gradient ratio over {T - 1} steps",
        title="Linear: vanishes below $\\rho = 1$, explodes above;\ntanh and ReLU shift the boundary above 1",
    )
    ax2.legend()
    return fig


# ---------------------------------------------------------------------------------------------
# The noisy waveform, trained from scratch in NumPy (with or without clipping)
# ---------------------------------------------------------------------------------------------
def waveform_data(n: int = 600, length: int = 30, noise: float = 0.2, n_train: int = 400, seed: int = 0) -> dict:
    """Windows of the noisy waveform, the next noisy value as target and the next clean value for evaluation."""
    noisy, clean = _seq.noisy_waveform(n, noise=noise, seed=seed)
    X, y = _seq.waveform_windows(noisy, length)
    _, y_clean = _seq.waveform_windows(noisy, length, clean)
    return {
        "X_train": X[:n_train],
        "y_train": y[:n_train],
        "X_test": X[n_train:],
        "y_test": y[n_train:],
        "clean_test": y_clean[n_train:],
        "noise": noise,
        "noisy": noisy,
        "clean": clean,
        "length": length,
    }


def waveform_net(n_hidden: int = 16, *, rho: float | None = None, seed: int = 0) -> Sequential:
    """RNN (tanh) -> last state -> one linear output; ``rho`` sets the recurrent matrix's spectral radius."""
    rng = np.random.default_rng(seed)
    rnn = RNN(1, n_hidden, rng) if rho is None else rnn_with_radius(rho, n_hidden=n_hidden, seed=seed)
    return Sequential([rnn, LastStep(), Dense(rng.normal(0, 1 / np.sqrt(n_hidden), (1, n_hidden)), np.zeros(1))])


def train_waveform(
    net: Sequential,
    data: Mapping,
    *,
    lr: float = 0.05,
    epochs: int = 15,
    batch_size: int = 32,
    clip: float | None = None,
    seed: int = 0,
) -> History:
    """Mini-batch SGD on the mean squared error of the next value; records ``loss`` and ``grad_norm`` (before clipping) per step."""
    rng = np.random.default_rng(seed)
    X, y = data["X_train"], data["y_train"][:, None]
    history = History()
    norms: list[float] = []

    def clipped_sgd(params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        norms.append(global_norm(grads))  # recorded before clipping
        if clip is not None:
            grads, _ = clip_grad_norm(grads, clip)
        sgd_step(params, grads, lr)

    for _ in range(epochs):
        for idx in minibatches(len(X), batch_size, rng):
            loss = train_step(net, LOSSES["mse"], X[idx], y[idx], clipped_sgd)
            history.record(loss=loss, grad_norm=norms[-1])
    return history


def linear_predictor(data: Mapping) -> np.ndarray:
    """Least-squares weights (last entry: intercept) predicting the next noisy value linearly from the window."""
    A = np.column_stack([data["X_train"][:, :, 0], np.ones(len(data["X_train"]))])
    return np.linalg.lstsq(A, data["y_train"], rcond=None)[0]


def waveform_errors(net: Sequential, data: Mapping) -> dict[str, float]:
    """Test mean squared errors: against the noisy next value, against the clean one, and two baselines' against the clean one.

    The baselines are the last observed value and a least-squares linear predictor on the same window.
    """
    pred = net(data["X_test"])[:, 0]
    last = data["X_test"][:, -1, 0]
    w = linear_predictor(data)
    lin = data["X_test"][:, :, 0] @ w[:-1] + w[-1]
    return {
        "noisy": float(np.mean((pred - data["y_test"]) ** 2)),
        "clean": float(np.mean((pred - data["clean_test"]) ** 2)),
        "last value, clean": float(np.mean((last - data["clean_test"]) ** 2)),
        "linear least squares, clean": float(np.mean((lin - data["clean_test"]) ** 2)),
        "noise variance": data["noise"] ** 2,
    }


def waveform_figure(net: Sequential, data: Mapping, n_show: int = 120) -> Figure:
    """Predictions on the test windows against the noisy and clean next values."""
    fig, ax = figure(width=10, height=3.4)
    n_show = min(n_show, len(data["X_test"]))
    pred = net(data["X_test"][:n_show])[:, 0]
    t = np.arange(n_show)
    ax.plot(t, data["y_test"][:n_show], ".", color="grey", ms=4, label="noisy observation")
    ax.plot(t, data["clean_test"][:n_show], color=PALETTE[0], lw=1.5, label="clean signal")
    ax.plot(t, pred, color=PALETTE[1], lw=1.5, label="RNN prediction of the next value")
    ax.set(
        xlabel="time step (test part of the series)",
        ylabel="value",
        title="In this run the RNN's prediction is a little closer to the clean signal than the noise",
    )
    ax.set_ylim(top=ax.get_ylim()[1] + 0.6)  # room for the legend above the curves
    ax.legend(fontsize=9, ncol=3, loc="upper center")
    return fig


def clipping_figure(runs: Mapping[str, History]) -> Figure:
    """Training loss and gradient norm per step of each run."""
    fig, (ax1, ax2) = figure(2, width=11, height=3.8)
    for name, h in runs.items():
        ax1.plot(h["loss"], lw=1, label=name)
        ax2.semilogy(h["grad_norm"], lw=1, label=name)
    ax1.set(
        xlabel="SGD step", ylabel="training loss (MSE)", ylim=(0, 1.5), title="Clipping rescues the run that explodes"
    )
    ax2.set(
        xlabel="SGD step",
        ylabel="gradient norm before clipping",
        title="Unclipped, the gradient norm grows without bound",
    )
    ax1.legend(fontsize=9)
    return fig


# ---------------------------------------------------------------------------------------------
# Widget: step through an unrolled RNN
# ---------------------------------------------------------------------------------------------
def step_through(
    step: int, *, rho: float = 0.9, activation: str = "tanh", T: int = 10, n_hidden: int = 6, seed: int = 0
) -> dict:
    """Hidden states of a short sequence computed up to ``step`` (1..T), then gradients going back (T+1..2T).

    Returns the input, the states known so far (NaN where not yet computed) and the gradient norms
    ``||dL/dh_t||`` known so far, for a loss that reads the last state.
    """
    if isinstance(step, bool) or not isinstance(step, (int, np.integer)) or not 1 <= step <= 2 * T:
        raise ValueError(
            f"step must be an integer from 1 (first forward step) to 2T = {2 * T} (last backward step); got {step!r}"
        )
    layer = rnn_with_radius(rho, n_hidden=n_hidden, activation=activation, seed=seed)
    x = np.sin(np.linspace(0, 2 * np.pi, T))[None, :, None] + 0.3 * np.random.default_rng(seed).standard_normal(
        (1, T, 1)
    )
    y, cache = layer.forward(x)
    grad_y = np.zeros_like(y)
    grad_y[:, -1] = 1.0 / np.sqrt(n_hidden)
    _, _, grad_h = layer.backward_states(cache, grad_y)
    states = np.full((T, n_hidden), np.nan)
    done = min(step, T)
    states[:done] = y[0, :done]
    norms = np.full(T, np.nan)
    back = max(0, step - T)
    if back:
        norms[T - back :] = np.linalg.norm(grad_h[0, T - back :], axis=1)
    return {"x": x[0, :, 0], "states": states, "grad_norms": norms, "phase": "forward" if step <= T else "backward"}


def step_through_figure(step: int = 5, rho: float = 0.9, activation: str = "tanh") -> Figure:
    """The widget's figure: input, hidden states filled in step by step, then gradient norms flowing back."""
    s = step_through(step, rho=rho, activation=activation)
    T = len(s["x"])
    fig, axes = figure(1, 3, width=8, height=1.9, sharex=True)
    t = np.arange(1, T + 1)
    axes[0].plot(t, s["x"], "o-", color="grey")
    axes[0].set(ylabel="$x_t$", title=f"{s['phase']} pass, step {step} of {2 * T}  ($\\rho = {rho:g}$, {activation})")
    axes[1].imshow(
        s["states"].T,
        aspect="auto",
        cmap="RdBu_r",
        vmin=-1,
        vmax=1,
        extent=(0.5, T + 0.5, s["states"].shape[1] + 0.5, 0.5),
    )
    axes[1].set(ylabel="unit of $\\mathbf{h}_t$")
    axes[1].grid(False)
    axes[2].bar(t, np.nan_to_num(s["grad_norms"]), color=PALETTE[1])
    axes[2].set(ylabel=r"$\|\partial L/\partial \mathbf{h}_t\|$", xlabel="time step $t$", xticks=t)
    return fig


# ---------------------------------------------------------------------------------------------
# PyTorch experiments: long-range memory, digits row by row
# ---------------------------------------------------------------------------------------------
def memory_accuracy(
    cell: str,
    length: int,
    *,
    n_train: int = 500,
    n_hidden: int = 16,
    epochs: int = 20,
    batch_size: int = 50,
    lr: float = 1e-2,
    forget_bias: float = 3.0,
    distractors: bool = False,
    seed: int = 0,
) -> float:
    """Validation accuracy of a ``cell`` reader trained to recall the first of ``length`` symbols (chance: 1/4).

    ``forget_bias`` applies to an LSTM only; ``distractors`` fills the later steps with random symbols instead of zeros.
    """
    X, y = _seq.first_symbol_task(n_train, length, distractors=distractors, seed=seed + 1)
    X_val, y_val = _seq.first_symbol_task(500, length, distractors=distractors, seed=seed + 2)
    torch.manual_seed(seed)
    model = SequenceReader(X.shape[2], n_hidden, 4, cell=cell, forget_bias=forget_bias if cell == "lstm" else 0.0)
    h = _fit.fit(
        model,
        (X, y),
        loss="cross_entropy",
        optimiser=torch.optim.Adam(model.parameters(), lr=lr),
        epochs=epochs,
        batch_size=batch_size,
        val_data=(X_val, y_val),
        metrics=["accuracy"],
        seed=seed,
        progress=False,
    )
    return float(h["val_accuracy"][-1])


def train_digit_reader(
    train,
    val=None,
    *,
    n_hidden: int = 64,
    epochs: int = 25,
    batch_size: int = 128,
    lr: float = 1e-2,
    bidirectional: bool = False,
    pool: str = "last",
    shift_p: float = 0.0,
    seed: int = 0,
):
    """An LSTM that reads 8x8 digits row by row (Adam, cosine schedule); returns ``(model, fit history)``.

    ``shift_p`` is the share of each training batch moved by a random 1-pixel shift (chapter 7's augmentation).
    """
    from nnbook.augment import random_shift

    torch.manual_seed(seed)
    model = SequenceReader(8, n_hidden, 10, cell="lstm", bidirectional=bidirectional, pool=pool)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    X, y = train
    h = _fit.fit(
        model,
        (_seq.digit_rows(X), y),
        loss="cross_entropy",
        optimiser=opt,
        epochs=epochs,
        batch_size=batch_size,
        val_data=None if val is None else (_seq.digit_rows(val[0]), val[1]),
        metrics=["accuracy"],
        scheduler=torch.optim.lr_scheduler.CosineAnnealingLR(opt, epochs),
        seed=seed,
        progress=False,
        augment=partial(random_shift, max_shift=1, p=shift_p) if shift_p > 0 else None,
    )
    return model, h


def digit_reader_test_accuracy(seed: int = 0) -> float:
    """Chapter 10's digit reader with the settings chosen on validation, trained with ``seed`` on all
    training digits: its accuracy on the test digits."""
    from nnbook.data import load_digits

    X, y = load_digits("train", flatten=False)
    X_test, y_test = load_digits("test", flatten=False)
    reader, _ = train_digit_reader((X, y), n_hidden=128, epochs=50, batch_size=128, lr=1e-2, shift_p=0.5, seed=seed)
    return float(_fit.evaluate(reader, (_seq.digit_rows(X_test), y_test))["accuracy"])


# ---------------------------------------------------------------------------------------------
# The character-level language model
# ---------------------------------------------------------------------------------------------
def train_char_lm(
    train_tokens: np.ndarray,
    val_tokens: np.ndarray,
    vocab_size: int,
    *,
    n_hidden: int = 128,
    n_layers: int = 1,
    length: int = 64,
    epochs: int = 30,
    batch_size: int = 32,
    lr: float = 1e-2,
    seed: int = 0,
    device=None,
    patience: int | None = 5,
    progress: bool = False,
):
    """Train a :class:`CharLM` on windows of ``train_tokens``; returns ``(model, fit history)`` with the best validation weights."""
    X, Y = _seq.text_windows(train_tokens, length, length // 2)
    Xv, Yv = _seq.text_windows(val_tokens, length)
    torch.manual_seed(seed)
    model = CharLM(vocab_size, n_hidden, n_layers=n_layers)
    h = _fit.fit(
        model,
        (X, Y),
        loss=next_token_loss,
        optimiser=torch.optim.Adam(model.parameters(), lr=lr),
        epochs=epochs,
        batch_size=batch_size,
        val_data=(Xv, Yv),
        early_stopping=patience,
        seed=seed,
        device=device,
        progress=progress,
    )
    return model, h


def softmax_with_temperature(logits: np.ndarray, temperature: float) -> np.ndarray:
    """``softmax(logits / temperature)``: below 1 sharpens the distribution, above 1 flattens it."""
    if not temperature > 0:
        raise ValueError(f"temperature must be positive; got {temperature!r}")
    z = np.asarray(logits, dtype=np.float64) / temperature
    e = np.exp(z - z.max())
    return e / e.sum()


def temperature_figure(logits: np.ndarray, chars: Sequence[str], temperature: float = 1.0, top: int = 12) -> Figure:
    """The next-character distribution at ``temperature``: the ``top`` most likely characters at T = 1, and the entropy."""
    p1 = softmax_with_temperature(logits, 1.0)
    order = np.argsort(-p1)[:top]
    p = softmax_with_temperature(logits, temperature)
    entropy = float(-(p * np.log2(np.maximum(p, 1e-300))).sum())
    fig, ax = figure(width=8, height=3.2)
    labels = [repr(chars[i])[1:-1].replace(" ", "␣") for i in order]
    ax.bar(np.arange(top) - 0.2, p1[order], width=0.4, color="lightgrey", label="temperature 1")
    ax.bar(np.arange(top) + 0.2, p[order], width=0.4, color=PALETTE[0], label=f"temperature {temperature:g}")
    ax.set_xticks(np.arange(top), labels)
    ax.set(
        xlabel="next character",
        ylabel="probability",
        ylim=(0, 1),
        title=f"Temperature {temperature:g}: entropy {entropy:.2f} bits (lower is more predictable)",
    )
    ax.legend()
    return fig
