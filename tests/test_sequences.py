"""nnbook.sequences and nnbook.models.sequence: the bundled text, windows, tasks, the bigram baseline, the PyTorch models."""

import math
import tomllib
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from nnbook import sequences as S
from nnbook.models.sequence import CharLM, SequenceReader, next_token_loss, sample

ROOT = Path(__file__).resolve().parent.parent


def test_the_book_text_ships_with_the_package():
    text = S.load_text("harbour")
    assert 5000 < len(text) < 20000 and text.isascii()
    assert (ROOT / "nnbook/texts/__init__.py").is_file()  # a package, so its data files are installed
    spec = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "*.txt" in spec["tool"]["setuptools"]["package-data"]["*"]
    with pytest.raises(ValueError, match=r"^unknown text 'wikipedia'; choose one of \['harbour'\]$"):
        S.load_text("wikipedia")


def test_vocabulary_round_trip_and_errors():
    v = S.Vocabulary.of("hello world")
    assert len(v) == 8 and v.decode(v.encode("low droll")) == "low droll"
    with pytest.raises(ValueError, match=r"\['z'\] are not in the vocabulary"):
        v.encode("zero")


@settings(max_examples=30, deadline=None)
@given(n=st.integers(10, 80), length=st.integers(1, 9), step=st.integers(1, 5))
def test_text_windows_are_shifted_by_one(n, length, step):
    tokens = np.arange(n) * 7 % 11
    X, Y = S.text_windows(tokens, length, step)
    assert X.shape == Y.shape and X.shape[1] == length
    for s, (x, y) in enumerate(zip(X, Y)):
        np.testing.assert_array_equal(x, tokens[s * step : s * step + length])
        np.testing.assert_array_equal(y, tokens[s * step + 1 : s * step + length + 1])
    assert (len(X) - 1) * step + length + 1 <= n


def test_split_keeps_order():
    tr, va = S.split_text(np.arange(100), 0.1)
    np.testing.assert_array_equal(np.concatenate([tr, va]), np.arange(100))
    assert len(va) == 10


def test_bigram_perplexity_known_values():
    V = 3
    P = S.bigram_probabilities(np.array([0]), V)  # no pairs: uniform
    assert S.bigram_perplexity(P, np.array([0, 2, 1, 1])) == pytest.approx(3.0)
    P = S.bigram_probabilities(np.array([0, 1, 0, 1, 0]), 2)
    np.testing.assert_allclose(P, [[0.25, 0.75], [0.75, 0.25]])
    assert S.bigram_perplexity(P, np.array([0, 1, 0])) == pytest.approx(4 / 3)
    with pytest.raises(ValueError, match="alpha"):
        S.bigram_probabilities(np.array([0, 1]), 2, alpha=0)


def test_bigram_perplexity_equals_torch_cross_entropy():
    rng = np.random.default_rng(0)
    tokens = rng.integers(0, 6, 300)
    P = S.bigram_probabilities(tokens[:200], 6)
    val = tokens[200:]
    ce = torch.nn.functional.cross_entropy(torch.log(torch.tensor(P[val[:-1]])), torch.tensor(val[1:]))
    assert S.bigram_perplexity(P, val) == pytest.approx(math.exp(float(ce)), rel=1e-12)


def test_waveform_and_memory_tasks():
    noisy, clean = S.noisy_waveform(200, noise=0.0)
    np.testing.assert_array_equal(noisy, clean)
    noisy, clean = S.noisy_waveform(5000, noise=0.3, seed=1)
    assert np.std(noisy - clean) == pytest.approx(0.3, rel=0.05)
    X, y = S.waveform_windows(noisy, 10, clean)
    assert X.shape == (4990, 10, 1) and y[0] == clean[10] and X[1, -1, 0] == noisy[10]
    X, y = S.first_symbol_task(50, 7, seed=0)
    assert X.shape == (50, 7, 4) and np.all(X[:, 0].argmax(1) == y) and np.all(X.sum(axis=2) == 1)
    X, _ = S.first_symbol_task(50, 7, distractors=False)
    assert np.all(X[:, 1:] == 0)
    with pytest.raises(ValueError, match="images must have shape"):
        S.digit_rows(np.zeros((3, 7, 8)))


def test_sequence_reader_shapes_and_forget_bias():
    x = torch.randn(5, 8, 3)
    for cell in ["rnn", "lstm", "gru"]:
        assert SequenceReader(3, 6, 4, cell=cell)(x).shape == (5, 4)
    assert SequenceReader(3, 6, 1, bidirectional=True, pool="mean")(x).shape == (5,)
    torch.manual_seed(0)
    plain = SequenceReader(3, 6, 4)
    torch.manual_seed(0)
    biased = SequenceReader(3, 6, 4, forget_bias=3.0)
    diff = (biased.rnn.bias_ih_l0 - plain.rnn.bias_ih_l0).detach()
    np.testing.assert_allclose(diff.numpy(), np.r_[np.zeros(6), 3 * np.ones(6), np.zeros(12)], atol=1e-6)
    with pytest.raises(ValueError, match="forget gate"):
        SequenceReader(3, 6, 4, cell="gru", forget_bias=1.0)
    with pytest.raises(ValueError, match=r"^x must have shape \(batch, T, n_in\) = \(batch, T, 3\); got \(5, 3\)$"):
        plain(torch.randn(5, 3))


def test_char_lm_loss_and_sampling():
    torch.manual_seed(0)
    lm = CharLM(7, 16, n_embed=4)
    tokens = torch.randint(0, 7, (3, 10))
    logits = lm(tokens)
    assert logits.shape == (3, 10, 7)
    # at initialisation the model is close to uniform: loss near log 7
    assert float(next_token_loss(logits, tokens).detach()) == pytest.approx(math.log(7), rel=0.1)
    a = sample(lm, [1, 2], 20, temperature=0.5, seed=3)
    assert a == sample(lm, [1, 2], 20, temperature=0.5, seed=3) and len(a) == 20 and all(0 <= t < 7 for t in a)
    # stepping with the carried state equals running the whole sequence at once
    full = lm(tokens[:1])
    step_logits, state = lm(tokens[:1, :4], return_state=True)
    rest, _ = lm(tokens[:1, 4:], state, return_state=True)
    torch.testing.assert_close(torch.cat([step_logits, rest], dim=1), full)
    with pytest.raises(ValueError, match="temperature"):
        sample(lm, [1], 5, temperature=0)
