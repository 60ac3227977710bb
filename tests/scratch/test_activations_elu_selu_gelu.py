"""ELU, SELU and GELU against PyTorch (float64), central differences, extreme inputs and SELU's fixed point."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from numerics import strict

from nnbook.scratch import activations as A

wide = arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(1, 7)), elements=st.floats(-1e3, 1e3))
EXTREME = np.array([-1e3, -745.0, -40.0, -1e-300, 0.0, 1e-300, 40.0, 745.0, 1e3])

CASES = {
    "elu": (A.elu, A.elu_grad, F.elu),
    "elu_alpha_0.3": (lambda v: A.elu(v, 0.3), lambda v: A.elu_grad(v, 0.3), lambda t: F.elu(t, 0.3)),
    "selu": (A.selu, A.selu_grad, F.selu),
    "gelu": (A.gelu, A.gelu_grad, F.gelu),
}


def torch_fn_and_grad(fn, x):
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    y = fn(t)
    y.sum().backward()
    return y.detach().numpy(), t.grad.numpy()


def assert_matches_torch(name, x):
    """Values and derivatives of activation ``name`` at x equal PyTorch's, with warnings as errors."""
    f, df, tf = CASES[name]
    with strict():
        y, g = f(x), df(x)
    ty, tg = torch_fn_and_grad(tf, x)
    np.testing.assert_allclose(y, ty, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(g, tg, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", CASES)
@settings(deadline=None)
@given(x=wide)
def test_matches_torch(name, x):
    assert_matches_torch(name, x)


@pytest.mark.parametrize("name", CASES)
def test_extreme_inputs_stay_finite_and_match_torch(name):
    assert_matches_torch(name, EXTREME)


@pytest.mark.parametrize("name", CASES)
@settings(deadline=None)
@given(x=arrays(np.float64, (4, 5), elements=st.floats(-20, 20)))
def test_derivative_matches_central_differences(name, x):
    f, df, _ = CASES[name]
    x = x[np.abs(x) > 1e-3]  # ELU/SELU have a kink in the derivative at 0
    h = 1e-6
    np.testing.assert_allclose(df(x), (f(x + h) - f(x - h)) / (2 * h), rtol=1e-6, atol=1e-7)


def test_selu_keeps_standard_normal_inputs_standard():
    from scipy.integrate import quad
    from scipy.stats import norm

    def expect(g):  # E[g(z)], z ~ N(0, 1), split at SELU's kink
        return sum(
            quad(lambda z: g(z) * norm.pdf(z), lo, hi, epsabs=1e-13, epsrel=1e-13)[0]
            for lo, hi in ((-np.inf, 0), (0, np.inf))
        )

    assert abs(expect(lambda z: A.selu(z))) < 1e-9
    assert abs(expect(lambda z: A.selu(z) ** 2) - 1) < 1e-9


@pytest.mark.parametrize("name", ["elu", "selu", "gelu"])
def test_catalogue_lower_bound_is_the_minimum(name):
    act = A.ACTIVATIONS[name]
    x = np.linspace(-40, 5, 2_000_001)
    assert act(x).min() == pytest.approx(act.bounds[0], abs=1e-9)


def test_elu_rejects_a_negative_alpha():
    with pytest.raises(ValueError, match="alpha"):
        A.elu(np.zeros(2), -1.0)
