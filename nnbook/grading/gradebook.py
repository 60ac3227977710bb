"""Grade a folder of submissions in parallel worker processes and write the gradebook."""

from __future__ import annotations

import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from tqdm import tqdm

from nnbook.grading.feedback import write_csv, write_feedback
from nnbook.grading.grade import grade_submission
from nnbook.grading.intake import Submission, find_submissions
from nnbook.grading.isolation import probe
from nnbook.grading.kernel import Limits
from nnbook.grading.plan import Plan
from nnbook.grading.reference import reference_plan
from nnbook.grading.scoring import Result
from nnbook.grading.spec import GradingError


def grade_all(
    submissions: Path,
    master: Path,
    out_csv: Path,
    workers: int | None = None,
    limits: Limits | None = None,
    progress: bool = True,
    require_isolation: bool = False,
) -> tuple[Plan, list[Result]]:
    """Grade every submission in ``submissions`` against ``master``; write ``out_csv`` and
    ``feedback/<student>.md`` next to it. Returns the plan and the results (sorted).

    Every submission is copied into memory before any kernel starts, and graded from that copy.
    Without OS isolation the grader warns on stderr (and in the CSV and every feedback file), or,
    with ``require_isolation``, refuses (GradingError)."""
    limits = limits or Limits()
    workers = default_workers() if workers is None else workers
    isolation = probe()
    if not isolation.active:
        if require_isolation:
            raise GradingError(
                f"no operating-system isolation on this machine ({isolation.reason}); "
                "refusing to grade (--require-isolation)"
            )
    for warning in isolation.warnings:
        print(f"WARNING: {warning}", file=sys.stderr)
    out_csv = Path(out_csv)
    feedback_dir = out_csv.parent / "feedback"
    root = Path(submissions)
    taken = [Submission.take(sid, path, root) for sid, path in find_submissions(root, exclude=(out_csv, feedback_dir))]
    plan = reference_plan(Path(master), limits, isolation)
    results: list[Result] = []
    bar = tqdm(total=len(taken), desc=f"grading {plan.chapter}", unit="nb", disable=not progress)
    if workers <= 1 or len(taken) <= 1:
        for sub in taken:
            results.append(grade_submission(sub, plan=plan))
            bar.update()
    else:
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
            futures = {pool.submit(grade_submission, sub, plan=plan): sub for sub in taken}
            for fut in as_completed(futures):
                try:
                    results.append(fut.result())
                except Exception as e:  # a broken worker pool: grade this one here, and say so
                    result = grade_submission(futures[fut], plan=plan)
                    result.reasons.append(
                        f"graded again in the main process after its worker failed ({type(e).__name__})"
                    )
                    results.append(result)
                bar.update()
    bar.close()
    mark_duplicates(results)
    results.sort(key=lambda r: (r.student, r.file))
    write_feedback(feedback_dir, plan, results)
    write_csv(out_csv, plan, results, feedback_dir)
    return plan, results


def mark_duplicates(results: list[Result]) -> None:
    """Every submission of a duplicated student id is graded and kept, flagged for the teacher."""
    by_id: dict[str, list[Result]] = {}
    for r in results:
        by_id.setdefault(r.student, []).append(r)
    for sid, group in by_id.items():
        if len(group) > 1:
            files = ", ".join(r.rel or r.file for r in group)
            for r in group:
                r.reasons.append(
                    f"duplicated student id {sid!r}: {len(group)} submissions ({files}); "
                    "each is graded, keep the right one by hand"
                )
                if r.status == "graded":
                    r.status = "graded with issues"


def default_workers() -> int:
    """Parallel kernels by default: one per CPU, at most 2 (each kernel may use a core fully)."""
    return max(1, min(2, os.cpu_count() or 1))


def summary(plan: Plan, results: list[Result], seconds: float) -> str:
    n = len(results)
    graded = [r for r in results if r.status != "rejected"]
    mean = sum(r.total for r in graded) / len(graded) if graded else 0.0
    issues = sum(r.status != "graded" for r in results)
    return (
        f"{n} submission(s) in {seconds:.1f} s ({seconds / max(n, 1):.2f} s each); {len(graded)} graded, "
        f"{n - len(graded)} rejected, {issues} with notes; mean {mean:.2f} / {plan.max_points():g}"
    )


__all__ = ["grade_all", "summary", "default_workers", "mark_duplicates"]
