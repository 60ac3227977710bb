"""nnbook.demos.rnn: the widgets' pure functions, the gradient measurements and the small training runs."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from nnbook.demos import rnn as D
from nnbook.scratch.rnn import spectral_radius
from nnbook.widgets import Demo


def test_rnn_with_radius_has_that_radius():
    for rho in [0.5, 1.0, 1.7]:
        assert spectral_radius(D.rnn_with_radius(rho, n_hidden=9).params["W_hh"]) == pytest.approx(rho)


def test_gradient_decay_linear_is_exactly_rho_to_the_power():
    radii = [0.7, 1.0, 1.3]
    decay = D.gradient_decay(radii, ["identity", "tanh"], T=12, n_hidden=8, batch=3)
    ratio = decay["identity"][:, 0] / decay["identity"][:, -1]
    np.testing.assert_allclose(ratio, np.array(radii) ** 11, rtol=1e-9)
    # tanh' <= 1 can only shrink the gradient further than the linear network
    assert np.all(decay["tanh"][:, 0] / decay["tanh"][:, -1] <= ratio * (1 + 1e-9))
    assert isinstance(D.gradient_decay_figure(radii, decay), Figure)


def test_step_through_fills_states_then_gradients():
    T = 10
    first = D.step_through(1)
    assert first["phase"] == "forward" and np.isfinite(first["states"][0]).all() and np.isnan(first["states"][1:]).all()
    assert np.isnan(first["grad_norms"]).all()
    mid = D.step_through(T + 3)
    assert mid["phase"] == "backward" and np.isfinite(mid["states"]).all()
    assert np.isnan(mid["grad_norms"][: T - 3]).all() and np.isfinite(mid["grad_norms"][T - 3 :]).all()
    last = D.step_through(2 * T, rho=0.5)
    assert last["grad_norms"][0] < last["grad_norms"][-1]  # vanishing at a small radius
    with pytest.raises(ValueError, match="step must be an integer from 1"):
        D.step_through(0)
    demo = Demo(D.step_through_figure, step=5, rho=0.9, activation="tanh")
    assert isinstance(demo.static(step=15), Figure)


def test_temperature():
    z = np.array([2.0, 1.0, 0.0, -1.0])
    p1 = D.softmax_with_temperature(z, 1.0)
    np.testing.assert_allclose(p1, np.exp(z) / np.exp(z).sum())
    cold, hot = D.softmax_with_temperature(z, 0.1), D.softmax_with_temperature(z, 10.0)
    assert cold[0] > 0.9999 and np.ptp(hot) < 0.1
    with pytest.raises(ValueError, match="temperature"):
        D.softmax_with_temperature(z, 0.0)
    assert isinstance(D.temperature_figure(z, ["a", "b", " ", "\n"], 0.5, top=4), Figure)


def test_waveform_training_and_clipping():
    data = D.waveform_data(n=200, n_train=120)
    net = D.waveform_net(4, seed=0)
    h = D.train_waveform(net, data, lr=0.05, epochs=2, clip=0.5)
    assert len(h["loss"]) == len(h["grad_norm"]) == 2 * 4  # 120 windows -> 4 batches of 32
    err = D.waveform_errors(net, data)
    assert set(err) == {"noisy", "clean", "last value, clean", "linear least squares, clean", "noise variance"}
    assert err["noise variance"] == pytest.approx(0.04)
    for fig in (D.waveform_figure(net, data), D.clipping_figure({"a": h}), D.unrolled_figure(), D.gates_figure()):
        assert isinstance(fig, Figure) and all(ax.get_title() or not ax.axison for ax in fig.axes)


def test_memory_task_smoke():
    acc = D.memory_accuracy("lstm", 3, n_train=100, n_hidden=4, epochs=1, batch_size=50)
    assert 0.0 <= acc <= 1.0


def test_char_lm_training_as_the_gpu_cell_calls_it():
    """The GPU cell's call (two layers, progress bar, a device) on the CPU with a tiny model."""
    from nnbook import sequences as S
    from nnbook.models.sequence import sample

    tokens = S.Vocabulary.of(S.load_text()).encode(S.load_text())
    train, val = S.split_text(tokens[:1200], 0.25)
    lm, h = D.train_char_lm(
        train,
        val,
        int(tokens.max()) + 1,
        n_hidden=8,
        n_layers=2,
        length=32,
        epochs=2,
        patience=10,
        lr=3e-3,
        seed=0,
        device="cpu",
        progress=True,
    )
    assert lm.rnn.num_layers == 2 and len(h) == 2 and int(np.argmin(h["val_loss"])) in (0, 1)
    assert len(sample(lm, [1, 2, 3], 10, temperature=0.7, seed=1)) == 10
