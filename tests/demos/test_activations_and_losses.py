"""The widget figures and experiment helpers of chapters 2 and 4 (nnbook.demos.activations / .losses)."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from nnbook.demos import activations as DA
from nnbook.demos import losses as DL
from nnbook.scratch import activations as A


@pytest.mark.parametrize("name", DA.CHOICES)
def test_activation_figure_for_every_choice(name):
    fig = DA.activation_figure(name, scale=3.0)
    assert isinstance(fig, Figure) and len(fig.axes) == 3
    assert "%" in fig.axes[2].get_title()
    plt.close(fig)


def test_gaussian_layer_has_the_requested_scale_and_is_seeded():
    z, a, da = DA.gaussian_layer("tanh", scale=2.0)
    assert z.shape == a.shape == da.shape == (1000, 10)
    assert abs(z.std() - 2.0) < 0.3
    np.testing.assert_array_equal(a, A.tanh(z))
    np.testing.assert_array_equal(DA.gaussian_layer("tanh", scale=2.0)[0], z)


def test_saturation_grows_with_scale_for_squashing_functions_only():
    for name in ["sigmoid", "tanh"]:
        assert DA.saturated_fraction(name, 0.5) < DA.saturated_fraction(name, 2.0) < DA.saturated_fraction(name, 5.0)
    assert DA.saturated_fraction("leaky_relu", 5.0) == 0.0
    assert 0.4 < DA.saturated_fraction("relu", 0.5) < 0.6
    assert DA.saturated_fraction("step", 1.0) == 1.0


def test_softmax_layer_rows_sum_to_one():
    _, a, _ = DA.gaussian_layer("softmax", scale=3.0, temperature=0.5)
    np.testing.assert_allclose(a.sum(axis=1), 1.0)


def test_bad_demo_arguments():
    with pytest.raises(ValueError, match="unknown activation 'mish'"):
        DA.gaussian_layer("mish")
    with pytest.raises(ValueError, match="scale must be a positive number"):
        DA.gaussian_layer("relu", scale=0.0)
    with pytest.raises(ValueError, match="unknown target 'hard'"):
        DL.distribution_figure(target="hard")
    with pytest.raises(ValueError, match="n_outliers must be in"):
        DL.line_data(n=10, n_outliers=10)


def test_line_data_marks_the_outliers():
    x, y, out = DL.line_data(n=40, n_outliers=4)
    assert out.sum() == 4 and out[-4:].all() and np.all(np.diff(x) >= 0)
    assert np.all(y[out] < DL.TRUE_W * x[out] + DL.TRUE_B - 5)


def test_outliers_pull_mse_furthest_and_mae_least():
    x, y, _ = DL.line_data(n_outliers=4)
    fits = DL.fit_all(x, y)
    err = {k: abs(w - DL.TRUE_W) for k, (w, b) in fits.items()}
    assert err["mae"] < 0.5 and err["huber"] < 0.5 and err["mse"] > 2.0
    clean = DL.fit_all(*DL.line_data(n_outliers=0)[:2])
    assert all(abs(w - DL.TRUE_W) < 0.15 for w, b in clean.values())


@pytest.mark.parametrize("target", sorted(DL.TARGETS))
def test_distribution_figure(target):
    fig = DL.distribution_figure(0.0, 1.0, 0.0, target=target)
    assert len(fig.axes) == 2 and "H(p, q) = H(p) + KL(p || q)" in fig.axes[1].get_title()
    assert "-0.000" not in fig.axes[1].get_title()
    plt.close(fig)
    fig = DL.outlier_figure(2, 0.5)
    assert "2 outliers of 40" in fig.axes[0].get_title()
    plt.close(fig)
