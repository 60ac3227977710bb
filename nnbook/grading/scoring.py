"""Scoring: compare each case with the reference (in the grading process) and add up points."""

from __future__ import annotations

from dataclasses import dataclass, field

from nnbook.grading.compare import coarse, compare
from nnbook.grading.plan import Plan


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


def score_cases(result: Result, plan: Plan, outcomes) -> None:
    """Compare each case with the reference (here, in the grading process) and add up points."""
    for spec, cases in zip(plan.specs, outcomes):
        passed = 0
        for i, ((status, value), ref) in enumerate(zip(cases, spec.reference), 1):
            if status == "value":
                has_part, got = spec.select(value)
                expected = spec.select(ref)[1]
                msg = compare(got, expected, spec.rtol, spec.atol) if has_part else "no such part"
                if msg is None:
                    passed += 1
                    result.cases.append(Case(spec.qid, spec.title, i, "passed"))
                elif not has_part:
                    result.cases.append(
                        Case(spec.qid, spec.title, i, "wrong", f"wrong type: expected a tuple with an item {spec.part}")
                    )
                else:
                    result.cases.append(Case(spec.qid, spec.title, i, "wrong", coarse(got, expected)))
            else:
                result.cases.append(Case(spec.qid, spec.title, i, status, str(value)[:300]))
        result.scores[spec.qid] = round(
            result.scores.get(spec.qid, 0.0) + spec.points * passed / len(spec.reference), 4
        )
    result.scores = {q: round(v, 2) for q, v in result.scores.items()}
