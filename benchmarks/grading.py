"""Grading throughput: nnbook's grader and nbgrader's autograder on the same class of submissions."""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
from pathlib import Path

import nbformat

from benchmarks.measure import ROOT, run_measured
from benchmarks.nbgrader_compare import _strip_solutions, grade_with_nbgrader

MASTER = ROOT / "exercises" / "ch01_perceptron.md"


def class_answers(master_ipynb: Path, student_ipynb: Path, n: int) -> tuple[list[int], dict[str, list[str]]]:
    """Indices of the solution cells among the master's non-hidden cells, and each student's answers.

    A third of the class hands in the reference solutions, a third the untouched student version,
    and a third the reference with its first function returning a wrong constant.
    """
    master = nbformat.read(master_ipynb, as_version=4)
    cells = [c for c in master.cells if "hidden" not in c.metadata.get("tags", [])]
    student = nbformat.read(student_ipynb, as_version=4)
    if len(student.cells) != len(cells):
        raise ValueError(f"student version has {len(student.cells)} cells, the master {len(cells)} non-hidden ones")
    idx = [i for i, c in enumerate(cells) if c.cell_type == "code" and "SOLUTION" in c.source]
    reference = [_strip_solutions(cells[i].source) for i in idx]
    blank = [student.cells[i].source for i in idx]
    broken = list(reference)
    for k, src in enumerate(broken):
        if re.search(r"^def \w+\(", src, re.M):
            broken[k] = re.sub(r"(^def \w+\(.*?\):\n)", r"\1    return 0.0\n", src, count=1, flags=re.M)
            break
    variants = (reference, blank, broken)
    return idx, {f"student{i:02d}": variants[i % 3] for i in range(n)}


def build_class(n: int, work: Path) -> tuple[Path, Path, dict[str, list[str]]]:
    """Export the master and its student version, and write the n nnbook submissions into work/subs."""
    export = work / "export"
    res = run_measured([str(Path(sys.executable).parent / "nnbook"), "export", str(export), str(MASTER)])
    if res.returncode != 0:
        raise RuntimeError(f"nnbook export failed: {res.stderr[-2000:]}")
    master_ipynb = next(export.rglob(f"{MASTER.stem}.ipynb"))
    student_ipynb = next(p for p in export.rglob(f"{MASTER.stem}.ipynb") if "student" in p.parts)
    if master_ipynb == student_ipynb:
        master_ipynb = next(p for p in export.rglob(f"{MASTER.stem}.ipynb") if "student" not in p.parts)
    idx, answers = class_answers(master_ipynb, student_ipynb, n)
    subs = work / "subs"
    subs.mkdir()
    student = nbformat.read(student_ipynb, as_version=4)
    for sid, sources in answers.items():
        nb = nbformat.from_dict(student)
        nb = nbformat.reads(nbformat.writes(student), as_version=4)
        for i, src in zip(idx, sources):
            nb.cells[i].source = src
        nbformat.write(nb, subs / f"{sid}.ipynb")
    return master_ipynb, subs, answers


def bench_grading(n: int = 30, with_nbgrader: bool = True) -> dict:
    """Seconds per submission and peak memory of `nnbook grade` (and of nbgrader autograde) on n submissions."""
    work = Path(tempfile.mkdtemp(prefix="nnbook-bench-"))
    try:
        master_ipynb, subs, answers = build_class(n, work)
        run = run_measured(
            [
                str(Path(sys.executable).parent / "nnbook"),
                "grade",
                str(subs),
                "--master",
                str(MASTER),
                "--out",
                str(work / "out" / "grades.csv"),
            ]
        )
        out = {
            "submissions": n,
            "nnbook": {
                "seconds": run.seconds,
                "per_submission": run.seconds / n,
                "peak_mib": run.peak_mib,
                "ok": run.returncode == 0,
            },
        }
        if run.returncode == 0:
            import csv

            with open(work / "out" / "grades.csv") as fh:
                rows = list(csv.DictReader(fh))
            out["nnbook"]["graded"] = len(rows)
        if with_nbgrader:
            nbg = grade_with_nbgrader(master_ipynb, answers, work / "course")
            scores = nbg.data.get("scores", {})
            out["nbgrader"] = {
                "seconds": nbg.seconds,
                "per_submission": nbg.seconds / n,
                "peak_mib": nbg.peak_mib,
                "ok": nbg.returncode == 0,
                "graded": len(scores),
                "full_marks": sum(1 for sid, v in scores.items() if int(sid[-2:]) % 3 == 0 and v > 0),
            }
            out["ratio_nnbook_over_nbgrader"] = run.seconds / nbg.seconds
        return out
    finally:
        shutil.rmtree(work, ignore_errors=True)
