"""Hidden tests of the arguments after a call (``hidden_test(..., arguments=True)``): a function that
changes its arguments in place returns the right values but loses these points, graded in the
student's kernel and compared with what the reference leaves, like any other hidden test."""

import csv
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "grading_fixtures"))
from helpers import HERE, reference_nb, student_nb, write  # noqa: E402

from nnbook.cli import main  # noqa: E402
from nnbook.grading.kernel import Limits  # noqa: E402
from nnbook.grading.reference import reference_plan  # noqa: E402

MASTER = HERE / "ch98_in_place.md"
IN_PLACE = "def normalise(v):\n    v /= v.sum()\n    return v"
WRONG = "def normalise(v):\n    return np.asarray(v, dtype=float) / len(v)"
NOTHING = "def normalise(v):\n    pass"
FLAGS = ["--cell-timeout", "10", "--call-timeout", "10", "--submission-timeout", "90", "--no-progress"]


def answered(code: str):
    nb = student_nb(MASTER)
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source.lstrip().startswith("def normalise"):
            cell.source = code
    return nb


def test_the_reference_leaves_its_arguments_as_they_came():
    plan = reference_plan(MASTER, Limits())
    result, after = plan.specs
    assert (result.kind, after.kind) == ("call", "arguments")
    assert after.title == "normalise -> v after the call"
    assert [list(r) for r in result.reference] == [[0.75, 0.25], [0.25, 0.125, 0.125, 0.5]]
    assert [list(r[0]) for r in after.reference] == [list(r) for r in result.reference]
    assert [[list(a) for a in r[1]] for r in after.reference] == [[[3.0, 1.0]], [[0.5, 0.25, 0.25, 1.0]]]


def test_a_change_in_place_loses_the_points_of_the_arguments(tmp_path):
    subs = tmp_path / "subs"
    write(subs, "alice.ipynb", reference_nb(MASTER))
    write(subs, "bob.ipynb", answered(IN_PLACE))
    write(subs, "carol.ipynb", answered(WRONG))
    write(subs, "dave.ipynb", answered(NOTHING))
    write(subs, "erin.ipynb", student_nb(MASTER))
    out = tmp_path / "grades.csv"
    assert main(["grade", str(subs), "--master", str(MASTER), "--out", str(out), *FLAGS]) == 0
    with out.open() as f:
        got = {r["student"]: r["q1"] for r in csv.DictReader(f)}
    # right values but v changed: 1 of 2; the arguments count only with a right result, so a wrong
    # result or one that does nothing earns 0, and so does the untouched stub
    assert got == {"alice": "2", "bob": "1", "carol": "0", "dave": "0", "erin": "0"}
    bob = (tmp_path / "feedback" / "bob.md").read_text()
    assert "v after the call" in bob and "after the call: wrong values" in bob
    carol = (tmp_path / "feedback" / "carol.md").read_text()
    assert "counts only when the call's result is right" in carol
