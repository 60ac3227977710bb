"""`nnbook grade` on a small class: gradebook and feedback content, determinism of regrading, CLI."""

import csv
import sys
from pathlib import Path

import jupytext
import pytest

sys.path.insert(0, str(Path(__file__).parent / "grading_fixtures"))
from helpers import CORRECT, TOY, reference_nb, student_nb, submission, write  # noqa: E402

from nnbook.cli import main  # noqa: E402
from nnbook.grading.intake import find_submissions, student_id  # noqa: E402
from nnbook.grading.isolation import probe  # noqa: E402

WRONG_SHAPE = "def scale(x, a):\n    return np.zeros(7)"
FLAGS = [
    "--cell-timeout",
    "5",
    "--call-timeout",
    "5",
    "--submission-timeout",
    "90",
    "--memory-mb",
    "2048",
    "--no-progress",
]


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("gradebook")
    subs = root / "subs"
    write(subs, "alice.ipynb", reference_nb())
    write(subs, "bob.ipynb", submission({**CORRECT, "def scale": WRONG_SHAPE, "answer_q2 =": "answer_q2 = 'six'"}))
    write(subs, "carol.ipynb", student_nb())
    write(subs, "dave.md", jupytext.writes(reference_nb(), fmt="md:myst"))  # a MyST text notebook
    outs = []
    for run, workers in (("a", "2"), ("b", "1")):  # the same gradebook in parallel and in sequence
        out = root / run / "grades.csv"
        assert main(["grade", str(subs), "--master", str(TOY), "--out", str(out), "--workers", workers, *FLAGS]) == 0
        outs.append(out)
    return outs


def rows(path):
    with path.open() as f:
        return list(csv.DictReader(f))


def test_gradebook_columns_and_points(two_runs):
    book = rows(two_runs[0])
    assert list(book[0]) == [
        "student",
        "file",
        "status",
        "q1",
        "q2",
        "q3",
        "total",
        "max",
        "isolation",
        "feedback",
        "reasons",
    ]
    assert {r["isolation"] for r in book} == {probe().label}
    got = {r["student"]: (r["q1"], r["q2"], r["q3"], r["total"], r["max"]) for r in book}
    assert got == {
        "alice": ("2", "1", "3", "6", "6"),
        "bob": ("0", "0", "3", "3", "6"),
        "carol": ("0", "0", "0", "0", "6"),
        "dave": ("2", "1", "3", "6", "6"),
    }
    assert [r["feedback"] for r in book] == [
        "feedback/alice.md",
        "feedback/bob.md",
        "feedback/carol.md",
        "feedback/dave.md",
    ]
    assert [r["status"] for r in book] == ["graded"] * 3 + ["graded with issues"]
    assert "no nnbook release metadata" in book[3]["reasons"]  # jupytext drops it from the text file


def test_feedback_says_what_failed_without_revealing_hidden_tests(two_runs):
    fb = (two_runs[0].parent / "feedback" / "bob.md").read_text()
    assert "**3 / 6 points**" in fb
    assert "wrong shape: expected (3,), got (7,)" in fb
    assert "wrong type: expected a number, got a string" in fb
    assert "`row_means`: 3 of 3 hidden case(s) passed" in fb
    master = TOY.read_text()
    for secret in ("0.5, -1.0, 4.0", "default_rng(7)", "-8.0", "argmax"):
        assert secret in master and secret not in fb
    carol = (two_runs[0].parent / "feedback" / "carol.md").read_text()
    assert "not attempted" in carol and "**0 / 6 points**" in carol


def test_regrading_is_deterministic(two_runs):
    a, b = two_runs
    assert a.read_bytes() == b.read_bytes()
    for f in (a.parent / "feedback").iterdir():
        assert f.read_bytes() == (b.parent / "feedback" / f.name).read_bytes()


def test_student_ids(tmp_path):
    for name in ("alice.ipynb", "bob smith.ipynb", "carol/ch99_toy.ipynb", ".DS_Store", "dan.v2.ipynb"):
        write(tmp_path, name, "{}")
    assert [sid for sid, _ in find_submissions(tmp_path)] == ["alice", "bob_smith", "carol", "dan"]
    write(tmp_path, "grades.csv", "student,total\n")  # the grader's own output, in the same folder
    write(tmp_path, "feedback/alice.md", "# Feedback")
    found = find_submissions(tmp_path, exclude=(tmp_path / "grades.csv", tmp_path / "feedback"))
    assert [sid for sid, _ in found] == ["alice", "bob_smith", "carol", "dan"]
    assert student_id(tmp_path / "x.ipynb", tmp_path) == "x"
    assert student_id(tmp_path / "=cmd|' calc'!A1.ipynb", tmp_path) == "cmd_calc_A1"
    assert student_id(tmp_path / "+1+2.ipynb", tmp_path) == "1+2"


def test_csv_cells_are_not_formulas():
    from nnbook.grading.feedback import _cell

    assert _cell("=1+1.ipynb") == "'=1+1.ipynb" and _cell("alice.ipynb") == "alice.ipynb"


def test_cli_grade_errors(tmp_path, capsys):
    assert main(["grade", str(tmp_path / "nope"), "--master", str(TOY)]) == 2
    assert main(["grade", str(tmp_path), "--master", str(tmp_path / "nope.md")]) == 2
    assert "no such master" in capsys.readouterr().err


def test_cli_check_masters(capsys):
    assert main(["check", str(TOY)]) == 0
    out = capsys.readouterr().out
    assert "ok   " in out and "3 question(s), 3 hidden test(s), 6 point(s)" in out and "note:" not in out
    assert main(["check", str(TOY.parent / "leaky_master.md")]) == 1
    assert "FAIL" in capsys.readouterr().out


def test_a_master_inside_a_readable_folder_is_refused(capsys):
    import nnbook
    from nnbook.grading.kernel import Limits
    from nnbook.grading.reference import reference_plan
    from nnbook.grading.spec import GradingError

    inside = Path(nnbook.__file__).parent / "ch99_toy.md"  # not created: refused before reading
    with pytest.raises(GradingError, match="students' kernels may read"):
        reference_plan(inside, Limits())
