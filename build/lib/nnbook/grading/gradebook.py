"""Grade a folder of submissions in parallel worker processes and write the gradebook."""
from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from tqdm import tqdm

from nnbook.grading.feedback import write_csv, write_feedback
from nnbook.grading.grade import Limits, Plan, Result, find_submissions, grade_submission, mark_duplicates, reference_plan


def grade_all(submissions: Path, master: Path, out_csv: Path, workers: int = 2, limits: Limits | None = None,
              progress: bool = True) -> tuple[Plan, list[Result]]:
    """Grade every submission in ``submissions`` against ``master``; write ``out_csv`` and
    ``feedback/<student>.md`` next to it. Returns the plan and the results (sorted)."""
    limits = limits or Limits()
    plan = reference_plan(Path(master), limits)
    out_csv = Path(out_csv)
    feedback_dir = out_csv.parent / "feedback"
    subs = find_submissions(Path(submissions), exclude=(out_csv, feedback_dir))
    results: list[Result] = []
    bar = tqdm(total=len(subs), desc=f"grading {plan.chapter}", unit="nb", disable=not progress)
    if workers <= 1 or len(subs) <= 1:
        for sid, path in subs:
            results.append(grade_submission(path, sid, plan))
            bar.update()
    else:
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
            futures = {pool.submit(grade_submission, path, sid, plan): (sid, path) for sid, path in subs}
            for fut in as_completed(futures):
                sid, path = futures[fut]
                try:
                    results.append(fut.result())
                except Exception:  # a broken worker pool: grade this one here instead of losing it
                    results.append(grade_submission(path, sid, plan))
                bar.update()
    bar.close()
    mark_duplicates(results)
    results.sort(key=lambda r: (r.student, r.file))
    write_feedback(feedback_dir, plan, results)
    write_csv(out_csv, plan, results, feedback_dir)
    return plan, results


def default_workers() -> int:
    return max(1, min(2, os.cpu_count() or 1))


def summary(plan: Plan, results: list[Result], seconds: float) -> str:
    n = len(results)
    graded = [r for r in results if r.status != "rejected"]
    mean = sum(r.total for r in graded) / len(graded) if graded else 0.0
    issues = sum(r.status != "graded" for r in results)
    return (f"{n} submission(s) in {seconds:.1f} s ({seconds / max(n, 1):.2f} s each); {len(graded)} graded, "
            f"{n - len(graded)} rejected, {issues} with notes; mean {mean:.2f} / {plan.max_points():g}")


__all__ = ["grade_all", "summary", "default_workers"]
