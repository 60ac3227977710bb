"""nnbook.keras_style: Keras's compile / fit / evaluate / predict on top of nnbook.fit."""

import numpy as np
import pytest
import torch
from test_fit import model_and_opt, run, toy
from torch import nn

from nnbook import fit as F
from nnbook import keras_style as K
from nnbook.keras_style import Sequential, Trainer
from nnbook.runtime import seed


def test_keras_style_matches_the_explicit_loop():
    X, y = toy()
    seed(3)
    net = Sequential([nn.Linear(2, 8), nn.ReLU()]).add(nn.Linear(8, 2))
    net.compile(optimiser="sgd", lr=0.1, loss="cross_entropy", metrics=["accuracy"])
    h1 = net.fit(X, y, epochs=5, batch_size=32, verbose=0, seed=1, device="cpu")
    model, opt = model_and_opt(s=3)
    h2 = run(model, opt, epochs=5, seed=1, metrics=["accuracy"])
    assert h1.records == h2.records
    res = net.evaluate(X, y)
    assert set(res) == {"loss", "accuracy"}
    assert net.predict(X).shape == (200, 2)
    assert net.count_params() == 2 * 8 + 8 + 8 * 2 + 2
    assert "total trainable" in net.summary()


def test_keras_style_errors(tmp_path):
    net = Sequential([nn.Linear(2, 2)])
    with pytest.raises(RuntimeError, match="compile"):
        net.fit(*toy())
    with pytest.raises(ValueError, match="unknown optimiser"):
        net.compile(optimiser="adagrad2")
    with pytest.raises(TypeError, match="list of layers"):
        Sequential(nn.Linear(2, 2))
    with pytest.raises(TypeError, match="layer 0"):
        Sequential(["dense"])
    with pytest.raises(TypeError, match="wraps a torch.nn.Module"):
        Trainer(3)
    net.compile()
    with pytest.raises(RuntimeError, match="before compile"):
        net.add(nn.ReLU())
    net.save(tmp_path / "w.pt")
    assert isinstance(Sequential([nn.Linear(2, 2)]).load(tmp_path / "w.pt"), Sequential)


def test_compile_with_a_metrics_dict_fits():
    X, y = toy()
    net = Sequential([nn.Linear(2, 2)]).compile(optimiser="sgd", metrics={"acc": F.get_metrics("accuracy")["accuracy"]})
    h = net.fit(X, y, epochs=2, verbose=0, device="cpu")
    assert "acc" in h and set(net.evaluate(X, y)) == {"loss", "acc"}


def test_keras_losses_take_probabilities_as_keras_does():
    p = torch.tensor([[0.9], [0.2], [0.6]])
    y = torch.tensor([1, 0, 0])
    expected = -(np.log(0.9) + np.log(0.8) + np.log(0.4)) / 3
    assert K.keras_loss("binary_crossentropy")(p, y).item() == pytest.approx(expected, rel=1e-6)
    probs = torch.tensor([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])
    assert K.keras_loss("sparse_categorical_crossentropy")(probs, torch.tensor([0, 2])).item() == pytest.approx(
        -(np.log(0.7) + np.log(0.8)) / 2, rel=1e-6
    )
    with pytest.raises(ValueError, match="takes probabilities"):
        K.keras_loss("binary_crossentropy")(torch.tensor([[2.5], [-1.0]]), torch.tensor([1, 0]))
    with pytest.raises(ValueError, match="unknown loss"):
        K.keras_loss("hinge2")
    assert isinstance(K.keras_loss("bce_with_logits"), F.BCEWithLogits)


def test_a_keras_model_with_a_sigmoid_trains_on_binary_crossentropy():
    X, y = toy()
    seed(0)
    net = Sequential([nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1), nn.Sigmoid()])
    net.compile(optimiser="adam", lr=0.05, loss="binary_crossentropy", metrics=[])
    h = net.fit(X, y, epochs=30, batch_size=None, verbose=0, device="cpu", seed=0)
    assert h["loss"][-1] < 0.3 and np.mean((net.predict(X)[:, 0] > 0.5) == y) > 0.95


def test_make_optimiser():
    p = [nn.Parameter(torch.zeros(2))]
    assert K.make_optimiser("SGD", p).defaults["lr"] == 0.01
    assert isinstance(K.make_optimiser("adam", p, lr=1e-3), torch.optim.Adam)
    with pytest.raises(ValueError, match="unknown optimiser"):
        K.make_optimiser("lbfgs2", p)
