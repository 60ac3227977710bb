"""Deep belief networks in NumPy: greedy layer-wise pretraining of stacked RBMs, fine-tuning the
stack as a classifier (a core ``Sequential`` of ``Dense`` layers initialised from the RBMs), and
generating a digit for a requested label from a top-level RBM over (features, label).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from nnbook import checks
from nnbook.history import History
from nnbook.scratch import init as _init
from nnbook.scratch.activations import sigmoid, softmax, softplus
from nnbook.scratch.core import Layer, Sequential, minibatches, train_epoch
from nnbook.scratch.layers import Dense
from nnbook.scratch.losses import LOSSES, softmax_cross_entropy
from nnbook.scratch.optim import SGD, Adam, cosine_lr
from nnbook.scratch.rbm import RBM, binary_states, gibbs_step, sample_bernoulli, train_rbm
from nnbook.scratch.regularisation import Dropout

__all__ = [
    "pretrain_stack",
    "classifier_from_rbms",
    "random_classifier",
    "set_training",
    "fine_tune_epoch",
    "train_classifier",
    "fine_tune",
    "classifier_accuracy",
    "LabelledRBM",
    "train_labelled_rbm",
    "generate_digits",
]

_CROSS_ENTROPY = LOSSES["softmax_cross_entropy"]


def pretrain_stack(
    X: np.ndarray,
    sizes: Sequence[int],
    rng: np.random.Generator,
    *,
    epochs: int = 30,
    lr: float = 0.1,
    batch_size: int = 20,
    first: RBM | None = None,
) -> list[RBM]:
    """Greedy layer-wise pretraining: each RBM learns the hidden probabilities of the one below.

    ``sizes`` are the hidden layer widths; ``first`` is an already trained bottom RBM to reuse.
    """
    rbms: list[RBM] = []
    data = np.asarray(X, dtype=float)
    for i, n_hidden in enumerate(sizes):
        if i == 0 and first is not None:
            if first.n_hidden != n_hidden or first.n_visible != data.shape[1]:
                raise ValueError(f"first RBM has shape {first.W.shape}; expected ({n_hidden}, {data.shape[1]})")
            rbm = first
        else:
            rbm = RBM.create(data.shape[1], n_hidden, rng, visible_mean=data.mean(axis=0))
            train_rbm(rbm, data, epochs=epochs, lr=lr, rng=rng, batch_size=batch_size)
        rbms.append(rbm)
        data = rbm.hidden_probs(data)  # the next RBM models this layer's features
    return rbms


def _with_dropout(hidden: list[Dense], top: Dense, dropout: float, rng: np.random.Generator) -> Sequential:
    checks.probability(dropout, "dropout", "a drop probability")
    layers: list[Layer] = []
    for layer in hidden:
        layers += [layer, Dropout(dropout, rng)] if dropout else [layer]
    return Sequential([*layers, top])


def classifier_from_rbms(
    rbms: Sequence[RBM], n_classes: int, rng: np.random.Generator, *, dropout: float = 0.0
) -> Sequential:
    """Sigmoid ``Dense`` layers holding copies of the RBMs' W and c, topped by a layer of logits
    (dropout with probability ``dropout`` after each hidden layer, when it is above 0)."""
    hidden = [Dense(r.W.copy(), r.c.copy(), "sigmoid") for r in rbms]
    top = Dense(_init.xavier_uniform((n_classes, rbms[-1].n_hidden), rng), np.zeros(n_classes))
    return _with_dropout(hidden, top, dropout, rng)


def random_classifier(
    n_inputs: int, sizes: Sequence[int], n_classes: int, rng: np.random.Generator, *, dropout: float = 0.0
) -> Sequential:
    """The same architecture as :func:`classifier_from_rbms`, with Xavier-initialised weights."""
    widths = [n_inputs, *sizes]
    hidden = [Dense(_init.xavier_uniform((o, i), rng), np.zeros(o), "sigmoid") for i, o in zip(widths, widths[1:])]
    top = Dense(_init.xavier_uniform((n_classes, widths[-1]), rng), np.zeros(n_classes))
    return _with_dropout(hidden, top, dropout, rng)


def set_training(net: Sequential, training: bool) -> None:
    """Switch the dropout layers of ``net`` on (training) or off (evaluation)."""
    for layer in net:
        if isinstance(layer, Dropout):
            layer.training = training


def classifier_accuracy(net: Sequential, X: np.ndarray, y: np.ndarray) -> float:
    """Fraction of rows of X whose largest logit is at the true label (dropout off)."""
    set_training(net, False)
    return float(np.mean(net(np.asarray(X, dtype=float)).argmax(axis=1) == np.asarray(y)))


def fine_tune_epoch(net: Sequential, X, y, optimiser, rng, batch_size: int, weight_decay: float) -> float:
    """One epoch of mini-batch training on the softmax cross-entropy with dropout on
    (:func:`~nnbook.scratch.core.train_epoch`); returns the mean over the examples of their batch's loss."""
    set_training(net, True)
    batches = minibatches(len(X), batch_size, rng)
    loss = train_epoch(net, _CROSS_ENTROPY, X, y, batches, optimiser=optimiser, weight_decay=weight_decay)
    set_training(net, False)
    return loss


def train_classifier(
    net: Sequential,
    X: np.ndarray,
    y: np.ndarray,
    *,
    optimiser: SGD | Adam,
    epochs: int,
    rng: np.random.Generator,
    batch_size: int = 32,
    val: tuple[np.ndarray, np.ndarray] | None = None,
    patience: int | None = None,
    weight_decay: float = 0.0,
    cosine: bool = False,
    augment: Callable[[np.ndarray], np.ndarray] | None = None,
) -> History:
    """Fine-tune ``net`` with ``optimiser`` (``nnbook.scratch.optim``); records per epoch the learning
    rate, the training loss (the mean over the epoch's mini-batches, dropout on) and, with ``val``, the
    validation loss and accuracy (dropout off).

    ``cosine`` lowers the optimiser's learning rate from its start towards 0 along half a cosine over the
    ``epochs`` (:func:`~nnbook.scratch.optim.cosine_lr`); ``augment(X)`` gives each epoch new versions
    of the training images. With ``patience`` (needs ``val``), training stops after that many epochs
    without a lower validation loss and the network gets back the weights of its best epoch (early stopping).
    """
    checks.positive_int(epochs, "epochs")
    checks.positive_int(patience, "patience", none="no early stopping")
    checks.flag(cosine, "cosine")
    if patience is not None and val is None:
        raise ValueError("early stopping (patience) needs val data: pass val=(X_val, y_val)")
    if augment is not None and not callable(augment):
        raise TypeError(f"augment must be a function of the images (X -> new X) or None; got {augment!r}")
    history = History()
    params = net.params
    best_loss, best, waited = np.inf, None, 0
    start_lr = optimiser.lr
    for epoch in range(epochs):
        if cosine:
            optimiser.lr = cosine_lr(start_lr, epoch, epochs)
        X_epoch = X if augment is None else augment(X)
        values = {
            "lr": optimiser.lr,
            "loss": fine_tune_epoch(net, X_epoch, y, optimiser, rng, batch_size, weight_decay),
        }
        if val is not None:
            z = net(val[0])
            values["val_loss"] = softmax_cross_entropy(z, val[1])
            values["val_accuracy"] = float(np.mean(z.argmax(axis=1) == val[1]))
        history.record(**values)
        if patience is None:
            continue
        if values["val_loss"] < best_loss:
            best_loss, best, waited = values["val_loss"], {n: p.copy() for n, p in params.items()}, 0
        else:
            waited += 1
            if waited >= patience:
                break
    if best is not None:
        for name, p in params.items():
            p[...] = best[name]
    return history


def fine_tune(
    net: Sequential,
    X: np.ndarray,
    y: np.ndarray,
    rng: np.random.Generator,
    *,
    augment: Callable[[np.ndarray], np.ndarray] | None = None,
    lr: float = 5e-3,
    batch_size: int = 32,
    epochs: int = 200,
    weight_decay: float = 1e-4,
) -> History:
    """Chapter 11's fine-tuning recipe, the same for every start, chosen by 5-fold cross-validation on the
    training digits (``benchmarks/tune_ch11_cv.py``): Adam whose learning rate falls from ``lr`` towards 0
    along half a cosine, weight decay on the weights, ``augment`` applied to the images of every epoch."""
    return train_classifier(
        net,
        X,
        y,
        optimiser=Adam(lr),
        epochs=epochs,
        rng=rng,
        batch_size=batch_size,
        weight_decay=weight_decay,
        cosine=True,
        augment=augment,
    )


# --- the generative direction --------------------------------------------------------------------


@dataclass
class LabelledRBM(RBM):
    """An RBM whose visible vector is (features, label): binary feature units followed by one softmax
    group of ``n_classes`` label units, of which exactly one is on (the label, one-hot).

    The energy is the RBM's; only the visible states allowed change, so the label units are drawn
    together from a softmax instead of as independent Bernoulli units.
    """

    n_classes: int = 10

    def __post_init__(self) -> None:
        super().__post_init__()
        k = self.n_classes
        checks.int_in_range(k, "n_classes (at least 2, fewer than n_visible)", 2, self.n_visible - 1)

    @property
    def n_features(self) -> int:
        return self.n_visible - self.n_classes

    def visible_probs(self, h) -> np.ndarray:
        """p(v | h): a sigmoid for each feature unit, a softmax over the label units (they sum to one)."""
        a = checks.rows(h, self.n_hidden, "h") @ self.W + self.b
        f = self.n_features
        return np.hstack([sigmoid(a[:, :f]), softmax(a[:, f:])])

    def sample_visible(self, h, rng: np.random.Generator) -> np.ndarray:
        """Features: independent Bernoulli draws; label: one unit on, drawn from the label softmax."""
        p = self.visible_probs(h)
        f = self.n_features
        cumulative = np.cumsum(p[:, f:], axis=1)
        k = np.minimum((cumulative < rng.random((len(p), 1))).sum(axis=1), self.n_classes - 1)
        return np.hstack([sample_bernoulli(p[:, :f], rng), np.eye(self.n_classes)[k]])

    def visible_states(self) -> np.ndarray:
        """Every (features, one-hot label) pair: 2**n_features * n_classes rows."""
        feats, labels = binary_states(self.n_features), np.eye(self.n_classes)
        return np.hstack([np.repeat(feats, self.n_classes, axis=0), np.tile(labels, (len(feats), 1))])

    def label_probs(self, features) -> np.ndarray:
        """p(label | features), exactly: a softmax over the ten labels of -F(features, one-hot label)."""
        x = checks.rows(features, self.n_features, "features")
        f = self.n_features
        a = x @ self.W[:, :f].T + self.c  # (n, hidden): the features' input to each hidden unit
        # -F(x, e_k) = b_x . x + b_k + sum_j softplus(a_j + W_jk); the first term is the same for every k
        scores = self.b[f:] + softplus(a[:, None, :] + self.W[:, f:].T[None, :, :]).sum(axis=2)
        return softmax(scores)


def train_labelled_rbm(
    features: np.ndarray,
    labels: np.ndarray,
    n_hidden: int,
    rng: np.random.Generator,
    *,
    n_classes: int = 10,
    epochs: int = 30,
    lr: float = 0.1,
    batch_size: int = 20,
    method: str = "cd",
) -> LabelledRBM:
    """The top RBM of a generative DBN, trained with CD-1 (or PCD-1: ``method="pcd"``) on the features
    joined with one-hot labels (its Gibbs chains draw the label from the softmax group)."""
    labels = np.asarray(labels)
    V = np.hstack([features, np.eye(n_classes)[labels]])
    base = RBM.create(V.shape[1], n_hidden, rng, visible_mean=V.mean(axis=0))
    # label biases: log of the class frequencies, so the untrained softmax gives each label its share
    base.b[-n_classes:] = np.log(np.clip(np.bincount(labels, minlength=n_classes) / len(labels), 1e-3, None))
    top = LabelledRBM(base.W, base.b, base.c, n_classes)
    train_rbm(top, V, epochs=epochs, lr=lr, rng=rng, batch_size=batch_size, method=method)
    return top


def generate_digits(
    rbms: Sequence[RBM],
    top: LabelledRBM,
    labels: Sequence[int],
    rng: np.random.Generator,
    steps: int = 200,
    mean_field: bool = True,
) -> np.ndarray:
    """One image per requested label: Gibbs sampling in the top RBM with the label units clamped, then
    one pass down through the lower RBMs with their p(v | h). With ``mean_field`` the features passed
    down are the probabilities of a last noise-free step; without, the chain's last sampled features."""
    checks.flag(mean_field, "mean_field")
    labels = np.asarray(labels)
    clamp = np.eye(top.n_classes)[labels]
    n_feat = top.n_visible - top.n_classes
    v = np.hstack([np.zeros((len(labels), n_feat)), clamp])  # at first only the label drives the hidden units
    for _ in range(steps):
        v, _h = gibbs_step(top, v, rng)
        v[:, n_feat:] = clamp
    x = top.visible_probs(top.hidden_probs(v))[:, :n_feat] if mean_field else v[:, :n_feat]
    for rbm in reversed(rbms):
        x = rbm.visible_probs(x)
    return x
