"""Reproducibility and device choice: the seed that makes an experiment repeat, and where it runs."""

from __future__ import annotations

import os
import random

import numpy as np
import torch

from nnbook import checks

_MAX_SEED = 2**32 - 1


def seed(n: int) -> np.random.Generator:
    """Seed Python, NumPy and PyTorch with ``n`` and return a fresh NumPy generator.

    Also switches PyTorch to deterministic algorithms so the same seed gives the same figure.
    """
    checks.instance(n, (int, np.integer), "seed", f"an integer in [0, {_MAX_SEED}]")  # TypeError: not an integer
    n = checks.int_in_range(n, "seed", 0, _MAX_SEED)  # ValueError: out of range
    random.seed(n)
    np.random.seed(n)
    torch.manual_seed(n)
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    torch.use_deterministic_algorithms(True, warn_only=True)
    return np.random.default_rng(n)


def device(prefer: str | None = None) -> torch.device:
    """The device to compute on: CUDA when it is available, otherwise the CPU.

    ``prefer`` may be ``"cpu"``, ``"cuda"`` or ``None`` (automatic). The environment variable
    ``NNBOOK_DEVICE`` overrides the automatic choice, e.g. to force the CPU on a GPU machine.
    """
    choice = prefer if prefer is not None else os.environ.get("NNBOOK_DEVICE") or None
    if choice is None:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if not isinstance(choice, str) or choice.split(":")[0] not in {"cpu", "cuda"}:
        raise ValueError(f"device must be 'cpu', 'cuda', 'cuda:N' or None (automatic); got {choice!r}")
    if choice.startswith("cuda") and not torch.cuda.is_available():
        raise RuntimeError(
            f"device {choice!r} was requested but CUDA is not available on this machine; use device() or device('cpu')"
        )
    return torch.device(choice)


def has_cuda() -> bool:
    """True when a CUDA device can be used."""
    return torch.cuda.is_available()
