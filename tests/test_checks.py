"""nnbook.checks, the one validation module: each check returns the clean value or explains the mistake,
and the modules that used to validate by hand (fit, scratch.rnn) now go through it."""

import numpy as np
import pytest
import torch

from nnbook import checks
from nnbook import fit as F
from nnbook.scratch import rnn as R


def test_int_at_least_and_positive_int_with_none():
    assert checks.int_at_least(3, "epochs", 1) == 3
    assert checks.int_at_least(None, "batch_size", 1, none="one batch") is None
    assert checks.positive_int(None, "truncate", none="full BPTT") is None
    with pytest.raises(ValueError, match=r"^batch_size must be an integer >= 1 or None \(one batch\); got 0$"):
        checks.int_at_least(0, "batch_size", 1, none="one batch")
    with pytest.raises(ValueError, match=r"^epochs must be an integer >= 1; got None$"):
        checks.int_at_least(None, "epochs", 1)
    with pytest.raises(ValueError, match=r"^truncate must be a positive integer or None \(full BPTT\); got True$"):
        checks.positive_int(True, "truncate", none="full BPTT")


def test_flag():
    assert checks.flag(np.bool_(True), "progress") is True
    for bad in (1, "no", None):
        with pytest.raises(TypeError, match="^progress must be True or False"):
            checks.flag(bad, "progress")


def test_instance():
    m = torch.nn.Linear(1, 1)
    assert checks.instance(m, torch.nn.Module, "model", "a torch.nn.Module") is m
    with pytest.raises(TypeError, match="^model must be a torch.nn.Module; got str$"):
        checks.instance("m", torch.nn.Module, "model", "a torch.nn.Module")


def test_sequence_batch():
    x = checks.sequence_batch([[[1], [2]]], 1)
    assert x.dtype == np.float64 and x.shape == (1, 2, 1)
    with pytest.raises(ValueError, match=r"shape \(batch, T, n_in\) = \(batch, T, 3\); got \(4, 3\)"):
        checks.sequence_batch(np.zeros((4, 3)), 3)
    with pytest.raises(ValueError, match="at least one time step"):
        checks.sequence_batch(np.zeros((4, 0, 3)), 3)


def _spy(monkeypatch, names):
    """Count the calls to the named checks (still doing their work)."""
    calls = dict.fromkeys(names, 0)
    for name in names:
        real = getattr(checks, name)

        def counted(*a, _real=real, _name=name, **k):
            calls[_name] += 1
            return _real(*a, **k)

        monkeypatch.setattr(checks, name, counted)
    return calls


def test_rnn_layers_validate_through_checks(monkeypatch):
    calls = _spy(monkeypatch, ["positive_int", "rng", "sequence_batch", "positive_number"])
    rng = np.random.default_rng(0)
    for layer in (R.RNN(2, 3, rng, truncate=2), R.LSTM(2, 3, rng), R.GRU(2, 3, rng)):
        layer.forward(np.zeros((1, 2, 2)))
    # n_in, n_hidden and truncate of each layer; its rng; its input
    assert (calls["positive_int"], calls["rng"], calls["sequence_batch"]) == (9, 3, 3)
    calls["positive_number"] = 0
    R.clip_grad_norm({"a": np.ones(2)}, 1.0)
    assert calls["positive_number"] == 1


def test_fit_validates_through_checks(monkeypatch):
    calls = _spy(monkeypatch, ["int_at_least", "flag", "instance", "real_number"])
    model = torch.nn.Linear(2, 1)
    X, y = np.zeros((4, 2), dtype=np.float32), np.zeros((4, 1), dtype=np.float32)
    F.fit(
        model,
        (X, y),
        loss="mse",
        optimiser=torch.optim.SGD(model.parameters(), 0.1),
        epochs=1,
        batch_size=2,
        val_data=(X, y),
        early_stopping=F.EarlyStopping(patience=1),
        progress=False,
    )
    F.evaluate(model, (X, y), loss="mse", metrics=None)
    F.predict(model, X)
    # fit: epochs, batch size, patience; evaluate and predict: batch size each
    assert calls == {"int_at_least": 5, "flag": 2, "instance": 4, "real_number": 1}


def test_data_and_random_shift_validate_through_checks(monkeypatch):
    from nnbook import data
    from nnbook.augment import random_shift

    calls = _spy(monkeypatch, ["int_at_least", "int_in_range", "real_number", "positive_number"])
    X, y = data.blobs(20)
    data.subsample(X, y, 10)
    random_shift(np.zeros((2, 64)), 1)
    # blobs: n, margin, spread; subsample: n; random_shift: max_shift
    assert calls == {"int_at_least": 1, "int_in_range": 2, "real_number": 1, "positive_number": 1}


def test_real_number_with_an_open_upper_bound():
    assert checks.real_number(0.5, "val_fraction", low=0, high=1, high_inclusive=False) == 0.5
    assert checks.real_number(1, "momentum", low=0, high=1) == 1.0  # closed by default
    with pytest.raises(ValueError, match=r"^val_fraction must be a finite number > 0 and < 1; got 1$"):
        checks.real_number(1, "val_fraction", low=0, high=1, high_inclusive=False)


def test_int_in_range_with_none():
    assert checks.int_in_range(None, "batch_size", 1, 5, none="full batch") is None
    assert checks.int_in_range(np.int64(5), "batch_size", 1, 5, none="full batch") == 5
    with pytest.raises(ValueError, match=r"^batch_size must be an integer in \[1, 5\] or None \(full batch\); got 6$"):
        checks.int_in_range(6, "batch_size", 1, 5, none="full batch")
    with pytest.raises(ValueError, match=r"^n must be an integer in \[1, 5\]; got None$"):
        checks.int_in_range(None, "n", 1, 5)


def test_probability():
    for ok in (0, 0.25, np.float32(0.5), 0.999):
        assert checks.probability(ok, "dropout") == float(ok)
    # a non-number is a ValueError too, as the hand-written checks it replaced raised
    for bad in (1, 1.0, -0.1, float("nan"), True, "0.5", None):
        with pytest.raises(ValueError, match=r"^dropout must be a probability in \[0, 1\); got "):
            checks.probability(bad, "dropout")
    with pytest.raises(ValueError, match=r"^p must be a drop probability in \[0, 1\); got 1$"):
        checks.probability(1, "p", "a drop probability")


def test_ndim():
    x = np.zeros((2, 3))
    assert checks.ndim(x, 2, "X", "(n, d)") is x
    assert checks.ndim(torch.zeros(1, 2, 3, 4), 4, "x", "(batch, channels, height, width)").shape == (1, 2, 3, 4)
    with pytest.raises(ValueError, match=r"^X must be two-dimensional with shape \(n, d\); got shape \(3,\)$"):
        checks.ndim(np.zeros(3), 2, "X", "(n, d)")
    with pytest.raises(ValueError, match=r"^x must be 5-D with shape \(a, b, c, d, e\); got shape \(\)$"):
        checks.ndim(1.0, 5, "x", "(a, b, c, d, e)")


def test_shape_is():
    b = np.zeros(2)
    assert checks.shape_is(b, (2,), "b", "(out_channels,)") is b
    assert checks.shape_is(torch.zeros(4, 7, 3), (None, None, 3), "x", "(batch, T, n_in)").shape == (4, 7, 3)
    with pytest.raises(ValueError, match=r"^b must have shape \(out_channels,\) = \(2,\); got \(3,\)$"):
        checks.shape_is(np.zeros(3), (2,), "b", "(out_channels,)")
    with pytest.raises(ValueError, match=r"^x must have shape \(batch, T, n_in\) = \(batch, T, 3\); got \(4, 3\)$"):
        checks.shape_is(torch.zeros(4, 3), (None, None, 3), "x", "(batch, T, n_in)")
    # a layout that already shows the sizes is not repeated; a hint follows it
    with pytest.raises(ValueError, match=r"^images must have shape \(n, 8, 8\), or \(n, 64\); got \(2, 8, 7\)$"):
        checks.shape_is(np.zeros((2, 8, 7)), (None, 8, 8), "images", "(n, 8, 8)", hint="or (n, 64)")


def test_min_length():
    assert checks.min_length([1, 2], 2, "tokens") == [1, 2]
    with pytest.raises(ValueError, match=r"^tokens must hold at least 2 tokens \(one to predict from\); got 1$"):
        checks.min_length([0], 2, "tokens", "token", "one to predict from")
    with pytest.raises(ValueError, match=r"^X must hold at least 1 example; got 0$"):
        checks.min_length(np.zeros((0, 3)), 1, "X", "example")


def test_labels01_shows_a_few_of_the_wrong_values():
    with pytest.raises(ValueError, match=r"^y must hold the labels 0 and 1 only; got values \[0, 1, 2\]$"):
        checks.labels01([0, 1, 2], 3)
    with pytest.raises(ValueError, match=r"got values \[0, 1, 2, 3, 4, \.\.\.\]$"):
        checks.labels01(np.arange(100), 100)


_NEW = ["positive_int", "int_at_least", "int_in_range", "probability", "real_number", "positive_number"]
_SHAPES = ["ndim", "shape_is", "min_length", "one_of", "flag", "instance", "learning_rate", "labels01"]


def test_the_torch_models_validate_through_checks(monkeypatch):
    from nnbook.approximation import shallow_net
    from nnbook.models import cnn, mlp, sequence

    calls = _spy(monkeypatch, _NEW + _SHAPES)
    net = mlp.mlp((4, 3, 2), dropout=0.1)
    mlp.hidden_representations(net, np.zeros((2, 4)))
    cnn.layer_table(cnn.lenet((2, 2), hidden=4), (64,))
    shallow_net(3)
    reader = sequence.SequenceReader(2, 3, 1)
    reader(torch.zeros(1, 4, 2))
    lm = sequence.CharLM(5, 4, n_embed=2)
    sequence.sample(lm, [1], 2)
    got = {k: v for k, v in calls.items() if v}
    # mlp: 3 widths, activation, dropout, batch_norm; hidden_representations: model, X;
    # lenet: 2 channels, hidden, n_classes, dropout; layer_table: model; shallow_net: width;
    # SequenceReader: cell, pool, bidirectional, 3 sizes, x; CharLM: cell, 4 sizes, tokens (three calls in
    # sample); sample: temperature, start. int_at_least counts positive_int's calls to it too (3 + 12).
    assert got == {
        "int_at_least": 15,
        "one_of": 4,
        "probability": 2,
        "flag": 2,
        "instance": 2,
        "ndim": 4,
        "positive_int": 12,
        "shape_is": 1,
        "real_number": 1,
        "min_length": 1,
    }


def test_the_numpy_modules_validate_through_checks(monkeypatch):
    from nnbook.scratch import conv, optim, regression, regularisation

    calls = _spy(monkeypatch, _NEW + _SHAPES)
    rng = np.random.default_rng(0)
    layer = conv.Conv2d.random(1, 2, 3, rng)
    layer(np.zeros((1, 1, 4, 4)))
    conv.MaxPool2d(2)(np.zeros((1, 1, 4, 4)))
    optim.SGD(0.1, momentum=0.9, weight_decay=1e-4)
    optim.Adam()
    regularisation.Dropout(0.5)
    regularisation.BatchNorm(2, momentum=0.1).forward(np.zeros((3, 2)))
    X, y = np.zeros((4, 1)), np.array([0.0, 1.0, 0.0, 1.0])
    regression.descend(regression.logistic_loss_grad, X, y, lr=0.1, batch_size=2, steps=1)
    regression.standardize(X)
    got = {k: v for k, v in calls.items() if v}
    assert got["probability"] == 4  # SGD momentum, Adam beta1 and beta2, Dropout p
    assert got["learning_rate"] == 3 and got["positive_number"] == 1  # SGD, Adam, descend; Adam eps
    assert got["real_number"] == 2 and got["positive_int"] == 3  # weight_decay, momentum; units, steps, core's batch
    assert got["one_of"] == 2 and got["int_in_range"] == 1  # method, he_normal's activation; batch_size
    assert got["ndim"] >= 6 and got["shape_is"] >= 4 and got["min_length"] >= 2 and got["labels01"] >= 1
    assert got["int_at_least"] >= 8  # the sizes of conv, pooling and output_size


def test_the_data_modules_validate_through_checks(monkeypatch):
    from nnbook import grey, runtime, sequences

    calls = _spy(monkeypatch, _NEW + _SHAPES)
    grey.gm11_forecast([1.0, 2.0, 3.0, 4.0], 1)
    runtime.seed(0)
    sequences.load_text()
    tokens = np.arange(10) % 3
    sequences.split_text(tokens, 0.2)
    sequences.text_windows(tokens, 3)
    sequences.noisy_waveform(5)
    sequences.first_symbol_task(2, 3)
    sequences.digit_rows(np.zeros((1, 64)))
    P = sequences.bigram_probabilities(tokens, 3)
    sequences.bigram_perplexity(P, tokens)
    got = {k: v for k, v in calls.items() if v}
    # grey: series ndim and length, steps; seed: type, range; load_text: name; split_text: val_fraction;
    # text_windows: length, tokens; noisy_waveform: n, noise; first_symbol_task: n, length, n_symbols;
    # digit_rows: shape; bigram_probabilities: vocab_size, alpha; bigram_perplexity: tokens;
    # int_at_least counts positive_int's call to it too (6 + 1)
    assert got == {
        "ndim": 1,
        "min_length": 3,
        "positive_int": 1,
        "instance": 1,
        "int_in_range": 1,
        "one_of": 1,
        "real_number": 3,
        "int_at_least": 7,
        "shape_is": 1,
    }
