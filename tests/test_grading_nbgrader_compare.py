"""The nbgrader comparison checks what nnbook grades: its hidden tests come from nnbook's own
reference run (the one master reader and ``Spec``), parts of tuple results included."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "grading_fixtures"))
from helpers import TOY  # noqa: E402

from benchmarks.nbgrader_compare import _strip_solutions, nbgrader_source  # noqa: E402
from nnbook.grading.kernel import Limits  # noqa: E402
from nnbook.grading.reference import reference_plan  # noqa: E402
from nnbook.notebooks import ROOT  # noqa: E402


def _run(nb, replace: dict[str, str] | None = None) -> list[str]:
    """Run the nbgrader source in this process, solutions kept (or replaced); the graded cells that fail."""
    ns: dict = {}
    failed = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        src = _strip_solutions(cell.source).replace("### BEGIN HIDDEN TESTS", "").replace("### END HIDDEN TESTS", "")
        for old, new in (replace or {}).items():
            src = src.replace(old, new)
        grade = cell.metadata.get("nbgrader", {}).get("grade")
        try:
            exec(compile(src, "<cell>", "exec"), ns)  # noqa: S102 - our own master
        except AssertionError:
            if not grade:
                raise
            failed.append(cell.metadata["nbgrader"]["grade_id"])
    return failed


@pytest.mark.parametrize("master", [TOY, ROOT / "exercises" / "ch06_backprop.md"], ids=["toy", "ch06"])
def test_nbgrader_tests_are_nnbooks_hidden_tests(master):
    out = nbgrader_source(master)
    plan = reference_plan(master, Limits())
    graded = [c.metadata["nbgrader"] for c in out.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert [g["grade_id"] for g in graded] == [f"{q}_hidden" for q in plan.questions]
    assert [g["points"] for g in graded] == [plan.max_points(q) for q in plan.questions]
    assert _run(out) == []  # the reference passes every nbgrader test


def test_a_wrong_answer_fails_its_nbgrader_test():
    out = nbgrader_source(TOY)
    assert _run(out, {"* a": "* a * 2"}) == ["q1_hidden"]
