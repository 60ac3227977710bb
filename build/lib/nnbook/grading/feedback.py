"""The gradebook (CSV) and one Markdown feedback file per submission."""
from __future__ import annotations

import csv
import re
from pathlib import Path

from nnbook.grading.grade import Plan, Result

STATUS_TEXT = {
    "passed": "passed",
    "wrong": "wrong result",
    "error": "raised an error",
    "not attempted": "not attempted",
    "not plain data": "returned something that is not plain data (numbers, strings, lists, NumPy arrays)",
    "timeout": "exceeded the time limit",
    "crashed": "crashed the kernel",
    "not run": "not run",
}


def columns(plan: Plan) -> list[str]:
    return ["student", "file", "status", *plan.questions, "total", "max", "feedback", "reasons"]


def feedback_name(result: Result, results: list[Result]) -> str:
    """feedback/<student>.md, or feedback/<student>__<file>.md when the id is duplicated."""
    dup = sum(r.student == result.student for r in results) > 1
    stem = result.student + ("__" + re.sub(r"[^\w.-]+", "_", result.file) if dup else "")
    return f"{stem}.md"


def write_csv(path: Path, plan: Plan, results: list[Result], feedback_dir: Path | None) -> None:
    """One row per submission, sorted by student id then file name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(columns(plan))
        for r in sorted(results, key=lambda r: (r.student, r.file)):
            fb = str(Path(feedback_dir.name) / feedback_name(r, results)) if feedback_dir else ""
            w.writerow([_cell(r.student), _cell(r.file), r.status, *[_num(r.scores.get(q, 0.0)) for q in plan.questions],
                        _num(r.total), _num(plan.max_points()), fb, " | ".join(r.reasons)])


def _cell(text: str) -> str:
    """Text a spreadsheet will not run as a formula (file names come from students)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _num(x: float) -> str:
    return f"{x:g}"


def feedback_markdown(plan: Plan, r: Result) -> str:
    """What passed and what failed, question by question, without hidden inputs or expected values."""
    lines = [f"# Feedback: {plan.chapter}, {r.student}", "",
             f"Submission `{r.file}`: **{_num(r.total)} / {_num(plan.max_points())} points** ({r.status}).", ""]
    if r.reasons:
        lines += ["## Notes", ""] + [f"- {x}" for x in r.reasons] + [""]
    lines += ["## Questions", "", "| question | points | max |", "|---|---|---|"]
    lines += [f"| {q} | {_num(r.scores.get(q, 0.0))} | {_num(plan.max_points(q))} |" for q in plan.questions]
    lines.append("")
    for q in plan.questions:
        cases = [c for c in r.cases if c.qid == q]
        if not cases:
            continue
        lines += [f"### {q}", ""]
        by_test: dict[str, list] = {}
        for c in cases:
            by_test.setdefault(c.test, []).append(c)
        for test, cs in by_test.items():
            n_ok = sum(c.status == "passed" for c in cs)
            lines.append(f"- `{test}`: {n_ok} of {len(cs)} hidden case(s) passed")
            for c in cs:
                if c.status != "passed":
                    detail = f": {c.detail}" if c.detail else ""
                    lines.append(f"  - case {c.index}: {STATUS_TEXT.get(c.status, c.status)}{detail}")
        lines.append("")
    if r.cell_errors:
        lines += ["## When your notebook ran", ""] + [f"- {e}" for e in r.cell_errors[:20]]
        if len(r.cell_errors) > 20:
            lines.append(f"- ... and {len(r.cell_errors) - 20} more")
        lines.append("")
    return "\n".join(lines)


def write_feedback(feedback_dir: Path, plan: Plan, results: list[Result]) -> None:
    feedback_dir.mkdir(parents=True, exist_ok=True)
    for r in results:
        (feedback_dir / feedback_name(r, results)).write_text(feedback_markdown(plan, r), encoding="utf-8")
