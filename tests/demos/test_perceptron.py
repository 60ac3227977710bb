"""The chapter-1 figures and widgets: pure functions that return data or a Figure (no browser)."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from nnbook.demos import perceptron as D
from nnbook.scratch.perceptron import Perceptron, train_pixel_recogniser, train_xor, xor_hand_params


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_neuron_mistakes_counts_wrong_rows():
    assert D.neuron_mistakes(1.0, 1.0, -1.5) == {"and": 0, "or": 2, "xor": 3}
    assert D.neuron_mistakes(1.0, 1.0, -0.5) == {"and": 2, "or": 0, "xor": 1}


def test_no_slider_setting_solves_xor():
    grid = np.linspace(-3, 3, 13)
    assert min(D.neuron_mistakes(a, b, c)["xor"] for a in grid for b in grid for c in grid) == 1


def test_neuron_figure_titles_state_the_mistakes():
    fig = D.neuron_figure(1.0, 1.0, -1.5)
    assert isinstance(fig, Figure)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["AND: all 4 right", "OR: 2 of 4 wrong", "XOR: 3 of 4 wrong"]
    assert all(ax.get_xlabel() and ax.get_ylabel() for ax in fig.axes)


def test_neuron_figure_with_zero_weights_draws_no_line():
    fig = D.neuron_figure(0.0, 0.0, 0.5)
    assert all(len(ax.lines) == 0 for ax in fig.axes)


@pytest.mark.parametrize("name", D.DATASETS)
def test_perceptron_steps_figure_every_update(name):
    p = D.perceptron_run(name)
    for k in (0, p.n_updates_ // 2, p.n_updates_):
        fig = D.perceptron_steps_figure(k, name)
        assert f"After update {k} of {p.n_updates_}" in fig.axes[0].get_title()
        plt.close(fig)


def test_perceptron_steps_figure_clips_the_update_number():
    p = D.perceptron_run("or")
    title = D.perceptron_steps_figure(999, "or").axes[0].get_title()
    assert title == f"After update {p.n_updates_} of {p.n_updates_}: 0 of 4 points wrong"
    assert "converged" in D.perceptron_steps_figure(0, "or").axes[1].get_title()
    assert "no error-free epoch" in D.perceptron_steps_figure(0, "xor").axes[1].get_title()


def test_dataset_rejects_unknown_names():
    with pytest.raises(ValueError, match="dataset must be one of"):
        D.dataset("xnor")


def test_chapter_figures():
    runs = {g: Perceptron(max_epochs=5).fit(*D.truth_table(g)) for g in D.GATES}
    for fig in (
        D.neuron_diagram_figure(),
        D.activations_figure(),
        D.errors_per_epoch_figure(runs),
        D.hidden_space_figure(xor_hand_params(), "step", title="hand-built"),
        D.hidden_space_figure(train_xor(epochs=50).params, "sigmoid"),
        D.detector_weights_figure(train_pixel_recogniser(epochs=20)),
    ):
        assert isinstance(fig, Figure) and fig.axes[0].get_title()


def test_pixel_images_figure_titles_are_labels():
    from nnbook.data import pixel_digits

    X, y = pixel_digits()
    fig = D.pixel_images_figure(X[:3], y[:3], "three images")
    assert [ax.get_title() for ax in fig.axes] == [str(d) for d in y[:3]]
