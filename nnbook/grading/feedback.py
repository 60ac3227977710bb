"""The gradebook (CSV) and one Markdown feedback file per submission."""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from pathlib import Path

from nnbook.grading.plan import Plan
from nnbook.grading.scoring import Result

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
    return ["student", "file", "status", *plan.questions, "total", "max", "isolation", "feedback", "reasons"]


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to a new temporary file next to ``path``, then rename it over ``path``: a
    reader never sees half a file, and whatever was at ``path`` (a FIFO, a link) is replaced, never
    opened or followed."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]#|~])")


def escape(text: str) -> str:
    """Text from a student (file names, error messages, cell sources) made inert in Markdown: no
    HTML, no emphasis, links, headings, tables or code spans, and on one line."""
    text = " ".join(str(text).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def feedback_name(result: Result, results: list[Result]) -> str:
    """feedback/<student>.md, or feedback/<student>__<file>.md when the id is duplicated."""
    dup = sum(r.student == result.student for r in results) > 1
    stem = result.student + ("__" + re.sub(r"[^\w.-]+", "_", result.file) if dup else "")
    return f"{stem}.md"


def write_csv(path: Path, plan: Plan, results: list[Result], feedback_dir: Path | None) -> None:
    """One row per submission, sorted by student id then file name (written atomically)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(columns(plan))
    for r in sorted(results, key=lambda r: (r.student, r.file)):
        fb = str(Path(feedback_dir.name) / feedback_name(r, results)) if feedback_dir else ""
        w.writerow(
            [
                _cell(r.student),
                _cell(r.file),
                r.status,
                *[_num(r.scores.get(q, 0.0)) for q in plan.questions],
                _num(r.total),
                _num(plan.max_points()),
                r.isolation or plan.isolation.label,
                fb,
                _cell(" | ".join(r.reasons)),
            ]
        )
    write_atomic(path, buf.getvalue())


def _cell(text: str) -> str:
    """Text a spreadsheet will not run as a formula (file names come from students)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _num(x: float) -> str:
    return f"{x:g}"


def feedback_markdown(plan: Plan, r: Result) -> str:
    """What passed and what failed, question by question, without hidden inputs or expected values."""
    lines = [f"# Feedback: {escape(plan.chapter)}, {escape(r.student)}", ""]
    for warning in plan.isolation.warnings:
        lines += [f"> **Warning: {escape(warning)}**.", ""]
    lines += [
        f"Submission {escape(r.rel or r.file)}: **{_num(r.total)} / {_num(plan.max_points())} points** ({r.status}).",
        "",
    ]
    if r.reasons:
        lines += ["## Notes", ""] + [f"- {escape(x)}" for x in r.reasons] + [""]
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
                    detail = f": {escape(c.detail)}" if c.detail else ""
                    lines.append(f"  - case {c.index}: {STATUS_TEXT.get(c.status, c.status)}{detail}")
        lines.append("")
    if r.cell_errors:
        lines += ["## When your notebook ran", ""] + [f"- {escape(e)}" for e in r.cell_errors[:20]]
        if len(r.cell_errors) > 20:
            lines.append(f"- ... and {len(r.cell_errors) - 20} more")
        lines.append("")
    return "\n".join(lines)


def write_feedback(feedback_dir: Path, plan: Plan, results: list[Result]) -> None:
    feedback_dir.mkdir(parents=True, exist_ok=True)
    for r in results:
        write_atomic(feedback_dir / feedback_name(r, results), feedback_markdown(plan, r))
