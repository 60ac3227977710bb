"""The scalar autograd engine against PyTorch (float64) on random expression trees."""

import math

import matplotlib.pyplot as plt
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from nnbook.demos.backprop import draw_graph, neuron_graph
from nnbook.scratch.autograd import Value, count_ops

N_VARS = 3
UNARY = ["tanh", "sigmoid", "relu", "exp_tanh", "log1p_sq", "square", "neg", "sqrt1p_sq", "rdiv_const"]
BINARY = ["+", "-", "*", "safe_div", "rsub_const", "rmul_const"]

# An expression is a nested tuple; leaves are ("var", i) or ("const", c). Using few variables
# in deep trees makes nodes used several times (shared subexpressions through the variables).
leaf = st.one_of(
    st.tuples(st.just("var"), st.integers(0, N_VARS - 1)),
    st.tuples(st.just("const"), st.floats(-2, 2, allow_nan=False)),
)
expr = st.recursive(
    leaf,
    lambda sub: st.one_of(
        st.tuples(st.sampled_from(UNARY), sub),
        st.tuples(st.sampled_from(BINARY), sub, sub),
    ),
    max_leaves=12,
)
xs = st.lists(st.floats(-2, 2, allow_nan=False), min_size=N_VARS, max_size=N_VARS)


def evaluate(e, vars_, lib):
    """Evaluate the tree with Values (lib='value') or torch tensors (lib='torch')."""
    kind = e[0]
    if kind == "var":
        return vars_[e[1]]
    if kind == "const":
        return e[1]
    args = [evaluate(a, vars_, lib) for a in e[1:]]
    a = args[0]
    if not isinstance(a, (Value, torch.Tensor)):  # a constant subtree: keep it a plain number
        a = Value(a) if lib == "value" else torch.tensor(a, dtype=torch.float64)
    if kind == "tanh":
        return a.tanh() if lib == "value" else torch.tanh(a)
    if kind == "sigmoid":
        return a.sigmoid() if lib == "value" else torch.sigmoid(a)
    if kind == "relu":
        return a.relu() if lib == "value" else torch.relu(a)
    if kind == "exp_tanh":
        return a.tanh().exp() if lib == "value" else torch.exp(torch.tanh(a))
    if kind == "log1p_sq":
        return (1 + a * a).log() if lib == "value" else torch.log(1 + a * a)
    if kind == "square":
        return a**2
    if kind == "sqrt1p_sq":
        return (1 + a * a) ** 0.5
    if kind == "rdiv_const":
        return 2.0 / (1 + a * a)
    if kind == "neg":
        return -a
    b = args[1]
    if kind == "+":
        return a + b
    if kind == "-":
        return a - b
    if kind == "*":
        return a * b
    if kind == "safe_div":
        return a / (1 + b * b)
    if kind == "rsub_const":
        return 1.5 - a
    if kind == "rmul_const":
        return 0.5 * a
    raise AssertionError(kind)


def _both(e, x):
    vs = [Value(v, label=f"x{i}") for i, v in enumerate(x)]
    ts = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in x]
    out_v = evaluate(e, vs, "value")
    out_t = evaluate(e, ts, "torch")
    if not isinstance(out_v, Value):
        out_v = Value(out_v)
    if not isinstance(out_t, torch.Tensor):
        out_t = torch.tensor(out_t, dtype=torch.float64, requires_grad=True)
    return vs, ts, out_v, out_t


def _grads(ts):
    return [0.0 if t.grad is None else t.grad.item() for t in ts]


def _close(a, b):
    return math.isclose(a, b, rel_tol=1e-10, abs_tol=1e-10)


@settings(max_examples=300, deadline=None)
@given(expr, xs)
def test_values_and_grads_match_torch(e, x):
    vs, ts, out_v, out_t = _both(e, x)
    assert _close(out_v.data, out_t.item())
    out_v.backward()
    if out_t.requires_grad:
        out_t.backward()
    for v, g in zip(vs, _grads(ts)):
        assert _close(v.grad, g), (e, x, [v.grad for v in vs], _grads(ts))


@settings(max_examples=100, deadline=None)
@given(expr, xs, st.integers(2, 4))
def test_backward_k_times_accumulates_like_torch(e, x, k):
    vs, ts, out_v, out_t = _both(e, x)
    for _ in range(k):
        out_v.backward()
        if out_t.requires_grad:
            out_t.backward(retain_graph=True)
    for v, g in zip(vs, _grads(ts)):
        assert _close(v.grad, g)
    assert out_v.grad == k  # d out / d out, added k times


def test_micrograd_double_backward_case():
    """y = (x * 3) * 2: after two calls x.grad must be 2 * 6 = 12 (micrograd gives 18)."""
    x = Value(1.0)
    y = (x * 3) * 2
    y.backward()
    y.backward()
    assert x.grad == 12.0
    y.zero_grad()
    y.backward()
    assert x.grad == 6.0


def test_node_used_several_times():
    x = Value(3.0)
    y = x * x + x  # dy/dx = 2x + 1
    y.backward()
    assert x.grad == 7.0
    a = Value(2.0)
    b = a + a
    c = b * b  # c = 4 a^2, dc/da = 8 a
    c.backward()
    assert a.grad == 16.0


def test_deep_chain_has_no_recursion_limit():
    x = Value(0.5)
    y = x
    for _ in range(5000):
        y = y * 1.0
    y.backward()
    assert x.grad == 1.0


def test_count_ops_and_drawing():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b + a
    c.label = "c"
    assert count_ops(c) == {"leaf": 2, "*": 1, "+": 1}
    c.backward()
    fig = draw_graph(c)
    texts = " ".join(t.get_text() for t in fig.axes[0].texts)
    assert "grad -2" in texts and "c" in texts and "×" in texts
    plt.close(fig)


def test_bad_inputs():
    with pytest.raises(TypeError, match="real number"):
        Value("1.0")
    with pytest.raises(TypeError, match="real number"):
        Value(True)
    with pytest.raises(TypeError, match="cannot combine"):
        Value(1.0) + "a"
    with pytest.raises(TypeError, match="constant number"):
        Value(2.0) ** Value(2.0)
    with pytest.raises(ValueError, match="positive input"):
        Value(-1.0).log()
    with pytest.raises(ValueError, match="integer exponent"):
        Value(-1.0) ** 0.5
    with pytest.raises(ZeroDivisionError, match="equal to 0"):
        Value(1.0) / 0
    with pytest.raises(TypeError, match="must be a Value"):
        draw_graph(3.0)


def test_neuron_graph_states_the_gradient():
    fig = neuron_graph(w=0.5, b=0.0, x=2.0, t=0.0)
    s = 1 / (1 + math.exp(-1.0))
    dz = s * s * (1 - s)
    assert f"{2 * dz:.4f}" in fig.axes[0].get_title()
    plt.close(fig)
