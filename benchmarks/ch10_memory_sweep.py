"""Chapter 10: the first-symbol memory task over more lengths and forget-gate biases than the chapter runs.

Not run by the tests or the book (about a minute or two on one CPU thread). The chapter runs only
T = 20 with three seeds; its remarks on forget bias 1 and on T = 40 come from this sweep.
Run with ``OMP_NUM_THREADS=1 python benchmarks/ch10_memory_sweep.py``.

Validation accuracy per seed (0, 1, 2) from one run (1 December 2026, one thread, CPU):

    vanilla RNN           T=10 [0.464, 1.0, 0.504]  T=20 [0.508, 1.0, 0.482]  T=40 [0.488, 1.0, 0.522]
    LSTM, forget bias 0   T=10 [0.25, 0.54, 0.756]  T=20 [0.508, 0.23, 0.494]  T=40 [0.246, 0.24, 0.228]
    LSTM, forget bias 1   T=20 [0.508, 0.462, 0.494]  (T=10 and T=40 not run)
    LSTM, forget bias 3   T=10 [1.0, 1.0, 1.0]      T=20 [1.0, 1.0, 1.0]      T=40 [0.738, 0.772, 0.734]
"""

from __future__ import annotations

import torch

from nnbook.demos import rnn as D

CONFIGS = {
    "vanilla RNN": ("rnn", 0.0),
    "LSTM, forget bias 0": ("lstm", 0.0),
    "LSTM, forget bias 1": ("lstm", 1.0),
    "LSTM, forget bias 3": ("lstm", 3.0),
}


def main(lengths=(10, 20, 40), seeds=range(3)) -> None:
    torch.set_num_threads(1)
    for name, (cell, bias) in CONFIGS.items():
        for T in lengths:
            acc = [D.memory_accuracy(cell, T, forget_bias=bias, seed=s) for s in seeds]
            print(
                f"{name:22s} T={T:3d}  accuracy per seed {[round(a, 3) for a in acc]}  "
                f"solved (>= 95%) {sum(a >= 0.95 for a in acc)}/{len(acc)}",
                flush=True,
            )


if __name__ == "__main__":
    main()
