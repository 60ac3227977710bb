import numpy as np
import pytest
import torch

from nnbook.approximation import GRID, fit_shallow, shallow_net, target


def test_training_reduces_the_error_of_the_fresh_network():
    x = torch.tensor(GRID[:, None])
    y = target(GRID)
    torch.manual_seed(0)
    with torch.no_grad():
        before = np.abs(shallow_net(4)(x)[:, 0].numpy() - y).max()
        after = np.abs(fit_shallow(4, steps=500)(x)[:, 0].numpy() - y).max()
    assert after < 0.5 * before


def test_width_must_be_a_positive_integer():
    with pytest.raises(ValueError, match="positive integer"):
        shallow_net(0)
