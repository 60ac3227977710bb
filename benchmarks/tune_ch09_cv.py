"""Chapter 9: recipes for the LeNet-style network compared by 5-fold cross-validation on the training
images (not run by the tests or the book; the test set is never touched).

The 1347 training images are split into 5 stratified folds (seed 0); each candidate recipe is trained
on 4 folds and scored on the fifth, so every training image is predicted once by a model that did not
see it: 1347 validation predictions per recipe, five times as many as one 20 % split gives. Every
trained model is scored without and with test-time augmentation (TTA, ``nnbook.demos.cnn.tta_probabilities``).
The training seed of fold k is 100 + k (not the chapter's seeds 0, 1, 2).

    OMP_NUM_THREADS=1 python -m benchmarks.tune_ch09_cv [--repeat=R] [recipe names]   # about 30 s per recipe
"""

from __future__ import annotations

import sys

import numpy as np
import torch
from sklearn.model_selection import StratifiedKFold

from nnbook.data import load_digits
from nnbook.demos import cnn as D

BASE = dict(epochs=40, label_smoothing=0.0, augment=dict(max_degrees=8.0, max_shift=1.0, noise=0.05, p=0.75))
RECIPES: dict[str, dict] = {
    "base (40 epochs, p=0.75)": {},
    "label smoothing 0.1": dict(label_smoothing=0.1),
    "AdamW weight decay 0.05": dict(weight_decay=0.05),
    "rotations up to 12 degrees": dict(augment={**BASE["augment"], "max_degrees": 12.0}),
    "dropout 0.5": dict(dropout=0.5),
    "60 epochs": dict(epochs=60),
    "no augmentation": dict(augment=None),
    "label smoothing 0.1, 60 epochs": dict(label_smoothing=0.1, epochs=60),
    "no augmentation, ls 0.1, 60 ep": dict(label_smoothing=0.1, epochs=60, augment=None),
}
TTA_COPIES = (0, 4, 8)


def cross_validate(options: dict, repeat: int = 0, folds: int = 5) -> dict[int, int]:
    """Validation errors (out of 1347) of a recipe for each number of TTA copies; ``repeat`` r uses
    the folds of split seed r and the training seeds 100 + 5r + k."""
    X, y = load_digits("train")
    errors = dict.fromkeys(TTA_COPIES, 0)
    splits = StratifiedKFold(folds, shuffle=True, random_state=repeat).split(X, y)
    for k, (fit_idx, val_idx) in enumerate(splits):
        model, _ = D.train_lenet((X[fit_idx], y[fit_idx]), seed=100 + folds * repeat + k, **{**BASE, **options})
        for c in TTA_COPIES:
            pred = D.tta_probabilities(model, X[val_idx], copies=c, seed=k).argmax(axis=1)
            errors[c] += int(np.sum(pred != y[val_idx]))
    return errors


def main(names: list[str], repeat: int = 0) -> None:
    torch.set_num_threads(1)
    for name in names or list(RECIPES):
        errors = cross_validate(RECIPES[name], repeat)
        cells = ", ".join(f"TTA {c}: {e:2d}" for c, e in errors.items())
        print(f"{name:30s} repeat {repeat}: validation errors of 1347: {cells}", flush=True)


if __name__ == "__main__":
    args = sys.argv[1:]
    repeat = int(args.pop(0)[len("--repeat=") :]) if args and args[0].startswith("--repeat=") else 0
    main(args, repeat)
