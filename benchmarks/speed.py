"""From-scratch NumPy against PyTorch on the same work, timed in the same run, gradients compared in float64."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from benchmarks.measure import timed


@dataclass(frozen=True)
class Pair:
    name: str
    setup: Callable[[], tuple[Callable[[], object], Callable[[], object], Callable[[], float]]]
    target_ratio: float = 3.0  # NumPy time / PyTorch time must stay below this


def mlp_step():
    """One forward + backward + SGD step of the 64-32-10 ReLU MLP on a batch of 32 digits (float64)."""
    import torch

    from nnbook.data import load_digits
    from nnbook.scratch.backprop import MLP, torch_grads

    X, y = load_digits("train")
    Xb, yb = X[:32], y[:32]
    model = MLP([64, 32, 10], "relu", seed=0)
    net = torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Linear(32, 10)).double()
    with torch.no_grad():
        for lin, (W, b) in zip([net[0], net[2]], zip(model.params[0::2], model.params[1::2])):
            lin.weight.copy_(torch.from_numpy(W))
            lin.bias.copy_(torch.from_numpy(b))
    opt = torch.optim.SGD(net.parameters(), lr=0.0)  # lr 0: every timed step does the same work
    xt, yt = torch.from_numpy(Xb), torch.from_numpy(yb)

    def numpy_step():
        loss, grads = model.grads(Xb, yb)
        for p, g in zip(model.params, grads):
            p -= 0.0 * g

    def torch_step():
        opt.zero_grad()
        torch.nn.functional.cross_entropy(net(xt), yt).backward()
        opt.step()

    def max_grad_diff() -> float:
        _, g_np = model.grads(Xb, yb)
        _, g_pt = torch_grads(model, Xb, yb)
        return float(max(np.abs(a - b).max() for a, b in zip(g_np, g_pt)))

    return numpy_step, torch_step, max_grad_diff


def conv2d_step():
    """Forward and backward of a 3x3 convolution, 8 -> 16 channels, padding 1, on a batch of 32 8x8 maps (float64)."""
    import torch

    from nnbook.scratch.conv import Conv2d

    rng = np.random.default_rng(0)
    layer = Conv2d.random(8, 16, 3, rng, padding=1)
    x = rng.standard_normal((32, 8, 8, 8))
    g = rng.standard_normal((32, 16, 8, 8))
    xt = torch.tensor(x, requires_grad=True)
    Wt = torch.tensor(layer.W, requires_grad=True)
    bt = torch.tensor(layer.b, requires_grad=True)
    gt = torch.tensor(g)

    def numpy_step():
        _, cache = layer.forward(x)
        return layer.backward(cache, g)

    def torch_step():
        xt.grad = Wt.grad = bt.grad = None
        torch.nn.functional.conv2d(xt, Wt, bt, padding=1).backward(gt)

    def max_grad_diff() -> float:
        gx, grads = numpy_step()
        torch_step()
        return float(
            max(
                np.abs(gx - xt.grad.numpy()).max(),
                np.abs(grads["W"] - Wt.grad.numpy()).max(),
                np.abs(grads["b"] - bt.grad.numpy()).max(),
            )
        )

    return numpy_step, torch_step, max_grad_diff


def _recurrent_step(kind: str):
    """Forward and BPTT through a whole sequence (batch 32, 10 steps, 8 inputs, 64 hidden units), float64."""
    import torch

    from nnbook.scratch import rnn

    rng = np.random.default_rng(0)
    x = rng.standard_normal((32, 10, 8))
    g = rng.standard_normal((32, 10, 64))
    if kind == "rnn":
        layer = rnn.RNN(8, 64, rng)
        net = torch.nn.RNN(8, 64, batch_first=True).double()
        names = {"W_xh": "weight_ih_l0", "W_hh": "weight_hh_l0"}
        bias = "b"
    else:
        layer = rnn.LSTM(8, 64, rng)
        net = torch.nn.LSTM(8, 64, batch_first=True).double()
        names = {"W_x": "weight_ih_l0", "W_h": "weight_hh_l0"}
        bias = "b"
    with torch.no_grad():
        for ours, theirs in names.items():
            getattr(net, theirs).copy_(torch.from_numpy(layer.params[ours]))
        net.bias_ih_l0.copy_(torch.from_numpy(layer.params[bias]))
        net.bias_hh_l0.zero_()  # our one bias plays the part of PyTorch's two
    xt = torch.tensor(x, requires_grad=True)
    gt = torch.tensor(g)

    def numpy_step():
        _, cache = layer.forward(x)
        return layer.backward(cache, g)

    def torch_step():
        xt.grad = None
        net.zero_grad()
        net(xt)[0].backward(gt)

    def max_grad_diff() -> float:
        gx, grads = numpy_step()
        torch_step()
        diffs = [np.abs(gx - xt.grad.numpy()).max(), np.abs(grads[bias] - net.bias_ih_l0.grad.numpy()).max()]
        diffs += [np.abs(grads[ours] - getattr(net, theirs).grad.numpy()).max() for ours, theirs in names.items()]
        return float(max(diffs))

    return numpy_step, torch_step, max_grad_diff


PAIRS: list[Pair] = [
    Pair("MLP training step (batch 32)", mlp_step),
    Pair("conv2d forward + backward (im2col)", conv2d_step),
    Pair("RNN forward + BPTT (10 steps)", lambda: _recurrent_step("rnn")),
    Pair("LSTM forward + BPTT (10 steps)", lambda: _recurrent_step("lstm")),
]


def measure_pair(pair: Pair, repeats: int = 30, inner: int = 20) -> dict:
    """Best-of-``repeats`` time of ``inner`` steps each, the ratio NumPy / PyTorch, and the largest gradient difference."""
    try:
        numpy_fn, torch_fn, grad_diff = pair.setup()
    except Exception as exc:  # noqa: BLE001 - reported as a miss
        return {"pair": pair.name, "error": f"{type(exc).__name__}: {exc}"}
    import torch

    torch.set_num_threads(1)  # NumPy's small products run on one core too: compare like with like
    t_np = timed(lambda: [numpy_fn() for _ in range(inner)], repeats=repeats) / inner
    t_pt = timed(lambda: [torch_fn() for _ in range(inner)], repeats=repeats) / inner
    diff = grad_diff()
    return {
        "pair": pair.name,
        "numpy_ms": 1000 * t_np,
        "torch_ms": 1000 * t_pt,
        "ratio": t_np / t_pt,
        "target_ratio": pair.target_ratio,
        "max_grad_diff": diff,
        "met": bool(t_np / t_pt <= pair.target_ratio and diff <= 1e-10),
    }
