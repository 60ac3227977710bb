"""nnbook.scratch.activations against PyTorch (float64), central differences and extreme inputs."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from numerics import strict

from nnbook.scratch import activations as A

# Wide inputs: |x| up to 1e3, where a naive exp(x) overflows.
wide = arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(1, 7)), elements=st.floats(-1e3, 1e3))
moderate = arrays(np.float64, (4, 5), elements=st.floats(-30, 30))
betas = st.floats(0.1, 10.0)
alphas = st.floats(0.0, 0.5)
temperatures = st.floats(0.05, 20.0)

EXTREME = np.array([-1e3, -800.0, -745.0, -710.0, -40.0, -1e-300, 0.0, 1e-300, 40.0, 710.0, 745.0, 800.0, 1e3])


def torch_fn_and_grad(fn, x):
    """PyTorch's values and elementwise derivative (x is elementwise, so d sum / dx = f'(x))."""
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    y = fn(t)
    y.sum().backward()
    return y.detach().numpy(), t.grad.numpy()


def close(a, b):
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


def strict_eval(f, df, x):
    with strict():
        y, g = f(x), df(x)
    assert np.all(np.isfinite(y)) and np.all(np.isfinite(g))
    return y, g


# --- every activation and derivative against PyTorch -----------------------------------------


def _torch_softplus(t, beta):
    # torch's F.softplus switches to x above a threshold (an approximation); logaddexp is exact.
    return torch.logaddexp(torch.zeros_like(t), beta * t) / beta


# name -> (ours, ours', PyTorch's function of (tensor, parameter), parameter strategy, rtol of the derivative)
TORCH_REFERENCES = {
    "identity": (A.identity, A.identity_grad, lambda t, p: t, None, 1e-12),
    "sigmoid": (A.sigmoid, A.sigmoid_grad, lambda t, p: torch.sigmoid(t), None, 1e-12),
    "tanh": (A.tanh, A.tanh_grad, lambda t, p: torch.tanh(t), None, 1e-12),
    "relu": (A.relu, A.relu_grad, lambda t, p: torch.relu(t), None, 1e-12),
    "leaky_relu": (A.leaky_relu, A.leaky_relu_grad, lambda t, p: F.leaky_relu(t, p), alphas, 1e-12),
    "softplus": (A.softplus, A.softplus_grad, _torch_softplus, betas, 1e-12),
    "swish": (A.swish, A.swish_grad, lambda t, p: t * torch.sigmoid(p * t), betas, 1e-11),
    "silu": (A.silu, A.silu_grad, lambda t, p: F.silu(t), None, 1e-11),
    "elu": (A.elu, A.elu_grad, lambda t, p: F.elu(t, p), st.floats(0.1, 3.0), 1e-12),
    "selu": (A.selu, A.selu_grad, lambda t, p: F.selu(t), None, 1e-12),
    "gelu": (A.gelu, A.gelu_grad, lambda t, p: F.gelu(t), None, 1e-10),
}


@pytest.mark.parametrize("name", sorted(TORCH_REFERENCES))
@settings(deadline=None)  # the first call of some references imports scipy or compiles
@given(data=st.data())
def test_activation_and_derivative_match_torch(name, data):
    f, df, ref, params, rtol = TORCH_REFERENCES[name]
    x = data.draw(wide)
    p = data.draw(params) if params is not None else None
    args = () if p is None else (p,)
    y, g = strict_eval(lambda v: f(v, *args), lambda v: df(v, *args), x)
    ty, tg = torch_fn_and_grad(lambda t: ref(t, p), x)
    close(y, ty)
    np.testing.assert_allclose(g, tg, rtol=rtol, atol=1e-14)


def test_every_registered_activation_has_a_torch_reference():
    assert set(A.ACTIVATIONS) - {"step"} <= set(TORCH_REFERENCES)


@given(wide, betas)
def test_softplus_agrees_with_torchs_thresholded_softplus(x, beta):
    np.testing.assert_allclose(
        A.softplus(x, beta), F.softplus(torch.tensor(x), beta=beta).numpy(), rtol=1e-8, atol=1e-7
    )


@given(wide)
def test_silu_is_swish_with_beta_one(x):
    close(A.silu(x), A.swish(x, 1.0))


@pytest.mark.parametrize("name", [a.name for a in A.ACTIVATIONS.values() if a.torch_module])
def test_registry_torch_module_computes_the_same_function(name):
    act = A.get(name)
    x = np.linspace(-6, 6, 97)
    ours = act(x)
    theirs = getattr(torch.nn, act.torch_module)()(torch.tensor(x)).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-7, atol=1e-7)  # softplus: torch's threshold


@given(wide)
def test_step_matches_torch_heaviside(x):
    y, g = strict_eval(A.step, A.step_grad, x)
    close(y, torch.heaviside(torch.tensor(x), torch.tensor(1.0, dtype=torch.float64)).numpy())
    assert np.all(g == 0)


@given(wide, temperatures)
def test_softmax_matches_torch(z, T):
    with strict():
        s = A.softmax(z, axis=-1, temperature=T)
    assert np.all(np.isfinite(s))
    close(s, torch.softmax(torch.tensor(z) / T, dim=-1).numpy())
    np.testing.assert_allclose(s.sum(axis=-1), 1.0, rtol=0, atol=1e-12)
    close(A.softmax(z, axis=0, temperature=T), torch.softmax(torch.tensor(z) / T, dim=0).numpy())


@given(arrays(np.float64, (5,), elements=st.floats(-1e3, 1e3)), temperatures)
def test_softmax_jacobian_matches_torch(z, T):
    with strict():
        J = A.softmax_jacobian(z, temperature=T)
    tJ = torch.autograd.functional.jacobian(lambda t: torch.softmax(t / T, dim=-1), torch.tensor(z))
    np.testing.assert_allclose(J, tJ.numpy(), rtol=1e-10, atol=1e-14)


@given(wide, arrays(np.float64, (7,), elements=st.floats(-3, 3)), temperatures)
def test_softmax_backward_matches_torch(z, g, T):
    g = np.broadcast_to(g[: z.shape[1]], z.shape).copy()
    t = torch.tensor(z, requires_grad=True)
    (torch.softmax(t / T, dim=-1) * torch.tensor(g)).sum().backward()
    with strict():
        ours = A.softmax_backward(z, g, temperature=T)
    np.testing.assert_allclose(ours, t.grad.numpy(), rtol=1e-9, atol=1e-13)


@pytest.mark.parametrize("name", sorted(A.ACTIVATIONS))
def test_extreme_inputs_give_no_warning_and_no_nan(name):
    act = A.get(name)
    with strict():
        y, g = act(EXTREME), act.derivative_at(EXTREME)
    assert np.all(np.isfinite(y)) and np.all(np.isfinite(g))
    lo, hi = act.bounds
    assert np.all(y >= lo - 1e-12) and np.all(y <= hi)


def test_softmax_extreme_scores_and_naive_failure():
    z = np.array([1e3, 999.0, -1e3])
    with strict():
        s = A.softmax(z)
    np.testing.assert_allclose(s, [1 / (1 + np.exp(-1)), np.exp(-1) / (1 + np.exp(-1)), 0.0], rtol=1e-14)
    with np.errstate(all="ignore"):
        naive = np.exp(z) / np.exp(z).sum()
    assert np.isnan(naive).any()  # what the shift avoids


# --- derivatives against central differences ------------------------------------------------


@settings(max_examples=60)
@given(moderate, betas, alphas)
def test_derivatives_match_central_differences(x, beta, alpha):
    x = x[np.abs(x) > 1e-3]  # away from the kinks of relu / leaky relu / step
    h = 1e-6
    for f, df in [
        (A.sigmoid, A.sigmoid_grad),
        (A.tanh, A.tanh_grad),
        (A.relu, A.relu_grad),
        (lambda v: A.leaky_relu(v, alpha), lambda v: A.leaky_relu_grad(v, alpha)),
        (lambda v: A.softplus(v, beta), lambda v: A.softplus_grad(v, beta)),
        (lambda v: A.swish(v, beta), lambda v: A.swish_grad(v, beta)),
        (A.step, A.step_grad),
    ]:
        numeric = (f(x + h) - f(x - h)) / (2 * h)
        np.testing.assert_allclose(df(x), numeric, rtol=1e-6, atol=1e-7)


# --- the four identities of the chapter ---------------------------------------------------------


@given(arrays(np.float64, (4, 5), elements=st.floats(-12, 12)))  # beyond, 1 - s is below the difference's resolution
def test_sigmoid_satisfies_its_differential_equation(x):
    # s' = s (1 - s) characterises the logistic function; check it against central differences of
    # sigmoid itself, not against the formula sigmoid_grad is written with.
    h = 1e-6
    s = A.sigmoid(x)
    numeric = (A.sigmoid(x + h) - A.sigmoid(x - h)) / (2 * h)
    np.testing.assert_allclose(numeric, s * (1 - s), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(A.sigmoid_grad(x), numeric, rtol=1e-6, atol=1e-9)


@given(wide)
def test_tanh_is_a_scaled_shifted_sigmoid(x):
    np.testing.assert_allclose(A.tanh(x), 2 * A.sigmoid(2 * x) - 1, rtol=0, atol=1e-15)


@given(wide)
def test_softplus_derivative_is_sigmoid(x):
    close(A.softplus_grad(x), A.sigmoid(x))


@given(wide, st.floats(-1e3, 1e3))
def test_softmax_is_shift_invariant(z, c):
    np.testing.assert_allclose(A.softmax(z + c), A.softmax(z), rtol=1e-9, atol=1e-15)


def test_swish_limits():
    x = np.linspace(-5, 5, 101)
    close(A.swish(x, 0.0), x / 2)
    np.testing.assert_allclose(A.swish(x, 200.0), A.relu(x), atol=1e-3)


# --- bad input ----------------------------------------------------------------------------------


def test_bad_inputs_raise_helpful_errors():
    with pytest.raises(TypeError, match="real number"):
        A.sigmoid("1.0")
    with pytest.raises(TypeError, match="real number"):
        A.relu(np.array([1 + 2j]))
    with pytest.raises(ValueError, match="alpha must be a finite number >= 0"):
        A.leaky_relu(1.0, -0.1)
    with pytest.raises(TypeError, match="alpha must be a real number"):
        A.leaky_relu(1.0, "0.1")
    with pytest.raises(ValueError, match="beta must be a finite number > 0"):
        A.softplus(1.0, 0.0)
    with pytest.raises(ValueError, match="temperature must be a finite number > 0"):
        A.softmax([1.0, 2.0], temperature=0)
    with pytest.raises(ValueError, match="at least one axis"):
        A.softmax(3.0)
    with pytest.raises(ValueError, match="grad_out must have the shape"):
        A.softmax_backward([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="unknown activation 'mish'"):
        A.get("mish")


def test_integer_input_becomes_float_and_float32_is_kept():
    assert A.relu(np.array([1, -2])).dtype == np.float64
    assert A.sigmoid(np.float32([0.0])).dtype == np.float32


def test_summary_table_lists_every_activation():
    table = A.summary_table()
    shown = [name for name, a in A.ACTIVATIONS.items() if a.in_catalogue]
    assert all(f"| {name} |" in table for name in shown) and "| identity |" not in table
    frame = A.summary_frame()
    assert list(frame.index) == shown and "saturates" in frame.columns
    assert set(A.ACTIVATIONS) - set(shown) == {"identity"}
