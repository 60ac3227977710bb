"""The benchmark suite's bookkeeping: budgets, misses, and the conversion of a master for nbgrader."""

import nbformat

from benchmarks import run
from benchmarks.nbgrader_compare import _blockify, _strip_solutions, nbgrader_source
from nnbook.notebooks import ROOT


def test_slow_chapters_get_the_larger_budget():
    assert run.budget_for("book/ch12_gan.ipynb") == 90 and run.budget_for("book/ch03_forward.ipynb") == 60


def test_misses_name_each_missed_budget_and_target():
    results = {
        "notebooks": {
            "rows": [
                {"notebook": "book/ch01.ipynb", "ok": True, "seconds": 75.0, "budget_s": 60.0},
                {"notebook": "book/ch02.ipynb", "ok": False, "seconds": 1.0, "budget_s": 60.0},
                {"notebook": "book/ch03.ipynb", "ok": True, "seconds": 10.0, "budget_s": 60.0},
            ]
        },
        "claims": {
            "rows": [
                {"claim": "CNN", "met": False, "mean": 0.99, "target": 0.995},
                {"claim": "LSTM", "error": "ImportError: no rnn"},
                {"claim": "MLP", "met": True, "mean": 0.98, "target": 0.97},
            ]
        },
        "suite_s": 100.0,
    }
    m = run.misses(results)
    assert len(m) == 4
    assert "ch01.ipynb took 75 s" in m[0] and "ch02.ipynb failed" in m[1]
    assert "'CNN': mean 99.00 % below its target 99.5 %" in m[2] and "'LSTM' could not be measured" in m[3]


def test_one_line_solutions_become_nbgrader_blocks_and_markers_vanish_from_the_reference():
    src = "x = 1  ### SOLUTION\ny = 2"
    assert _blockify(src) == "### BEGIN SOLUTION\nx = 1\n### END SOLUTION\ny = 2"
    assert (
        _strip_solutions("def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION")
        == "def f():\n    return 1"
    )


def test_nbgrader_source_has_one_graded_test_cell_per_question_with_the_masters_points(tmp_path):
    import jupytext

    nb = jupytext.read(ROOT / "exercises" / "ch01_perceptron.md")
    path = tmp_path / "m.ipynb"
    nbformat.write(nb, path)
    out = nbgrader_source(path)
    graded = [c.metadata["nbgrader"] for c in out.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert [g["grade_id"] for g in graded] == ["q1_hidden", "q2_hidden", "q3_hidden", "q4_hidden", "q5_hidden"]
    assert sum(g["points"] for g in graded) == 10
    assert not any("hidden" in c.metadata.get("tags", []) for c in out.cells)
    assert all("### SOLUTION" not in c.source for c in out.cells)
