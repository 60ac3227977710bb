"""Chapter 10: how the digit reader's settings were chosen on validation (not run by the tests or the book).

Holds out a stratified 20% of the training images (``digits_splits``), trains each candidate with
three seeds on the rest and prints mean validation loss and accuracy. Run with
``OMP_NUM_THREADS=1 python benchmarks/ch10_digit_selection.py`` (a few minutes on one CPU thread).

Output of one run (1 December 2026, one thread, CPU):

    chosen: 128 units, 50 epochs, shift p=0.5     validation loss 0.0593  accuracy 0.9877  (3 seeds)
    no augmentation                               validation loss 0.0853  accuracy 0.9716  (3 seeds)
    no augmentation, 30 epochs                    validation loss 0.1143  accuracy 0.9654  (3 seeds)
    bidirectional, mean-pooled                    validation loss 0.1054  accuracy 0.9617  (3 seeds)
"""

from __future__ import annotations

import numpy as np
import torch

from nnbook import sequences as S
from nnbook.demos import rnn as D
from nnbook.demos.training import digits_splits
from nnbook.fit import evaluate

CANDIDATES = {
    "chosen: 128 units, 50 epochs, shift p=0.5": dict(n_hidden=128, epochs=50, shift_p=0.5),
    "no augmentation": dict(n_hidden=128, epochs=50, shift_p=0.0),
    "no augmentation, 30 epochs": dict(n_hidden=128, epochs=30, shift_p=0.0),
    "bidirectional, mean-pooled": dict(n_hidden=128, epochs=50, shift_p=0.5, bidirectional=True, pool="mean"),
}


def main(seeds: range = range(3)) -> None:
    torch.set_num_threads(1)
    d = digits_splits()
    X_tr, X_va = d.X_train.reshape(-1, 8, 8), d.X_val.reshape(-1, 8, 8)
    for name, kw in CANDIDATES.items():
        scores = [
            evaluate(
                D.train_digit_reader((X_tr, d.y_train), batch_size=128, lr=1e-2, seed=s, **kw)[0],
                (S.digit_rows(X_va), d.y_val),
                loss="cross_entropy",
            )
            for s in seeds
        ]
        loss, acc = np.mean([s["loss"] for s in scores]), np.mean([s["accuracy"] for s in scores])
        print(f"{name:45s} validation loss {loss:.4f}  accuracy {acc:.4f}  ({len(scores)} seeds)", flush=True)


if __name__ == "__main__":
    main()
