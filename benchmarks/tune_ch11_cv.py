"""Chapter 11: fine-tuning recipes for the deep belief network (and its random start) compared by 5-fold
cross-validation on the training images (not run by the tests or the book; the test set is never loaded).

The 1347 training images are split into 5 stratified folds (split seed ``repeat``); for each fold an
RBM stack is pretrained on the other four (CD-1, learning rate 0.1, seed 100 + k), and both starts
(pretrained, Xavier) are fine-tuned on those four folds for a fixed number of epochs, with no early
stopping. Every model is scored on its held-out fold after several epoch counts, so one run gives the
errors (out of 1347) of every length in ``CHECKPOINTS``.

    OMP_NUM_THREADS=1 python -m benchmarks.tune_ch11_cv [--repeat=R] [recipe names]
"""

from __future__ import annotations

import sys

import numpy as np
import torch
from sklearn.model_selection import StratifiedKFold

from nnbook.augment import augment_digits
from nnbook.data import load_digits
from nnbook.demos.cnn import AUGMENT
from nnbook.parallel import run_seeded
from nnbook.scratch import dbn
from nnbook.scratch.optim import SGD, Adam

CHECKPOINTS = (25, 50, 100, 150, 200)
BASE = dict(
    hidden=(200, 200),
    dropout=0.2,
    lr=1e-3,
    batch_size=32,
    weight_decay=1e-4,
    augment=None,
    pretrain_copies=0,
    optimiser="adam",
    cosine=False,
    epochs=200,
)
RECIPES: dict[str, dict] = {
    "chapter's recipe, fixed length": {},
    "augmentation (chapter 9's)": dict(augment=AUGMENT),
    "augmentation, pretrain on 4 augmented copies": dict(augment=AUGMENT, pretrain_copies=4),
    "augmentation, dropout 0.5": dict(augment=AUGMENT, dropout=0.5),
    "augmentation, 400-400": dict(augment=AUGMENT, hidden=(400, 400)),
    "Adam 3e-3, cosine": dict(lr=3e-3, cosine=True),
    "Adam 3e-3, cosine, augmentation": dict(lr=3e-3, cosine=True, augment=AUGMENT),
    "SGD 0.1 momentum 0.9, cosine": dict(optimiser="sgd", lr=0.1, cosine=True),
    "SGD 0.1 momentum 0.9, cosine, augmentation": dict(optimiser="sgd", lr=0.1, cosine=True, augment=AUGMENT),
    "Adam 3e-3, cosine, augmentation, batch 64": dict(lr=3e-3, cosine=True, augment=AUGMENT, batch_size=64),
    "Adam 3e-3, cosine, augmentation, 300-300, batch 64": dict(
        lr=3e-3, cosine=True, augment=AUGMENT, batch_size=64, hidden=(300, 300)
    ),
    "Adam 3e-3, cosine, augmentation, 400-400": dict(lr=3e-3, cosine=True, augment=AUGMENT, hidden=(400, 400)),
    "Adam 3e-3, cosine, augmentation, 300 epochs": dict(lr=3e-3, cosine=True, augment=AUGMENT, epochs=300),
    "Adam 3e-3, cosine, augmentation, 300 epochs, batch 64": dict(
        lr=3e-3, cosine=True, augment=AUGMENT, epochs=300, batch_size=64
    ),
    "Adam 5e-3, cosine, augmentation": dict(lr=5e-3, cosine=True, augment=AUGMENT),
    "Adam 3e-3, cosine, augmentation, 250 epochs": dict(lr=3e-3, cosine=True, augment=AUGMENT, epochs=250),
}


def _augmented(X: np.ndarray, augment: dict, generator: torch.Generator) -> np.ndarray:
    return np.clip(augment_digits(X, generator=generator, **augment).numpy().astype(float), 0.0, 1.0)


def fold_errors(X_fit, y_fit, X_val, y_val, seed: int, options: dict) -> dict[str, list[int]]:
    """Validation errors of both starts after each checkpoint epoch, for one fold."""
    o = {**BASE, **options}
    rng = np.random.default_rng(seed)
    gen = torch.Generator().manual_seed(seed)
    unlabelled = np.vstack(
        [X_fit] + [_augmented(X_fit, o["augment"] or AUGMENT, gen) for _ in range(o["pretrain_copies"])]
    )
    stack = dbn.pretrain_stack(unlabelled, list(o["hidden"]), rng, epochs=40, lr=0.1)
    starts = {
        "pretrained": lambda: dbn.classifier_from_rbms(stack, 10, rng, dropout=o["dropout"]),
        "random": lambda: dbn.random_classifier(64, list(o["hidden"]), 10, rng, dropout=o["dropout"]),
    }
    errors = {}
    for name, start in starts.items():
        net, errs = start(), []
        opt = Adam(o["lr"]) if o["optimiser"] == "adam" else SGD(o["lr"], momentum=0.9)
        for epoch in range(1, o["epochs"] + 1):
            if o["cosine"]:  # the learning rate falls from lr to 0 along half a cosine over the epochs
                opt.lr = o["lr"] * 0.5 * (1 + np.cos(np.pi * (epoch - 1) / o["epochs"]))
            X_epoch = X_fit if o["augment"] is None else _augmented(X_fit, o["augment"], gen)
            dbn.fine_tune_epoch(net, X_epoch, y_fit, opt, rng, o["batch_size"], o["weight_decay"])
            if epoch in CHECKPOINTS or epoch == o["epochs"]:
                errs.append(int(np.sum(net(X_val).argmax(axis=1) != y_val)))
        errors[name] = errs
    return errors


def cross_validate(options: dict, repeat: int = 0, folds: int = 5) -> dict[str, np.ndarray]:
    X, y = load_digits("train")
    splits = StratifiedKFold(folds, shuffle=True, random_state=repeat).split(X, y)
    jobs = {
        k: dict(X_fit=X[f], y_fit=y[f], X_val=X[v], y_val=y[v], seed=100 + folds * repeat + k, options=options)
        for k, (f, v) in enumerate(splits)
    }
    from benchmarks import tune_ch11_cv  # by its module name: run as __main__, its functions cannot be sent to workers

    runs = run_seeded(tune_ch11_cv.fold_errors, jobs, processes=2)
    return {name: np.sum([runs[k][name] for k in jobs], axis=0) for name in ("pretrained", "random")}


def main(names: list[str], repeat: int = 0) -> None:
    for name in names or list(RECIPES):
        errors = cross_validate(RECIPES[name], repeat)
        for start, errs in errors.items():
            epochs = [e for e in CHECKPOINTS if e < RECIPES[name].get("epochs", 200)] + [
                RECIPES[name].get("epochs", 200)
            ]
            cells = ", ".join(f"{e}: {n:2d}" for e, n in zip(epochs, errs))
            print(f"{name:44s} {start:10s} repeat {repeat}: errors of 1347 after epochs {cells}", flush=True)


if __name__ == "__main__":
    args = sys.argv[1:]
    repeat = int(args.pop(0)[len("--repeat=") :]) if args and args[0].startswith("--repeat=") else 0
    main(args, repeat)
