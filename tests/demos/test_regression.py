import ipywidgets as w
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from nnbook.demos import regression as D
from nnbook.scratch import regression as R
from nnbook.widgets import Demo


def test_parse_points():
    x, y = D.parse_points("(0, 1); 1,3\n2, 5.5")
    np.testing.assert_array_equal(x, [0, 1, 2])
    np.testing.assert_array_equal(y, [1, 3, 5.5])
    with pytest.raises(ValueError, match="two numbers"):
        D.parse_points("1, 2; 3")
    with pytest.raises(ValueError, match="different x"):
        D.parse_points("1, 2; 1, 3")
    with pytest.raises(TypeError, match="string"):
        D.parse_points([(1, 2)])


def test_gd_figure_converges_and_says_so():
    fig = D.gd_figure(lr=0.05, steps=200)
    assert isinstance(fig, Figure) and len(fig.axes) >= 3
    title = fig._suptitle.get_text()
    assert "diverges" not in title
    x, y = D.parse_points(D.DEFAULT_POINTS)
    a = R.least_squares(x[:, None], y)[0]
    assert f"a = {a:.3f}" in title
    for ax in fig.axes[:3]:
        assert ax.get_xlabel() and ax.get_ylabel()
    plt.close(fig)


def test_gd_figure_reports_divergence():
    x, _ = D.parse_points(D.DEFAULT_POINTS)
    lr = 1.2 * R.max_stable_lr(x[:, None])
    fig = D.gd_figure(lr=lr, steps=40)
    assert "diverges" in fig._suptitle.get_text()
    plt.close(fig)


def test_demo_widget_redraws():
    demo = Demo(
        D.gd_figure,
        points=w.Text(value=D.DEFAULT_POINTS),
        lr=w.FloatSlider(value=0.05, min=0.001, max=0.2),
        steps=w.IntSlider(value=10, min=0, max=50),
    )
    box = demo.widget()
    box.children[0].children[1].value = 0.1
    assert len(box.children[1].outputs) == 1


def test_other_figures():
    rng = np.random.default_rng(0)
    x = rng.uniform(50, 150, 20)
    y = 0.03 * x + 1 + 0.1 * rng.normal(size=20)
    for fig in [D.learning_rates_figure(steps=10), D.scaling_figure(x, y, steps=20)]:
        assert isinstance(fig, Figure)
        plt.close(fig)
    X = x[:, None] / 100
    hs = {
        "batch": R.descend(R.mse_loss_grad, X, y, lr=0.1, epochs=2),
        "sgd": R.descend(R.mse_loss_grad, X, y, lr=0.1, epochs=2, batch_size=1),
    }
    fig = D.batch_modes_figure(hs, best=0.01)
    assert len(fig.axes[0].lines) == 3
    plt.close(fig)
