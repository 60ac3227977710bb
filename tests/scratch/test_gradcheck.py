import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nnbook.scratch.gradcheck import check_params, gradcheck, numerical_grad, relative_error

# no subnormals: at x = 5e-324 torch's prod backward divides a rounded subnormal product by x and
# returns 1.0 where the true derivative (and the central difference) is 0.256
finite = st.floats(-3, 3, allow_nan=False, allow_subnormal=False)


def _f(x):
    return float(np.sum(np.sin(x) * x**2) + np.prod(np.tanh(x)))


def _torch_grad(x):
    t = torch.tensor(x, requires_grad=True)
    (torch.sum(torch.sin(t) * t**2) + torch.prod(torch.tanh(t))).backward()
    return t.grad.numpy()


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, (2, 3), elements=finite))
def test_numerical_grad_matches_torch(x):
    num = numerical_grad(_f, x.copy())
    np.testing.assert_allclose(num, _torch_grad(x), rtol=1e-6, atol=1e-8)


def test_numerical_grad_restores_x():
    x = np.array([0.3, -1.2, 2.0])
    before = x.copy()
    numerical_grad(_f, x)
    np.testing.assert_array_equal(x, before)


def test_gradcheck_accepts_right_and_rejects_wrong():
    x = np.array([0.5, -0.7, 1.1])
    ok, err = gradcheck(_f, _torch_grad(x), x)
    assert ok and err < 1e-7
    ok, err = gradcheck(_f, _torch_grad(x) * 1.01, x)
    assert not ok and err > 1e-3


def test_relative_error_is_scale_free():
    a = np.array([1.0, 2.0])
    assert relative_error(a, a) == 0.0
    assert relative_error(1e6 * a, 1e6 * a * (1 + 1e-3)) == pytest.approx(relative_error(a, a * (1 + 1e-3)))


def test_check_params_on_a_linear_model():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(5, 3)), rng.normal(size=5)
    p = {"w": rng.normal(size=3), "b": np.array([0.2])}

    def loss():
        return float(np.mean((X @ p["w"] + p["b"][0] - y) ** 2))

    r = X @ p["w"] + p["b"][0] - y
    g = {"w": 2 * X.T @ r / 5, "b": np.array([2 * r.mean()])}
    errs = check_params(loss, p, g)
    assert max(errs.values()) < 1e-7


def test_bad_inputs():
    with pytest.raises(TypeError, match="float64"):
        numerical_grad(_f, np.array([1, 2]))
    with pytest.raises(TypeError, match="float64"):
        numerical_grad(_f, [1.0, 2.0])
    with pytest.raises(ValueError, match="positive step"):
        numerical_grad(_f, np.array([1.0]), h=0)
    with pytest.raises(ValueError, match="same shape"):
        relative_error(np.zeros(2), np.zeros(3))
    with pytest.raises(ValueError, match="same names"):
        check_params(lambda: 0.0, {"w": np.zeros(1)}, {"v": np.zeros(1)})


def test_relative_error_of_nothing_is_zero():
    assert relative_error(np.zeros(0), np.zeros(0)) == 0.0


@pytest.mark.parametrize(
    "view",
    [lambda a: a.T, lambda a: a[:, :3], lambda a: np.asfortranarray(a)],
    ids=["transposed", "column slice", "Fortran order"],
)
def test_numerical_grad_on_non_contiguous_arrays(view):
    # reshape(-1) of such an array is a copy: perturbing the copy leaves x alone and the gradient reads 0
    x = view(np.arange(1.0, 13.0).reshape(3, 4))
    assert not x.flags.c_contiguous
    np.testing.assert_allclose(numerical_grad(_f, x), _torch_grad(np.ascontiguousarray(x)), rtol=1e-6, atol=1e-8)


def test_check_layer_on_a_dense_layer_with_a_transposed_weight():
    from nnbook.scratch.gradcheck import check_layer
    from nnbook.scratch.layers import Dense

    rng = np.random.default_rng(0)
    layer = Dense(rng.normal(size=(3, 4)).T, rng.normal(size=4), "tanh")  # W is a non-contiguous view
    assert not layer.W.flags.c_contiguous
    errors = check_layer(layer, rng.normal(size=(5, 3)), rng)
    assert max(errors.values()) < 1e-6, errors


def test_numerical_grad_refuses_a_read_only_array():
    x = np.ones(3)
    x.flags.writeable = False
    with pytest.raises(ValueError, match="writeable"):
        numerical_grad(_f, x)
