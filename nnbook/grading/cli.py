"""``nnbook release``, ``nnbook grade`` and ``nnbook check``: the teacher's commands."""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from pathlib import Path


def _release(args: argparse.Namespace) -> int:
    from nnbook.grading.release import release

    formats = tuple(f.strip() for f in args.format.split(",") if f.strip())
    paths = [Path(p) for p in args.masters]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        print(f"error: no such master file or folder: {', '.join(missing)}", file=sys.stderr)
        return 2
    written, errors = release(paths, Path(args.out), formats)
    for e in errors:
        print(f"error: {e}", file=sys.stderr)
    print(f"wrote {len(written)} student notebook(s) to {args.out}")
    return 1 if errors else 0


def _limits(args: argparse.Namespace):
    from nnbook.grading.kernel import Limits

    return Limits(
        cell=args.cell_timeout, call=args.call_timeout, submission=args.submission_timeout, memory_mb=args.memory_mb
    )


def _grade(args: argparse.Namespace) -> int:
    from nnbook.grading.gradebook import grade_all, summary
    from nnbook.grading.spec import GradingError

    subs, master = Path(args.submissions), Path(args.master)
    if not subs.is_dir():
        print(f"error: {subs} is not a folder of submissions", file=sys.stderr)
        return 2
    if not master.is_file():
        print(f"error: no such master: {master}", file=sys.stderr)
        return 2
    t0 = time.monotonic()
    try:
        plan, results = grade_all(
            subs,
            master,
            Path(args.out),
            workers=args.workers,
            limits=_limits(args),
            progress=not args.no_progress,
            require_isolation=args.require_isolation,
        )
    except GradingError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(summary(plan, results, time.monotonic() - t0))
    print(f"isolation of student kernels: {plan.isolation.describe()}")
    print(f"gradebook: {args.out}; feedback: {Path(args.out).parent / 'feedback'}/")
    return 0


def _check(args: argparse.Namespace) -> int:
    """Check masters: the release has no leak and the reference solution passes its hidden tests."""
    from nnbook.grading.master import read_master
    from nnbook.grading.reference import reference_plan
    from nnbook.grading.release import masters_in, release_one
    from nnbook.grading.spec import GradingError

    failed = 0
    for path in [m for p in args.masters for m in masters_in(Path(p))]:
        try:
            with tempfile.TemporaryDirectory() as tmp:
                release_one(path, Path(tmp))
            plan = reference_plan(path, _limits(args))
        except (GradingError, ValueError, OSError) as e:
            print(f"FAIL {path}: {e}")
            failed += 1
            continue
        if plan.problems:
            print(f"FAIL {path}: " + "; ".join(plan.problems))
            failed += 1
            continue
        headings = read_master(path).headings
        notes = [
            f"{q}: heading says {headings[q]:g} points, hidden tests give {plan.max_points(q):g}"
            for q in plan.questions
            if q in headings and not math.isnan(headings[q]) and headings[q] != plan.max_points(q)
        ]
        notes += [f"{q}: no hidden test" for q in headings if q not in plan.questions]
        if plan.allow_ctypes:
            notes.append(
                "the master needs ctypes (PyTorch, SciPy, scikit-learn or pandas): student kernels load it, "
                "a weaker Python-level guard"
            )
        print(
            f"ok   {path}: {len(plan.questions)} question(s), {len(plan.specs)} hidden test(s), "
            f"{plan.max_points():g} point(s)" + "".join(f"\n     note: {n}" for n in notes)
        )
    return 1 if failed else 0


def _add_limits(p: argparse.ArgumentParser) -> None:
    from nnbook.grading.kernel import Limits

    d = Limits()  # the one place the default limits are defined
    p.add_argument("--cell-timeout", type=float, default=d.cell, help="seconds per notebook cell (default %(default)g)")
    p.add_argument(
        "--call-timeout", type=float, default=d.call, help="seconds per hidden-test case (default %(default)g)"
    )
    p.add_argument(
        "--submission-timeout", type=float, default=d.submission, help="seconds per submission (default %(default)g)"
    )
    p.add_argument(
        "--memory-mb",
        type=int,
        default=d.memory_mb,
        help="address-space cap of each kernel in MiB (default %(default)d)",
    )


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Add ``release``, ``grade`` and ``check`` to the ``nnbook`` command."""
    from nnbook.grading.gradebook import default_workers

    p = sub.add_parser(
        "release", help="write the student versions of exercise masters (solutions and hidden tests removed)"
    )
    p.add_argument("masters", nargs="+", help="master notebooks, or folders of them (e.g. exercises)")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--format", default="ipynb", help="comma-separated: ipynb, md (default ipynb)")
    p.set_defaults(func=_release)

    p = sub.add_parser("grade", help="grade a folder of submitted notebooks against a master")
    p.add_argument(
        "submissions", help="folder with one notebook per student (<student>.ipynb or <student>/<any>.ipynb)"
    )
    p.add_argument("--master", required=True, help="the chapter's master, e.g. exercises/ch01_perceptron.md")
    p.add_argument(
        "--out", default="grades.csv", help="gradebook CSV; feedback/ is written next to it (default grades.csv)"
    )
    p.add_argument(
        "--workers",
        type=int,
        default=default_workers(),
        help="parallel kernels (default %(default)d: the CPUs, at most 2)",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument(
        "--require-isolation",
        action="store_true",
        help="refuse to grade unless student kernels are isolated by the operating system (bubblewrap)",
    )
    _add_limits(p)
    p.set_defaults(func=_grade)

    p = sub.add_parser("check", help="check masters: no leak in the release, the reference passes its hidden tests")
    p.add_argument("masters", nargs="+", help="master notebooks, or folders of them")
    _add_limits(p)
    p.set_defaults(func=_check)
