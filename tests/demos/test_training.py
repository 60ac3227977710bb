"""nnbook.demos.training: the digits experiment runner and the figures of chapters 7 and 8."""

import numpy as np
import pytest

from nnbook.data import digits_splits
from nnbook.demos import training as T


def test_train_digits_mlp_is_repeatable_and_learns():
    d = digits_splits()
    runs = [
        T.train_digits_mlp(d, hidden=(16,), epochs=3, n_train=200, augment=1, dropout=0.1, seed=4)[1] for _ in range(2)
    ]
    assert runs[0].records == runs[1].records and len(runs[0]) == 3
    assert runs[0]["val_loss"][-1] < runs[0]["val_loss"][0]
    with pytest.raises(ValueError, match="optimiser must be"):
        T.train_digits_mlp(d, optimiser="lbfgs", epochs=1)


def test_train_digits_mlp_nesterov_differs_from_momentum():
    d = digits_splits()
    kw = dict(hidden=(8,), epochs=2, n_train=100, optimiser="sgd", lr=0.1, momentum=0.9)
    a, b = (T.train_digits_mlp(d, nesterov=n, **kw)[1]["loss"] for n in (False, True))
    assert not np.array_equal(a, b)


def test_figures_draw():
    import matplotlib.pyplot as plt

    d = digits_splits()
    h = {(0.0, 0.0): T.train_digits_mlp(d, hidden=(8,), epochs=2, n_train=100)[1]}
    figs = [
        T.workflow_figure(),
        T.curves_figure({"a": h[(0.0, 0.0)]}, title="t"),
        T.regularisation_figure(h, 0.0, 0.0),
        T.sweep_figure([1, 2], [0.1, 0.2], [0.2, 0.3], xlabel="x"),
        T.shifted_examples_figure(d.X_test),
        T.similarity_matrix_figure(np.eye(3), ["a", "b", "c"], title="t"),
        T.mds_figure(np.random.rand(6, 2), [0, 0, 0, 1, 1, 1], ["l1", "l2", "out"], title="t"),
        T.reliability_figure(np.array([0, 1] * 20), {"m": np.linspace(0, 1, 40)}),
        T.cost_figure(np.array([0, 1] * 20), {"m": np.linspace(0, 1, 40)}, 1, 5),
    ]
    assert all(f.axes for f in figs)
    with pytest.raises(ValueError, match="no precomputed run"):
        T.regularisation_figure(h, 0.5, 0.0)
    plt.close("all")
