"""nnbook.scratch.init: each initialiser's variance, measured on large draws and compared with torch.nn.init."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from nnbook.scratch import init

# Shape with fan_in != fan_out so that a formula using the wrong fan shows; 10^6 weights.
BIG = (800, 1250)
N = BIG[0] * BIG[1]
# The sample variance of N independent weights has relative standard deviation sqrt((kurtosis - 1) / N):
# sqrt(2 / N) = 0.0014 for a Gaussian, sqrt(0.8 / N) = 0.0009 for a uniform. A 1% tolerance is more than
# 7 of those standard deviations (a false alarm has probability < 1e-12), and still far below the
# factor of 2 or more that separates the schemes.
RTOL = 0.01

CASES = [
    ("normal", {"std": 0.05}),
    ("normal", {}),
    ("uniform", {"bound": 0.3}),
    ("xavier_normal", {}),
    ("xavier_normal", {"gain": 5 / 3}),
    ("xavier_uniform", {}),
    ("xavier_uniform", {"gain": 2.0}),
    ("he_normal", {}),
    ("he_normal", {"mode": "fan_out"}),
    ("he_normal", {"activation": "tanh"}),
    ("he_uniform", {}),
    ("he_uniform", {"mode": "fan_out", "activation": "leaky_relu"}),
    ("orthogonal", {}),
    ("orthogonal", {"gain": 1.5}),
]


@pytest.mark.parametrize("name,options", CASES)
def test_empirical_variance_matches_target(name, options):
    W = init.initialise(name, BIG, np.random.default_rng(1), **options)
    assert W.shape == BIG and W.dtype == np.float64
    target = init.target_variance(name, BIG, **options)
    np.testing.assert_allclose(W.var(), target, rtol=RTOL)
    # the mean is zero: allow 5 standard errors of the mean
    assert abs(W.mean()) < 5 * math.sqrt(target / N)


def test_target_variances_by_formula():
    fan_in, fan_out = 1250, 800
    assert init.target_variance("xavier_normal", BIG) == pytest.approx(2 / (fan_in + fan_out), rel=1e-15)
    assert init.target_variance("he_normal", BIG) == pytest.approx(2 / fan_in, rel=1e-15)
    assert init.target_variance("he_uniform", BIG, mode="fan_out") == pytest.approx(2 / fan_out, rel=1e-15)
    assert init.target_variance("uniform", BIG, bound=0.3) == pytest.approx(0.03, rel=1e-15)
    assert init.target_variance("orthogonal", BIG) == pytest.approx(1 / 1250, rel=1e-15)
    assert init.target_variance("constant", BIG) == 0.0


@pytest.mark.parametrize(
    "name,bound", [("uniform", 0.3), ("xavier_uniform", math.sqrt(6 / 2050)), ("he_uniform", math.sqrt(6 / 1250))]
)
def test_uniform_initialisers_fill_their_interval(name, bound):
    opts = {"bound": 0.3} if name == "uniform" else {}
    W = init.initialise(name, BIG, np.random.default_rng(2), **opts)
    assert np.abs(W).max() <= bound
    assert np.abs(W).max() > 0.999 * bound  # with 10^6 draws the edge is reached to within 1e-3


def test_constant_is_constant():
    W = init.constant((3, 4), value=0.5)
    assert W.shape == (3, 4) and np.all(W == 0.5)
    assert np.all(init.constant((2, 2), np.random.default_rng(0)) == 0)


@settings(max_examples=60, deadline=None)
@given(rows=st.integers(1, 60), cols=st.integers(1, 60), gain=st.floats(0.1, 3.0), seed=st.integers(0, 2**32 - 1))
def test_orthogonal_has_orthonormal_columns_or_rows(rows, cols, gain, seed):
    W = init.orthogonal((rows, cols), np.random.default_rng(seed), gain=gain)
    assert W.shape == (rows, cols)
    if rows >= cols:  # tall or square: orthonormal columns, W^T W = gain^2 I
        np.testing.assert_allclose(W.T @ W, gain**2 * np.eye(cols), atol=1e-12 * gain**2 * rows)
    else:  # wide: orthonormal rows
        np.testing.assert_allclose(W @ W.T, gain**2 * np.eye(rows), atol=1e-12 * gain**2 * cols)
    # hence the mean square is exactly gain^2 / max(rows, cols)
    np.testing.assert_allclose(np.mean(W**2), init.target_variance("orthogonal", (rows, cols), gain=gain), rtol=1e-12)


def test_orthogonal_of_a_conv_weight_is_orthogonal_when_flattened():
    W = init.orthogonal((8, 3, 3, 3), np.random.default_rng(0))
    M = W.reshape(8, 27)
    np.testing.assert_allclose(M @ M.T, np.eye(8), atol=1e-12)


def test_orthogonal_is_not_biased_by_qr_signs():
    # Haar-distributed: the top-left entry has mean 0; an unsigned QR makes it mostly one sign.
    rng = np.random.default_rng(3)
    first = np.array([init.orthogonal((20, 20), rng)[0, 0] for _ in range(2000)])
    assert abs(np.mean(np.sign(first))) < 0.1


# ---- agreement with torch.nn.init: same fans, same variance (not the same random numbers) ----

TORCH = {
    "normal": lambda t, o: torch.nn.init.normal_(t, 0.0, o.get("std", 0.01)),
    "uniform": lambda t, o: torch.nn.init.uniform_(t, -o.get("bound", 0.05), o.get("bound", 0.05)),
    "xavier_normal": lambda t, o: torch.nn.init.xavier_normal_(t, gain=o.get("gain", 1.0)),
    "xavier_uniform": lambda t, o: torch.nn.init.xavier_uniform_(t, gain=o.get("gain", 1.0)),
    "he_normal": lambda t, o: torch.nn.init.kaiming_normal_(
        t, mode=o.get("mode", "fan_in"), nonlinearity=o.get("activation", "relu")
    ),
    "he_uniform": lambda t, o: torch.nn.init.kaiming_uniform_(
        t, mode=o.get("mode", "fan_in"), nonlinearity=o.get("activation", "relu")
    ),
    "orthogonal": lambda t, o: torch.nn.init.orthogonal_(t, gain=o.get("gain", 1.0)),
}

SHAPES = [(16, 784), (10, 16), (300, 200), (7, 5, 3, 3)]


def _torch_variance(name, shape, options, n_min=200_000):
    """Variance of torch's initialiser for a weight of ``shape``, pooled over enough draws."""
    torch.manual_seed(0)
    size = math.prod(shape)
    draws = [TORCH[name](torch.empty(shape, dtype=torch.float64), options).flatten() for _ in range(-(-n_min // size))]
    return torch.cat(draws).var(unbiased=False).item(), len(draws) * size


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name,options", [c for c in CASES if c[0] != "orthogonal"])
def test_variance_equals_torch(name, options, shape):
    torch_var, n = _torch_variance(name, shape, options)
    ours = init.target_variance(name, shape, **options)
    # pooled over n >= 2e5 draws: relative standard error <= sqrt(2 / 2e5) = 0.0032; 2% is > 6 of them
    np.testing.assert_allclose(torch_var, ours, rtol=0.02)
    ours_emp = np.concatenate(
        [
            init.initialise(name, shape, np.random.default_rng(i), **options).ravel()
            for i in range(-(-n // math.prod(shape)))
        ]
    )
    np.testing.assert_allclose(ours_emp.var(), ours, rtol=0.02)


@pytest.mark.parametrize("shape", [(16, 784), (10, 16), (300, 200), (7, 5, 3, 3)])
@pytest.mark.parametrize("g", [1.0, 1.5])
def test_orthogonal_mean_square_equals_torch(shape, g):
    t = torch.nn.init.orthogonal_(torch.empty(shape, dtype=torch.float64), gain=g)
    ours = init.orthogonal(shape, np.random.default_rng(0), gain=g)
    np.testing.assert_allclose((t**2).mean().item(), np.mean(ours**2), rtol=1e-12)


@pytest.mark.parametrize("shape", SHAPES)
def test_fans_equal_torch(shape):
    assert init.fans(shape) == torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))


@pytest.mark.parametrize("act", ["linear", "sigmoid", "tanh", "relu", "leaky_relu"])
def test_gain_equals_torch(act):
    param = 0.01 if act == "leaky_relu" else None
    assert init.gain(act) == pytest.approx(torch.nn.init.calculate_gain(act, param), rel=1e-15)


def test_same_seed_same_weights():
    for name in init.INITIALISERS:
        a = init.initialise(name, (5, 4), np.random.default_rng(7))
        b = init.initialise(name, (5, 4), np.random.default_rng(7))
        np.testing.assert_array_equal(a, b)


# ---- bad input ----


def test_bad_input_is_explained():
    rng = np.random.default_rng(0)
    with pytest.raises(TypeError, match="numpy.random.Generator"):
        init.xavier_normal((3, 3), 0)
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        init.xavier_normal((3,), rng)
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        init.fans(5)
    with pytest.raises(ValueError, match="positive"):
        init.normal((3, 0), rng)
    with pytest.raises(TypeError, match="tuple of positive integers"):
        init.normal((3, 2.5), rng)
    with pytest.raises(TypeError, match="tuple of positive integers"):
        init.normal("ab", rng)
    with pytest.raises(ValueError, match="std must be a positive"):
        init.normal((3, 3), rng, std=-1.0)
    with pytest.raises(ValueError, match="mode must be 'fan_in'"):
        init.he_normal((3, 3), rng, mode="fan")
    with pytest.raises(ValueError, match="unknown activation"):
        init.he_uniform((3, 3), rng, activation="swish")
    with pytest.raises(ValueError, match="unknown initialiser"):
        init.initialise("lecun", (3, 3), rng)
    with pytest.raises(ValueError, match="unknown initialiser"):
        init.target_variance("lecun", (3, 3))
    with pytest.raises(ValueError, match="gain must be a positive"):
        init.orthogonal((3, 3), rng, gain=0.0)
