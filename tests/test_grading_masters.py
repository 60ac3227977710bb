"""Every real master in exercises/: releases without leaks, its reference solution scores 100% and
its blank student version scores 0 (new chapters are picked up by the glob)."""

import copy
import csv
import re
from pathlib import Path

import nbformat
import pytest

from nnbook.grading.gradebook import grade_all
from nnbook.grading.kernel import Limits
from nnbook.grading.master import is_hidden, read_master
from nnbook.grading.release import release_one

ROOT = Path(__file__).resolve().parent.parent
MASTERS = sorted((ROOT / "exercises").glob("ch*.md"))


@pytest.mark.parametrize("master", MASTERS, ids=[m.stem for m in MASTERS])
def test_master_reference_full_blank_zero(master, tmp_path):
    released = release_one(master, tmp_path / "release")[0]
    student = nbformat.read(released, as_version=4)
    m = read_master(master)
    assert m.questions, f"{master.name}: no '## Qn (k points)' headings"
    reference = copy.deepcopy(m.nb)
    reference.cells = [c for c in reference.cells if not is_hidden(c)]
    reference.metadata.pop("jupytext", None)
    reference.metadata["nnbook"] = student.metadata["nnbook"]
    subs = tmp_path / "subs"
    subs.mkdir()
    nbformat.write(reference, subs / "reference.ipynb")
    nbformat.write(student, subs / "blank.ipynb")
    out = tmp_path / "grades.csv"
    plan, results = grade_all(
        subs, master, out, workers=2, limits=Limits(cell=120, call=60, submission=600), progress=False
    )
    source = "\n".join(c.source for c in m.nb.cells if c.cell_type == "code")
    for q in m.questions:
        assert q in plan.questions, f"{master.name}: {q} has no hidden test"
        assert re.search(rf"""@public_test\(\s*["']{q}["']""", source), f"{master.name}: {q} has no public test"
        assert m.headings[q] == plan.max_points(q), (
            f"{master.name}: the heading of {q} says {m.headings[q]:g} points, its hidden tests give {plan.max_points(q):g}"
        )
    assert set(plan.questions) <= set(m.questions), f"{master.name}: hidden tests for questions without a heading"
    by = {r.student: r for r in results}
    assert by["reference"].total == plan.max_points() > 0, by["reference"]
    assert by["reference"].status == "graded", by["reference"].reasons
    assert by["blank"].total == 0, by["blank"].cases
    with out.open() as f:
        assert {row["student"] for row in csv.DictReader(f)} == {"reference", "blank"}
