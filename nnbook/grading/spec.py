"""The one description of a hidden test (``Spec``).

A Spec is made by ``hidden_test`` in the master's kernel, crosses to the grader as a dict of plain
data (``to_dict``/``from_dict``), and there collects the reference results.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from nnbook.grading.compare import ATOL, RTOL

FIELDS = ("qid", "points", "call", "value", "inputs", "rtol", "atol", "public")


class GradingError(RuntimeError):
    """The master itself cannot be graded against (it fails, or declares no hidden tests)."""


@dataclass
class Spec:
    """A hidden test: call ``call`` on each of ``inputs``, or read the variable ``value``.

    ``public`` holds the arguments (canonical JSON) the question's public tests pass to ``call``;
    ``reference`` the reference results (grader side); ``where`` the master cell that declared it
    (kernel side: re-running a cell replaces its tests)."""

    qid: str
    points: float
    call: str | None = None
    value: str | None = None
    inputs: list = field(default_factory=list)
    rtol: float = RTOL
    atol: float = ATOL
    public: list[str] = field(default_factory=list)
    reference: list = field(default_factory=list)
    where: tuple = ()

    @property
    def name(self) -> str:
        return self.call or self.value

    @property
    def cases(self) -> list:
        return self.inputs if self.call else [[]]

    def to_dict(self) -> dict:
        """Plain data (for nnbook.grading.plain.encode): everything but the kernel-side ``where``
        and the grader-side ``reference``."""
        d = {k: getattr(self, k) for k in FIELDS}
        d["inputs"] = [list(args) for args in self.inputs]
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Spec":
        missing = [k for k in FIELDS if k not in d]
        if missing:
            raise ValueError(f"a hidden-test description without {missing}")
        return cls(str(d["qid"]), float(d["points"]), d["call"], d["value"], list(d["inputs"]), float(d["rtol"]),
                   float(d["atol"]), list(d["public"]))
