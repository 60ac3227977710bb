"""Chapter 9, convolutional networks: hand-made kernels, the output-size widget, the LeNet-style
experiments on digits, the NumPy convolution network and its timing, and the figures (pure functions)."""

from __future__ import annotations

import time
from collections.abc import Mapping

import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from nnbook import fit as _fit
from nnbook import runtime as _runtime
from nnbook.augment import augment_digits, random_affine
from nnbook.history import History
from nnbook.models.cnn import lenet
from nnbook.parallel import run_seeded
from nnbook.plot import PALETTE, bare_axis, figure
from nnbook.scratch import conv as C
from nnbook.scratch.core import ActivationLayer, Flatten, Sequential, minibatches, train_epoch
from nnbook.scratch.layers import Dense
from nnbook.scratch.losses import LOSSES

# ---------------------------------------------------------------------------------------------
# Hand-made kernels
# ---------------------------------------------------------------------------------------------
KERNELS: dict[str, np.ndarray] = {
    # responds where ink increases from left to right (the left side of a vertical stroke)
    "vertical edge": np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=float),
    # responds where ink increases from top to bottom (the top side of a horizontal stroke)
    "horizontal edge": np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], dtype=float),
    # a bright vertical line between two dark columns
    "vertical line": np.array([[-1, 2, -1], [-1, 2, -1], [-1, 2, -1]], dtype=float),
    # a bright horizontal line between two dark rows
    "horizontal line": np.array([[-1, -1, -1], [2, 2, 2], [-1, -1, -1]], dtype=float),
}


def apply_kernels(images: np.ndarray, kernels: Mapping[str, np.ndarray], padding: C.Padding = "same") -> np.ndarray:
    """Feature maps of 8x8 ``images`` (n, 64) or (n, 8, 8) under each kernel: shape (n, len(kernels), h, w)."""
    x = np.asarray(images, dtype=float).reshape(-1, 1, 8, 8)
    W = np.stack([np.asarray(k, dtype=float) for k in kernels.values()])[:, None]
    return C.conv2d_im2col(x, W, np.zeros(len(W)), padding=padding)


def best_kernel_match(weights: np.ndarray, kernels: Mapping[str, np.ndarray] = KERNELS) -> dict[str, float]:
    """For each hand-made kernel, the largest |cosine similarity| with any of the first-input-channel
    kernels ``weights[:, 0]`` after removing each kernel's mean (the hand-made ones sum to zero)."""
    k = np.asarray(weights, dtype=float)[:, 0].reshape(len(weights), -1)
    k = k - k.mean(axis=1, keepdims=True)
    k = k / np.linalg.norm(k, axis=1, keepdims=True)
    return {name: float(np.abs(k @ (h.ravel() / np.linalg.norm(h))).max()) for name, h in kernels.items()}


def random_kernel_matches(
    n_kernels: int,
    shape: tuple[int, int],
    draws: int,
    rng: np.random.Generator,
    kernels: Mapping[str, np.ndarray] = KERNELS,
) -> dict[str, np.ndarray]:
    """:func:`best_kernel_match` for ``draws`` sets of ``n_kernels`` kernels with i.i.d. uniform
    entries (the shape of PyTorch's default initialisation): the baseline of pure chance."""
    out = {name: np.empty(draws) for name in kernels}
    for i in range(draws):
        for name, v in best_kernel_match(rng.uniform(-1, 1, (n_kernels, 1, *shape)), kernels).items():
            out[name][i] = v
    return out


def kernel_maps_figure(image: np.ndarray, kernels: Mapping[str, np.ndarray] = KERNELS, title: str = "") -> Figure:
    """The image, each kernel, and the feature map it produces (red: strong positive response)."""
    maps = apply_kernels(image[None], kernels)[0]
    n = len(kernels)
    fig, axes = figure(n + 1, 2, width=1.7 * (n + 1), height=1.9)
    for ax in axes.ravel():
        bare_axis(ax)
    axes[0, 0].imshow(np.reshape(image, (8, 8)), cmap="gray_r")
    axes[0, 0].set_title("input")
    axes[1, 0].axis("off")
    lim = np.abs(maps).max()
    for j, (name, k) in enumerate(kernels.items(), start=1):
        axes[0, j].imshow(k, cmap="RdBu_r", vmin=-2, vmax=2)
        axes[0, j].set_title(f"kernel:\n{name}", fontsize=9)
        axes[1, j].imshow(maps[j - 1], cmap="RdBu_r", vmin=-lim, vmax=lim)
        axes[1, j].set_title("feature map", fontsize=9)
    if title:
        fig.suptitle(title)
    return fig


# ---------------------------------------------------------------------------------------------
# The output-size widget
# ---------------------------------------------------------------------------------------------
def output_size_figure(n: int = 7, kernel: int = 3, stride: int = 2, padding: int = 1, dilation: int = 1) -> Figure:
    """A square n x n input with ``padding`` zeros around it (grey), the first window (orange) and the
    next one along the row (blue), and the output grid they produce."""
    try:
        out = C.output_size(n, kernel, stride, padding, dilation)
    except ValueError as e:
        fig, ax = figure(width=6.4, height=2.0)
        ax.axis("off")
        ax.text(0.5, 0.5, f"no output: {e}", ha="center", va="center", wrap=True)
        return fig
    size = n + 2 * padding
    fig, (ax_in, ax_out) = figure(2, width=9.0, height=4.2)  # both panels on the same scale: one cell = one pixel
    for i in range(size):
        for j in range(size):
            inside = padding <= i < padding + n and padding <= j < padding + n
            ax_in.add_patch(
                Rectangle((j, i), 1, 1, facecolor="white" if inside else "#dddddd", edgecolor="#888888", lw=0.6)
            )
    windows = [(0, 0, PALETTE[1])] + ([(0, stride, PALETTE[0])] if out > 1 else [])
    for r0, c0, colour in windows:
        for a in range(kernel):
            for b in range(kernel):
                ax_in.add_patch(
                    Rectangle(
                        (c0 + b * dilation + 0.1, r0 + a * dilation + 0.1),
                        0.8,
                        0.8,
                        facecolor=colour,
                        alpha=0.55,
                        edgecolor=colour,
                    )
                )
    for i in range(out):
        for j in range(out):
            colour = PALETTE[1] if (i, j) == (0, 0) else PALETTE[0] if (i, j) == (0, 1) else "white"
            ax_out.add_patch(
                Rectangle((j, i), 1, 1, facecolor=colour, alpha=0.55 if colour != "white" else 1, edgecolor="#555555")
            )
    for ax, name in ((ax_in, f"padded input {size}x{size} (grey: zero padding)"), (ax_out, f"output {out}x{out}")):
        m = max(size, out)
        ax.set_xlim(0, m), ax.set_ylim(m, 0), ax.set_aspect("equal")
        bare_axis(ax)
        ax.set_title(name, fontsize=10)
    fig.suptitle(
        f"n={n}, k={kernel}, s={stride}, p={padding}, d={dilation}: "
        f"floor(({n} + 2*{padding} - {dilation}*({kernel}-1) - 1) / {stride}) + 1 = {out}"
    )
    return fig


# ---------------------------------------------------------------------------------------------
# Pooling worked example
# ---------------------------------------------------------------------------------------------
POOLING_EXAMPLE = np.array([[1, 3, 2, 1], [4, 6, 5, 0], [3, 1, 1, 2], [0, 2, 7, 8]], dtype=float)


def pooling_figure(x: np.ndarray = POOLING_EXAMPLE) -> Figure:
    """A 4x4 input with its four 2x2 windows coloured, and the max- and average-pooled 2x2 outputs."""
    xb = x[None, None]
    results = {"input": x, "2x2 max pooling": C.MaxPool2d(2)(xb)[0, 0], "2x2 average pooling": C.AvgPool2d(2)(xb)[0, 0]}
    fig, axes = figure(3, width=8.0, height=3.0, gridspec_kw={"width_ratios": [2, 1, 1]})
    colours = [PALETTE[0], PALETTE[1], PALETTE[2], PALETTE[3]]
    for ax, (name, a) in zip(axes, results.items()):
        scale = 2 if name == "input" else 1
        for i in range(a.shape[0]):
            for j in range(a.shape[1]):
                win = (i // scale) * 2 + (j // scale)
                ax.add_patch(Rectangle((j, i), 1, 1, facecolor=colours[win], alpha=0.35, edgecolor="black"))
                ax.text(j + 0.5, i + 0.5, f"{a[i, j]:g}", ha="center", va="center", fontsize=12)
        ax.set_xlim(0, a.shape[1]), ax.set_ylim(a.shape[0], 0), ax.set_aspect("equal")
        bare_axis(ax)
        ax.set_title(name)
    fig.suptitle("Each 2x2 window becomes one number: its largest value or its mean")
    return fig


# ---------------------------------------------------------------------------------------------
# LeNet-style network on digits (PyTorch)
# ---------------------------------------------------------------------------------------------
# The settings of the chapter's LeNet runs. The augmentation was chosen on a validation split of
# the training images (benchmarks/tune_ch09.py), the number of epochs and the label smoothing by
# 5-fold cross-validation on the training images (benchmarks/tune_ch09_cv.py); the test set played no part.
EPOCHS = 60
LABEL_SMOOTHING = 0.1
AUGMENT = dict(max_degrees=8.0, max_shift=1.0, noise=0.05, p=0.75)


def train_lenet(
    train,
    val=None,
    *,
    seed: int,
    epochs: int = EPOCHS,
    augment: Mapping | None = None,
    lr: float = 3e-3,
    batch_size: int = 64,
    channels: tuple[int, int] = (32, 64),
    hidden: int = 128,
    dropout: float = 0.25,
    label_smoothing: float = LABEL_SMOOTHING,
    weight_decay: float = 0.0,
    device=None,
    progress: bool = False,
):
    """Train :func:`nnbook.models.cnn.lenet` with Adam and a cosine learning-rate schedule.

    ``augment`` holds keyword arguments of :func:`nnbook.augment.augment_digits` (``None``: no
    augmentation); ``label_smoothing`` is that of :func:`torch.nn.functional.cross_entropy`;
    ``weight_decay`` > 0 switches to AdamW with this decoupled weight decay. Returns ``(model, history)``.
    """
    if not 0.0 <= label_smoothing < 1.0:
        raise ValueError(f"label_smoothing must be in [0, 1); got {label_smoothing!r}")
    if not weight_decay >= 0.0:
        raise ValueError(f"weight_decay must be >= 0; got {weight_decay!r}")
    _runtime.seed(seed)
    model = lenet(channels, hidden, dropout)
    if weight_decay > 0:
        opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    else:
        opt = torch.optim.Adam(model.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, epochs)
    gen = torch.Generator().manual_seed(seed)
    aug = None if augment is None else (lambda xb: augment_digits(xb, generator=gen, **augment))
    history = _fit.fit(
        model,
        train,
        loss=torch.nn.CrossEntropyLoss(label_smoothing=label_smoothing),
        optimiser=opt,
        epochs=epochs,
        batch_size=batch_size,
        val_data=val,
        metrics=["accuracy"],
        scheduler=sched,
        augment=aug,
        seed=seed,
        device=device,
        progress=progress,
    )
    return model, history


def _train_lenet_job(job: Mapping) -> tuple[torch.nn.Module, History]:
    torch.set_num_threads(1)
    return train_lenet(**job)


def train_lenets(jobs: Mapping, processes: int = 2) -> dict:
    """Train one :func:`train_lenet` per entry of ``jobs`` (key -> its keyword arguments, the data
    included) in ``processes`` worker processes of one thread each; returns key -> ``(model, history)``.

    Every run seeds itself, so the models are those that training one after the other gives; the
    processes only let a machine with several cores train several networks at once
    (:func:`nnbook.parallel.run_seeded`)."""
    return run_seeded(_train_lenet_job, {key: {"job": job} for key, job in jobs.items()}, processes=processes)


@torch.no_grad()
def tta_probabilities(
    model: torch.nn.Module, X, *, copies: int, seed: int = 0, max_degrees: float = 8.0, max_shift: float = 1.0
) -> np.ndarray:
    """Test-time augmentation: the class probabilities of ``model`` averaged over each image itself and
    ``copies`` randomly rotated and shifted copies of it (:func:`nnbook.augment.random_affine`, no
    noise, randomness from ``seed``). ``copies=0`` gives the plain softmax of the model's outputs."""
    if isinstance(copies, bool) or not isinstance(copies, int) or copies < 0:
        raise ValueError(f"copies must be an integer >= 0; got {copies!r}")
    x = torch.as_tensor(np.asarray(X, dtype=np.float32))
    gen = torch.Generator().manual_seed(seed)
    model.eval()
    versions = [x] + [random_affine(x, max_degrees, max_shift, generator=gen) for _ in range(copies)]
    return torch.stack([model(v).softmax(dim=1) for v in versions]).mean(dim=0).numpy()


def feature_maps_figure(model: torch.nn.Sequential, image: np.ndarray, title: str, n_maps: int = 8) -> Figure:
    """The input and the first ``n_maps`` feature maps after the first convolution + ReLU (8x8, top) and
    after the first block, two convolutions and max pooling (4x4, bottom), of a :func:`lenet` model."""
    model.eval()
    with torch.no_grad():
        x = torch.as_tensor(np.asarray(image, dtype=np.float32).reshape(1, 64))
        first = model[:3](x)[0].numpy()  # conv - ReLU: 8x8 maps
        pooled = model[:6](x)[0].numpy()  # ... conv - ReLU - max pool: 4x4 maps
    fig, axes = figure(n_maps + 1, 2, width=1.05 * (n_maps + 1), height=1.3)
    for ax in axes.ravel():
        bare_axis(ax)
    axes[0, 0].imshow(np.reshape(image, (8, 8)), cmap="gray_r")
    axes[0, 0].set_title("input", fontsize=8)
    axes[1, 0].axis("off")
    for j in range(n_maps):
        axes[0, j + 1].imshow(first[j], cmap="magma")
        axes[0, j + 1].set_title(f"conv1 #{j}", fontsize=8)
        axes[1, j + 1].imshow(pooled[j], cmap="magma")
        axes[1, j + 1].set_title(f"pooled #{j}", fontsize=8)
    fig.suptitle(title)
    return fig


def confusion_figure(cm: np.ndarray, title: str) -> Figure:
    """A confusion matrix (rows: true digit, columns: predicted digit) with the counts written in."""
    fig, ax = figure(width=5.2, height=4.6)
    ax.imshow(np.log1p(cm), cmap="Blues")
    for i in range(cm.shape[0]):
        for j in range(cm.shape[1]):
            if cm[i, j]:
                ax.text(
                    j,
                    i,
                    str(cm[i, j]),
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white" if i == j else PALETTE[1],
                    fontweight="normal" if i == j else "bold",
                )
    ax.set_xticks(range(cm.shape[1])), ax.set_yticks(range(cm.shape[0]))
    ax.set_xlabel("predicted digit"), ax.set_ylabel("true digit"), ax.grid(False)
    ax.set_title(title)
    return fig


def misclassified_figure(images: np.ndarray, y: np.ndarray, pred: np.ndarray, title: str, max_n: int = 12) -> Figure:
    """The misclassified images, each titled ``true -> predicted``."""
    wrong = np.flatnonzero(y != pred)[:max_n]
    n = max(len(wrong), 1)
    fig, axes = figure(n, width=max(1.2 * n + 0.4, 6.4), height=1.6)  # wide enough for the title
    for ax in np.ravel(axes):
        bare_axis(ax)
    if not len(wrong):
        np.ravel(axes)[0].text(0.5, 0.5, "none", ha="center", va="center")
    for ax, i in zip(np.ravel(axes), wrong):
        ax.imshow(np.reshape(images[i], (8, 8)), cmap="gray_r")
        ax.set_title(f"{y[i]} -> {pred[i]}", fontsize=10)
    fig.suptitle(title)
    return fig


def augmentation_figure(images: np.ndarray, n: int = 8, seed: int = 0, **options) -> Figure:
    """``n`` digits (top) and one random augmentation of each (bottom)."""
    x = torch.as_tensor(np.asarray(images[:n], dtype=np.float32))
    aug = augment_digits(x, generator=torch.Generator().manual_seed(seed), **options).numpy()
    fig, axes = figure(n, 2, width=1.0 * n, height=1.2)
    for ax in axes.ravel():
        bare_axis(ax)
    for j in range(n):
        axes[0, j].imshow(x[j].numpy().reshape(8, 8), cmap="gray_r")
        axes[1, j].imshow(aug[j].reshape(8, 8), cmap="gray_r")
    axes[0, 0].set_ylabel("original"), axes[1, 0].set_ylabel("augmented")
    fig.suptitle("Small rotations, shifts and noise leave the digit recognisable")
    return fig


# ---------------------------------------------------------------------------------------------
# A small NumPy convolution network, and the same network in PyTorch
# ---------------------------------------------------------------------------------------------
def numpy_cnn(rng: np.random.Generator, channels: int = 8) -> Sequential:
    """conv 3x3 'same' (1 -> channels) - ReLU - max pool 2 - flatten - dense (16 * channels -> 10),
    for images of shape (n, 1, 8, 8); He-initialised convolution, Xavier-initialised dense layer."""
    from nnbook.scratch import init

    return Sequential(
        [
            C.Conv2d.random(1, channels, 3, rng, padding="same"),
            ActivationLayer("relu"),
            C.MaxPool2d(2),
            Flatten(),
            Dense(init.xavier_normal((10, 16 * channels), rng), np.zeros(10)),
        ]
    )


def torch_twin(net: Sequential, dtype=torch.float64) -> torch.nn.Sequential:
    """The PyTorch network with the same layers and a copy of the same weights as :func:`numpy_cnn`."""
    conv, dense = net.layers[0], net.layers[4]
    model = torch.nn.Sequential(
        torch.nn.Conv2d(conv.W.shape[1], conv.W.shape[0], conv.W.shape[2], padding="same"),
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),
        torch.nn.Flatten(),
        torch.nn.Linear(dense.n_in, dense.n_out),
    ).to(dtype)
    with torch.no_grad():
        for m, layer in ((model[0], conv), (model[4], dense)):
            m.weight.copy_(torch.from_numpy(layer.W))
            m.bias.copy_(torch.from_numpy(layer.b))
    return model


def full_batches(n: int, batch_size: int, rng: np.random.Generator):
    """The shuffled mini-batches of one epoch without the last, incomplete one (on the digits
    1347 = 42 * 32 + 3), so that every step averages over ``batch_size`` examples."""
    return [idx for idx in minibatches(n, batch_size, rng) if len(idx) == batch_size]


def train_numpy(
    net: Sequential,
    X: np.ndarray,
    y: np.ndarray,
    *,
    epochs: int,
    lr: float,
    batch_size: int,
    rng: np.random.Generator,
    val: tuple[np.ndarray, np.ndarray] | None = None,
) -> History:
    """Mini-batch SGD on the softmax cross-entropy (full batches only, see :func:`full_batches`);
    records ``loss`` (mean over the epoch's batches) and, with ``val``, ``val_accuracy``."""
    history = History()
    for _ in range(epochs):
        batches = full_batches(len(X), batch_size, rng)
        values = {"loss": train_epoch(net, LOSSES["softmax_cross_entropy"], X, y, batches, lr)}
        if val is not None:
            values["val_accuracy"] = float(np.mean(net(val[0]).argmax(axis=1) == val[1]))
        history.record(**values)
    return history


def train_torch_same(
    model: torch.nn.Module,
    X: np.ndarray,
    y: np.ndarray,
    *,
    epochs: int,
    lr: float,
    batch_size: int,
    rng: np.random.Generator,
) -> History:
    """The loop of :func:`train_numpy` in PyTorch: the same mini-batches (from ``rng``), SGD, loss."""
    dtype = next(model.parameters()).dtype
    Xt, yt = torch.as_tensor(X, dtype=dtype), torch.as_tensor(y)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    history = History()
    for _ in range(epochs):
        total, seen = 0.0, 0
        for idx in full_batches(len(X), batch_size, rng):
            seen += len(idx)
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(Xt[idx]), yt[idx])
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        history.record(loss=total / seen)
    return history


def time_per_epoch(train_fn, repeats: int = 3) -> float:
    """The smallest of ``repeats`` timings of ``train_fn()`` (one epoch each), in seconds."""
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        train_fn()
        times.append(time.perf_counter() - t0)
    return min(times)
