"""Grading one submission: its private copy read as a notebook, run in a sandbox, its hidden-test
cases scored against the Plan. The other steps live in their own modules: ``spec`` (Spec), ``plan`` (Plan),
``intake`` (files and notebooks), ``reference`` (the master's run), ``runner`` (cells and cases in
a kernel), ``scoring``, ``feedback`` (the report) and ``gradebook`` (the batch)."""

from __future__ import annotations

import time
from pathlib import Path

from nnbook.grading.intake import Submission, code_cells, load_submission
from nnbook.grading.kernel import Sandbox
from nnbook.grading.plan import Plan
from nnbook.grading.runner import Runner, run_cases
from nnbook.grading.scoring import Result, score_cases

__all__ = ["grade_submission"]


def grade_submission(sub: Submission | Path, student: str | None = None, plan: Plan | None = None) -> Result:
    """Grade one submission (taken with ``Submission.take``; a path is taken here). Never raises:
    problems become reasons in the Result."""
    if not isinstance(sub, Submission):
        sub = Submission.take(student, Path(sub))
    t0 = time.monotonic()
    result = Result(
        sub.student, sub.path.name, rel=sub.rel, isolation=plan.isolation.label, scores={q: 0.0 for q in plan.questions}
    )
    try:
        if sub.data is None:
            result.status = "rejected"
            result.reasons.append(sub.error)
            return result
        data = sub.data
        nb, reasons = load_submission(sub.path, plan.chapter, data)
        result.reasons += reasons
        if nb is None:
            result.status = "rejected"
            return result
        cells = [(n, src) for n, src in code_cells(nb)]
        with Sandbox(
            plan.limits,
            plan.preload,
            files={sub.path.name: data},
            allow_ctypes=plan.allow_ctypes,
            isolation=plan.isolation,
        ) as sb:
            try:
                sb.start()
            except RuntimeError as e:
                result.status, result.reasons = "rejected", result.reasons + [str(e)]
                return result
            run = Runner(sb, plan.limits)
            for number, code in cells:
                if not run.cell(number, code):
                    break
            outcomes = run_cases(run, plan.specs)
            result.cell_errors = run.log
            if run.stopped:
                result.reasons.append(
                    f"{run.stopped} cell(s) were stopped at the time limit of "
                    f"{plan.limits.cell:g} s per cell; later cells ran without them"
                )
            if run.out_of_time:
                result.reasons.append(f"the submission's time limit ({plan.limits.submission:.0f} s) was reached")
            if sb.restarts:
                result.reasons.append(f"the kernel was restarted {sb.restarts} time(s) after a hang or crash")
        score_cases(result, plan, outcomes)
        if result.reasons and result.status == "graded":
            result.status = "graded with issues"
    except Exception as e:  # a grader bug must not lose the rest of the class
        result.status = "rejected"
        result.reasons.append(f"internal grader error: {type(e).__name__}: {e}"[:300])
    finally:
        result.seconds = time.monotonic() - t0
    return result
