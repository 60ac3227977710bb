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
    from nnbook.scratch.mlp import MLP, torch_grads

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


PAIRS: list[Pair] = [Pair("MLP training step (batch 32)", mlp_step)]


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
    return {"pair": pair.name, "numpy_ms": 1000 * t_np, "torch_ms": 1000 * t_pt, "ratio": t_np / t_pt,
            "target_ratio": pair.target_ratio, "max_grad_diff": diff,
            "met": bool(t_np / t_pt <= pair.target_ratio and diff <= 1e-10)}
