"""Benchmark `nnbook grade`: a class of 30 submissions of a NumPy-only chapter on 2 workers.

    .venv/bin/python scripts/bench_grading.py [--master exercises/ch01_perceptron.md] [-n 30] [--workers 2]

Builds the class in a temporary folder from the master (a third reference solutions, a third
blank student versions, a third with one question broken), grades it, and prints the wall time
per submission. The issue's budget: 30 submissions in under 2 minutes on the 2-core CPU.
"""

from __future__ import annotations

import argparse
import copy
import re
import tempfile
import time
from pathlib import Path

import nbformat

from nnbook.grading.gradebook import grade_all, summary
from nnbook.grading.master import is_hidden, read_master
from nnbook.grading.release import student_version

ROOT = Path(__file__).resolve().parent.parent


def build_class(master: Path, folder: Path, n: int) -> None:
    m = read_master(master)
    student = student_version(m)[0]
    reference = copy.deepcopy(m.nb)
    reference.cells = [c for c in reference.cells if not is_hidden(c)]
    reference.metadata.pop("jupytext", None)
    reference.metadata["nnbook"] = student.metadata["nnbook"]
    broken = copy.deepcopy(reference)
    for cell in broken.cells:  # the first solution returns garbage: a wrong answer, graded normally
        if cell.cell_type == "code" and re.search(r"^def \w+\(", cell.source, re.M):
            cell.source = re.sub(r"(^def \w+\(.*?\):\n)", r"\1    return 0.0\n", cell.source, count=1, flags=re.M)
            break
    for i in range(n):
        nbformat.write((reference, student, broken)[i % 3], folder / f"student{i:02d}.ipynb")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--master", default=str(ROOT / "exercises" / "ch01_perceptron.md"))
    ap.add_argument("-n", type=int, default=30)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        subs = Path(tmp) / "subs"
        subs.mkdir()
        build_class(Path(args.master), subs, args.n)
        t0 = time.monotonic()
        plan, results = grade_all(subs, Path(args.master), Path(tmp) / "out" / "grades.csv", workers=args.workers)
        dt = time.monotonic() - t0
    print(summary(plan, results, dt))
    print(
        f"wall time {dt:.1f} s for {args.n} submissions on {args.workers} workers (reference run included): "
        f"{dt / args.n:.2f} s per submission; in-kernel time per submission {sum(r.seconds for r in results) / len(results):.2f} s"
    )


if __name__ == "__main__":
    main()
