"""nnbook.grading.compare: what counts as equal, what the messages say, and the diagnosis that
quotes no value (the target of the mutation run in docs/mutation_grading.md)."""

import numpy as np
import pytest

from nnbook.grading.compare import ATOL, RTOL, coarse, compare, diagnose, short


@pytest.mark.parametrize(
    "got, expected",
    [
        (1.0, 1.0),
        (1, 1.0),
        (np.float32(0.5), 0.5),
        (np.array(2.0), 2.0),
        (float("nan"), float("nan")),
        (1.0 + 1e-9, 1.0),
        ([1, 2], [1.0, 2.0]),
        ((1, 2), [1, 2]),
        (np.array([1.0, 2.0]), [1.0, 2.0]),
        ([1.0, 2.0], np.array([1.0, 2.0])),
        (True, True),
        (np.bool_(True), True),
        (np.array(True), True),
        (True, np.array(True)),
        ([True, False], np.array([True, False])),
        (np.array([True, False]), [True, False]),
        (None, None),
        ("a", "a"),
        ({"a": 1.0}, {"a": 1}),
        ([[1.0], [2.0]], [[1.0], [2.0]]),
        (np.array([np.nan, 1.0]), np.array([np.nan, 1.0])),
        (np.array(["a"]), np.array(["a"])),
    ],
)
def test_equal(got, expected):
    assert compare(got, expected) is None


@pytest.mark.parametrize(
    "got, expected, words",
    [
        (1.1, 1.0, "expected 1.0, got 1.1"),
        ("1", 1.0, "expected a number"),
        (True, 1.0, "expected a number"),
        (1, True, "expected True"),
        (np.array([1.0]), True, "expected True"),
        ([1.0, 2.0], [1.0], "expected 1 items"),
        ([1.0, 3.0], [1.0, 2.0], "at [1]"),
        (3.0, [1.0], "expected a sequence of length 1"),
        (np.zeros(3), np.zeros(2), "expected shape (2,)"),
        ("x", np.zeros(2), "expected an array of shape (2,)"),
        (
            np.array([1.0, 5.0]),
            np.array([1.0, 2.0]),
            "1 of 2 entries differ; first at index (1,): expected 2.0, got 5.0",
        ),
        (np.array([True, True]), np.array([True, False]), "1 of 2 entries differ"),
        ({"a": 1.0}, {"b": 1.0}, "keys ['b']"),
        ({"a": 2.0}, {"a": 1.0}, "at ['a']"),
        ("b", "a", "expected 'a'"),
        (0, None, "expected None"),
        (np.array(["b"]), np.array(["a"]), "expected array"),
    ],
)
def test_different_and_the_message_says_how(got, expected, words):
    msg = compare(got, expected)
    assert msg is not None and words in msg, msg


def test_tolerances():
    assert compare(1.0 + 2 * RTOL, 1.0) is not None
    assert compare(1.0 + 0.5 * RTOL, 1.0) is None
    assert compare(0.5 * ATOL, 0.0) is None and compare(3 * ATOL, 0.0) is not None
    assert compare(1.05, 1.0, rtol=0.1) is None and compare(1.2, 1.0, rtol=0.1) is not None
    assert compare([1.05], np.array([1.0]), rtol=0.1) is None
    assert compare(np.array([1.2]), np.array([1.0]), rtol=0.1) is not None
    assert compare(0.05, 0.0, atol=0.1) is None and compare(np.array([0.2]), np.zeros(1), atol=0.1) is not None
    assert compare({"a": [1.05]}, {"a": [1.0]}, rtol=0.1) is None


def test_cannot_compare_with_odd_types():
    with pytest.raises(TypeError, match="cannot compare"):
        compare(1, object())


@pytest.mark.parametrize(
    "got, expected, says",
    [
        (-np.array([1.0, 2.0]), np.array([1.0, 2.0]), "sign flipped"),
        (2 * np.array([1.0, -2.0]), np.array([1.0, -2.0]), "off by a constant factor of 2"),
        (0.5 * np.array([[1.0, 2.0]]), np.array([[1.0, 2.0]]), "off by a constant factor of 0.5"),
        (np.arange(6.0).reshape(3, 2), np.arange(6.0).reshape(3, 2).T, "looks transposed"),
        (np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[1.0, 3.0], [2.0, 4.0]]), "looks transposed"),
        (-3.0, 3.0, "sign flipped"),
        (6.0, 3.0, "off by a constant factor of 2"),
        (8, 7, ""),  # two integers (an output size): a ratio of 8/7 says nothing
        (-7, 7, "sign flipped"),
        (np.array([8, 14]), np.array([4, 7]), "off by a constant factor of 2"),
    ],
)
def test_diagnosis(got, expected, says):
    assert diagnose(got, expected) == says
    assert says in compare(got, expected)
    assert says in coarse(got, expected)


@pytest.mark.parametrize(
    "got, expected",
    [
        (np.array([1.0, 2.0]), np.array([1.0, 3.0])),  # no single factor
        (np.array([1.0, 2.0]), np.array([1.0, 2.0])),  # equal
        (np.array([1.0, 0.5]), np.array([0.0, 1.0])),  # a zero where the answer has none
        (np.array([0.0, 0.0]), np.array([0.0, 0.0])),
        (np.array([2.0, 4.0]), np.array([1.0, 2.0, 3.0])),  # shapes that are not a transpose
        (np.array([True]), np.array([False])),
        ("a", 1.0),
        (np.array([np.inf]), np.array([1.0])),
        (np.zeros(2), np.ones(2)),
        (np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[1.0, 2.0], [3.0, 4.0]])),  # square, equal: not "transposed"
        (np.array([[1.0, 2.0], [2.0, 1.0]]), np.array([[1.0, 2.0], [2.0, 1.0]]).T),  # symmetric
    ],
)
def test_no_diagnosis(got, expected):
    assert diagnose(got, expected) == ""


def test_coarse_never_quotes_an_expected_value():
    exp = np.array([0.123456, 7.654321])
    for got in (np.array([0.1, 7.6]), [0.1, 7.6], np.zeros(3), "x", [0.1], 0.5):
        text = coarse(got, exp)
        assert "0.123456" not in text and "7.654321" not in text and "0.12" not in text, text
    assert coarse(np.zeros(3), exp) == "wrong shape: expected (2,), got (3,)"
    assert coarse(np.zeros(2), exp) == "wrong values"
    assert coarse("x", exp) == "wrong type: expected an array of shape (2,), got a string"
    assert coarse([1.0, 2.0], [1.0, 2.0, 3.0]) == "wrong length: expected 3 items, got 2"
    assert coarse([1.0, "a"], [1.0, 2.0]) == "wrong type in item 1: expected a number, got a string"
    assert coarse([1.0, [2.0, 1.0]], [1.0, [2.0, 0.0]]) == "wrong value in item 1[1]"
    assert coarse([1.0, [2.0, 3.0]], [1.0, [2.0, 4.0]]) == "wrong value in item 1[1] (off by a constant factor of 0.75)"
    assert coarse(2.0, 1.0) == "wrong value (off by a constant factor of 2)"
    assert coarse(None, 1.0) == "wrong type: expected a number, got None"
    assert coarse({"a": 1}, 1.0) == "wrong type: expected a number, got a dict"
    assert coarse(True, 1.0) == "wrong type: expected a number, got a bool"


def test_short():
    assert short(1.5) == "1.5"
    assert short(np.float64(0.25)) == "0.25" and short(np.int64(3)) == "3"
    assert short("x" * 200, limit=20) == "'" + "x" * 16 + "..."
    assert len(short("x" * 200, limit=20)) == 20
    assert short(np.array([1.0, 2.0])) == "array([1., 2.], shape=(2,))"
    assert short(np.array(3.0)) == "3."
    assert short(np.arange(100.0)).startswith("array([ 0.,  1.,  2., ...")


def test_gaps_found_by_the_mutation_run():
    """Each assertion kills mutants that survived the first run (docs/mutation_grading.md)."""
    assert compare(float("nan"), 1.0) is not None and compare(1.0, float("nan")) is not None
    assert compare(np.array([float("nan")]), np.array([1.0])) is not None
    assert compare(np.array([1.0 + 1e-7]), np.array([True])) is not None  # a bool is matched exactly
    assert compare(np.array([1, 0]), np.array([True, False])) is None
    assert compare(2.0, np.array(2.0)) is None and compare(True, np.array([True])) is not None
    assert compare(np.array([0.05]), np.zeros(1), atol=0.1) is None
    assert compare(["a"], np.array(["a"])) is not None  # non-numeric arrays: arrays only, exactly
    for got, expected in [
        ("zz", 1.0),
        ("zz", np.zeros(2)),
        (np.array([7.5, 8.5, 9.5]), np.zeros(2)),
        ("zz", True),
        ("zz", "a"),
        ("zz", [1.0]),
        (["zz", 2.0], [1.0]),
        ({"zz": 1}, {"a": 1}),
        ("zz", np.array(["a"])),
    ]:
        assert "zz" in compare(got, expected) or "7.5" in compare(got, expected), (got, expected)
    assert "got      array([7.5, 8.5], shape=(2,))" in compare(np.array([7.5, 8.5]), np.zeros(2))
    assert "expected array([0., 0.], shape=(2,))" in compare(np.array([7.5, 8.5]), np.zeros(2))
    assert coarse([1.0, 2.0, 3.0], np.zeros(2)) == "wrong shape: expected (2,), got (3,)"
    assert coarse(np.zeros(2), [1.0, 2.0]) == "wrong values"
    assert coarse("ab", [1, 2]) == "wrong type: expected a sequence of 2 items, got a string"
    assert coarse("a", "b") == "wrong value"
    assert coarse({1}, 1.0) == "wrong type: expected a number, got set"
    assert diagnose(np.array([True, True]), np.array([0.5, 0.5])) == ""
    assert diagnose(np.array([0.5, 0.5]), np.array([True, True])) == ""
    assert diagnose(np.array([1.0, 2.00001]), np.array([2.0, 4.0])) == ""  # not one factor (within 1e-6)
    assert diagnose(-np.array([1.0, 1.00001]), np.array([1.0, 1.0])) == ""
    assert diagnose(np.full((3, 2), 1.5), np.ones((2, 3))) == ""  # the right shape turned, but other values
    assert coarse(np.bool_(True), 1.0) == "wrong type: expected a number, got a bool"
    assert "expected a sequence of length 1" in compare(np.array([1.0]), ["a"])  # strings: not an array to compare with
