"""GM(1,1) grey prediction against its closed-form normal equations and on exact exponential series."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnbook.grey import gm11_fit, gm11_forecast


def normal_equations(x0):
    """a and b written out from the 2x2 normal equations, independently of the package's lstsq."""
    x1 = np.cumsum(x0)
    z = 0.5 * (x1[1:] + x1[:-1])
    y = x0[1:]
    n = len(z)
    det = n * np.sum(z * z) - np.sum(z) ** 2
    a = (np.sum(z) * np.sum(y) - n * np.sum(z * y)) / det
    b = (np.sum(z * z) * np.sum(y) - np.sum(z) * np.sum(z * y)) / det
    return a, b


@settings(deadline=None)
@given(st.lists(st.floats(1.0, 1000.0), min_size=4, max_size=12))
def test_parameters_solve_the_normal_equations(values):
    x0 = np.array(values)
    a, b = gm11_fit(x0)
    a_ref, b_ref = normal_equations(x0)
    if abs(a_ref) > 1e-9:
        np.testing.assert_allclose([a, b], [a_ref, b_ref], rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("ratio", [0.8, 1.05, 1.2])
def test_forecasts_an_exponential_series_closely(ratio):
    x = 10.0 * ratio ** np.arange(12)
    pred = gm11_forecast(x[:8], 4)
    assert pred[0] == x[0] and len(pred) == 12
    np.testing.assert_allclose(pred[8:], x[8:], rtol=0.01)


def test_decay_gives_a_positive_development_coefficient():
    a, _ = gm11_fit(100.0 * 0.9 ** np.arange(8))
    assert a > 0


@pytest.mark.parametrize(
    "bad, match",
    [
        ([1.0, 2.0, 3.0], "at least 4"),
        ([1.0, 2.0, -3.0, 4.0], "positive"),
        ([[1.0, 2.0], [3.0, 4.0]], "one-dimensional"),
    ],
)
def test_bad_series_are_rejected(bad, match):
    with pytest.raises(ValueError, match=match):
        gm11_forecast(bad, 1)
    with pytest.raises(ValueError, match="steps"):
        gm11_forecast([1.0, 2.0, 3.0, 4.0], -1)
