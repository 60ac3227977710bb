"""The in-notebook helpers: check, public_test, assert_close, hidden_test; plain data and compare."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnbook.grading import assert_close, check, checks, hidden_test, public_test
from nnbook.grading.compare import compare
from nnbook.grading.plain import NotPlainData, decode, encode


@pytest.fixture(autouse=True)
def clean_registry():
    checks._PUBLIC.clear()
    checks._HIDDEN.clear()
    yield
    checks._PUBLIC.clear()
    checks._HIDDEN.clear()


def double(x):
    return 2 * x


def stub(x):
    raise NotImplementedError("q1: write your solution here")


def test_check_reports_pass_fail_hint_and_not_attempted(capsys):
    @public_test("q1", hint="multiply by two")
    def _():
        assert_close(double(np.array([1.0, 2.0])), [2.0, 4.0], "double of [1, 2]")

    @public_test("q1", hint="multiply by two")
    def _():
        assert_close(double(3.0), 7.0, "double of 3")

    @public_test("q2")
    def _():
        assert_close(stub(1), 2, "stub")

    answer = ...

    @public_test("q3")
    def _():
        assert_close(answer, 0.25, "answer")

    @public_test("q4")
    def _():
        raise ZeroDivisionError("boom")

    for q in ("q1", "q2", "q3", "q4", "q9"):
        assert check(q) is None
    out = capsys.readouterr().out
    assert "q1: 1 of 2 public test(s) passed" in out
    assert "expected 7.0, got 6.0" in out and "hint: multiply by two" in out
    assert out.count("not attempted yet") == 2
    assert "ZeroDivisionError: boom" in out
    assert "q9: no public tests" in out


def test_rerunning_a_test_cell_does_not_duplicate():
    for _ in range(3):

        @public_test("q1")
        def t():
            pass

    assert len(checks._PUBLIC["q1"]) == 1


def test_check_never_raises_even_on_system_exit(capsys):
    @public_test("q1")
    def _():
        raise SystemExit(3)

    check("q1")
    assert "error" in capsys.readouterr().out


def test_hidden_test_checks_the_reference():
    hidden_test("q1", points=2, call="double", inputs=[(1.0,), (np.arange(3.0),)], expected=[2.0, [0.0, 2.0, 4.0]])
    with pytest.raises(AssertionError, match="case 0"):
        hidden_test("q1", points=2, call="double", inputs=[(1.0,)], expected=[3.0])
    with pytest.raises(ValueError, match="exactly one"):
        hidden_test("q1", points=1)
    with pytest.raises(NameError):
        hidden_test("q1", points=1, value="no_such_variable")
    with pytest.raises(ValueError, match="plain data"):
        hidden_test("q1", points=1, call="double", inputs=[(object(),)])
    assert [h.qid for h in checks._HIDDEN] == ["q1"]
    for _ in range(2):  # the same line run twice: one test; another line for the same function: two
        hidden_test("q1", points=1, call="double", inputs=[(2.0,)])
    hidden_test("q1", points=1, call="double", inputs=[(3.0,)])
    assert [len(h.inputs) for h in checks._HIDDEN] == [2, 1, 1]
    assert [h.inputs[0][0] for h in checks._HIDDEN] == [1.0, 2.0, 3.0]


def test_typical_mistake_is_compiled_and_its_flag_checked():
    checks.typical_mistake("q1", "doubled in place", "def double(x):\n    x *= 2\n    return x", public_only=True)
    assert [(m.qid, m.public_only) for m in checks._MISTAKES if m.name == "doubled in place"] == [("q1", True)]
    with pytest.raises(ValueError, match="public_only"):
        checks.typical_mistake("q1", "a flag that is not a bool", "def double(x):\n    return x", public_only="yes")
    with pytest.raises(SyntaxError):
        checks.typical_mistake("q1", "not Python", "def double(x) return x")


def halve_in_place(x):
    x /= 2
    return x


def test_hidden_test_of_the_arguments_after_the_call():
    """arguments=True: the reference's arguments after the call, checked against expected (they
    are the arguments, or argument ``part``), from a copy: the inputs stay as declared."""
    x = np.array([2.0, 4.0])
    hidden_test("q1", points=1, call="double", inputs=[(x,)], arguments=True, expected=[[[2.0, 4.0]]])
    hidden_test("q1", points=1, call="halve_in_place", inputs=[(x,)], arguments=True, part=0, expected=[[1.0, 2.0]])
    assert list(x) == [2.0, 4.0] and [h.kind for h in checks._HIDDEN] == ["arguments", "arguments"]
    with pytest.raises(AssertionError, match="case 0"):  # a reference that changes its argument
        hidden_test("q1", points=1, call="halve_in_place", inputs=[(x,)], arguments=True, part=0, expected=[[2.0, 4.0]])
    with pytest.raises(ValueError, match="needs call="):
        hidden_test("q1", points=1, value="x", arguments=True)
    with pytest.raises(ValueError, match="has no argument 1"):
        hidden_test("q1", points=1, call="double", inputs=[(x,)], arguments=True, part=1)


def test_an_arguments_case_needs_the_right_arguments_and_the_right_result():
    from nnbook.grading.scoring import case_failure
    from nnbook.grading.spec import Spec

    spec = Spec("q1", 1.0, "f", inputs=[[[1.0, 2.0]]], arguments=True, part=0, label="x after the call")
    ref = [[0.5, 1.0], [[1.0, 2.0]]]  # (result, arguments after the call)
    assert spec.kind == "arguments" and spec.title == "f -> x after the call"
    assert case_failure(spec, [[0.5, 1.0], [[1.0, 2.0]]], ref) is None
    assert case_failure(spec, [[0.5, 1.0], [[0.5, 1.0]]], ref).startswith("after the call: wrong value in item 0")
    assert "counts only when the call's result is right" in case_failure(spec, [None, [[1.0, 2.0]]], ref)
    assert Spec("q1", 1.0, "f", arguments=True).title == "f -> its arguments after the call"
    old = {k: v for k, v in spec.to_dict().items() if k != "arguments"}
    assert Spec.from_dict(old).kind == "call"  # a description without the newer field still reads


class AlwaysEqual:
    def __eq__(self, other):
        return True


class FloatLiar(float):
    def __eq__(self, other):
        return True


@pytest.mark.parametrize(
    "value",
    [
        AlwaysEqual(),
        FloatLiar(1.0),
        np.array([AlwaysEqual()], dtype=object),
        {1: 2},
        lambda: 1,
        np.array(["a"]),
        np.ma.masked_array([1.0]),
    ],
)
def test_encode_rejects_non_plain_data(value):
    with pytest.raises(NotPlainData):
        encode(value)


def test_plain_roundtrip():
    value = [1, 2.5, float("nan"), "s", None, True, {"a": np.arange(6).reshape(2, 3)}, (np.float32(1.5), np.int64(3))]
    back = decode(encode(value))
    assert compare(back, value) is None
    assert back[6]["a"].shape == (2, 3)
    with pytest.raises((NotPlainData, ValueError)):
        decode('{"__pickle__": "x"}')
    with pytest.raises((NotPlainData, ValueError)):
        decode("NaN")


def test_compare_messages():
    assert compare([1.0, 2.0], np.array([1.0, 2.0])) is None
    assert "shape" in compare(np.zeros(3), np.zeros((3, 1)))
    assert "expected a number" in compare("1", 1.0)
    assert compare(True, 1.0) is not None
    assert compare((np.zeros(2), 1.0), [np.zeros(2), 1.0]) is None
    assert compare(1.0 + 1e-9, 1.0) is None and compare(1.001, 1.0) is not None


def test_torch_tensors_travel_as_arrays():
    torch = pytest.importorskip("torch")
    back = decode(encode({"w": torch.nn.Parameter(torch.ones(2)), "y": torch.arange(3.0, requires_grad=True) * 2}))
    assert type(back["w"]) is np.ndarray and compare(back["y"], [0.0, 2.0, 4.0]) is None


def test_decode_rejects_hostile_json():
    from nnbook.grading.plain import decode_reply

    for text in (
        "[" * 100000 + "]" * 100000,
        '{"value": {"__ndarray__": "bm90IGFuIGFycmF5"}}',
        '{"value": 1, "x": 2}',
        '{"error": 3, "kind": "error"}',
        '{"error": "e", "kind": "passed"}',
        '{"value": NaN}',
    ):
        with pytest.raises((NotPlainData, ValueError, RecursionError)):
            decode_reply(text)


@settings(deadline=None, max_examples=50)
@given(
    qid=st.sampled_from(["q1", "q12"]),
    points=st.floats(0.25, 10),
    call=st.booleans(),
    inputs=st.lists(st.tuples(st.integers(-5, 5), st.floats(-1, 1)), min_size=1, max_size=3),
    part=st.none() | st.integers(0, 3),
    label=st.text(max_size=8),
    public=st.lists(st.text(max_size=10), max_size=2),
    arguments=st.booleans(),
)
def test_a_spec_round_trips_through_a_dict_of_plain_data(qid, points, call, inputs, part, label, public, arguments):
    """The one hidden-test description crosses from the master's kernel to the grader as plain data."""
    from nnbook.grading.spec import Spec

    spec = Spec(
        qid,
        points,
        "f" if call else None,
        None if call else "v",
        inputs if call else [],
        rtol=1e-5,
        public=public,
        part=part if call else None,
        label=label,
        arguments=arguments and call,
    )
    back = Spec.from_dict(decode(encode(spec.to_dict())))
    assert back.to_dict() == spec.to_dict() and back.cases == [list(a) for a in spec.cases]
    with pytest.raises(ValueError, match="without \\['qid'\\]"):
        Spec.from_dict({k: v for k, v in spec.to_dict().items() if k != "qid"})
