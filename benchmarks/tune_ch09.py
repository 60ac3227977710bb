"""Chapter 9: the validation comparison behind the LeNet-style settings (not run by the tests or the book).

Both arms get the same candidates for the number of epochs; the augmented arm also tries three
probabilities ``p`` of augmenting an image (the other settings as in ``nnbook.demos.cnn.AUGMENT``).
Every candidate is trained on 80% of the training images and scored on the other 20% (270 images,
stratified, fixed split); the test set is not touched. One seed per candidate: differences of one
or two validation images are within seed-to-seed noise.

    OMP_NUM_THREADS=1 python -m benchmarks.tune_ch09            # about a minute per candidate
"""

from __future__ import annotations

import torch
from sklearn.model_selection import train_test_split

from nnbook import fit as F
from nnbook.data import load_digits
from nnbook.demos import cnn as D

EPOCHS = (25, 40)
PROBABILITIES = (0.5, 0.75, 1.0)


def candidates() -> list[tuple[str, int, dict | None]]:
    """(name, epochs, augment options) for every candidate of both arms."""
    out = [(f"no augmentation, {e} epochs", e, None) for e in EPOCHS]
    out += [(f"augmentation p={p}, {e} epochs", e, {**D.AUGMENT, "p": p}) for p in PROBABILITIES for e in EPOCHS]
    return out


def main(seed: int = 0) -> None:
    torch.set_num_threads(1)
    X, y = load_digits("train")
    X_fit, X_val, y_fit, y_val = train_test_split(X, y, test_size=0.2, stratify=y, random_state=0)
    print(f"fit on {len(X_fit)} images, validate on {len(X_val)}; seed {seed}")
    for name, epochs, augment in candidates():
        model, _ = D.train_lenet((X_fit, y_fit), seed=seed, epochs=epochs, augment=augment, label_smoothing=0.0)
        acc = F.evaluate(model, (X_val, y_val))["accuracy"]
        print(f"{name:34s} validation accuracy {acc:.4f} ({round((1 - acc) * len(X_val))} errors)", flush=True)


if __name__ == "__main__":
    main()
