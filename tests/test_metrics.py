"""nnbook.metrics: accuracy and the cost of thresholded decisions."""

import numpy as np
import pytest
import torch

from nnbook import metrics as M


def test_accuracy_of_scores_and_of_one_logit():
    assert M.accuracy(torch.tensor([1.0, -2.0, 3.0]), torch.tensor([1, 0, 0])) == pytest.approx(2 / 3)
    assert M.accuracy(torch.tensor([[2.0, 1.0], [0.0, 3.0]]), torch.tensor([0, 0])) == pytest.approx(1 / 2)


def test_expected_cost_and_best_threshold():
    y = np.array([0, 0, 1, 1])
    p = np.array([0.1, 0.6, 0.4, 0.9])
    assert M.expected_cost(y, p, 0.5, 1, 10) == pytest.approx((1 + 10) / 4)
    assert M.expected_cost(y, p, 0.0, 1, 10) == pytest.approx(2 / 4)  # flag everyone: two false alarms
    assert M.expected_cost(y, p, 1.01, 1, 10) == pytest.approx(20 / 4)
    assert M.best_threshold(y, p, 1, 10) == pytest.approx(0.4)
    assert M.best_threshold(y, p, 10, 1) == pytest.approx(0.9)
    with pytest.raises(ValueError, match="same length"):
        M.expected_cost(y, p[:3], 0.5, 1, 1)
    with pytest.raises(ValueError, match="labels 0"):
        M.expected_cost(np.array([0, 2, 1, 1]), p, 0.5, 1, 1)
    with pytest.raises(ValueError, match="costs"):
        M.expected_cost(y, p, 0.5, -1, 1)
