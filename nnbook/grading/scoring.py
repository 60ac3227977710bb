"""Scoring: compare each case with the reference (in the grading process) and add up points."""

from __future__ import annotations

from dataclasses import dataclass, field

from nnbook.grading.compare import coarse, compare
from nnbook.grading.plan import Plan
from nnbook.grading.spec import Spec


@dataclass
class Case:
    qid: str
    test: str
    index: int
    status: str  # passed, wrong, error, not attempted, not plain data, timeout, crashed, not run
    detail: str = ""


@dataclass
class Result:
    """One submission's grade."""

    student: str
    file: str
    status: str = "graded"  # graded, graded with issues, rejected
    reasons: list[str] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)
    cases: list[Case] = field(default_factory=list)
    cell_errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    rel: str = ""  # the file's path relative to the submissions folder
    isolation: str = ""  # 'bubblewrap', or 'none' (the Python-level guard only)

    @property
    def total(self) -> float:
        return round(sum(self.scores.values()), 2)


def case_failure(spec: Spec, value, ref) -> str | None:
    """None when a case's value (plain data from the kernel) passes against the reference's, else
    what the feedback says about it (never the expected value). An ``arguments`` case passes only
    when the arguments after the call and the call's result are both right."""
    has_part, got = spec.select(value)
    if not has_part:
        return f"wrong type: expected a tuple with an item {spec.part}"
    expected = spec.select(ref)[1]
    if compare(got, expected, spec.rtol, spec.atol) is not None:
        return ("after the call: " if spec.arguments else "") + coarse(got, expected)
    if spec.arguments and compare(value[0], ref[0], spec.rtol, spec.atol) is not None:
        return "left as they came, but this counts only when the call's result is right, and it is not"
    return None


def score_cases(result: Result, plan: Plan, outcomes) -> None:
    """Compare each case with the reference (here, in the grading process) and add up points."""
    for spec, cases in zip(plan.specs, outcomes):
        passed = 0
        for i, ((status, value), ref) in enumerate(zip(cases, spec.reference), 1):
            if status == "value":
                msg = case_failure(spec, value, ref)
                passed += msg is None
                result.cases.append(Case(spec.qid, spec.title, i, "passed" if msg is None else "wrong", msg or ""))
            else:
                result.cases.append(Case(spec.qid, spec.title, i, status, str(value)[:300]))
        result.scores[spec.qid] = round(
            result.scores.get(spec.qid, 0.0) + spec.points * passed / len(spec.reference), 4
        )
    result.scores = {q: round(v, 2) for q, v in result.scores.items()}
