"""A grading job (``Plan``): the hidden tests with their reference results, the limits, what the
kernels import, and how they are isolated; no paths to the master."""

from __future__ import annotations

from dataclasses import dataclass, field

from nnbook.grading.isolation import Isolation, probe
from nnbook.grading.kernel import Limits
from nnbook.grading.master import natural_key
from nnbook.grading.spec import Spec


@dataclass
class Plan:
    """Everything a worker needs to grade one submission; no paths to the master."""

    chapter: str
    specs: list[Spec]
    limits: Limits
    preload: list[str]
    allow_ctypes: bool = False
    isolation: Isolation = field(default_factory=probe)
    problems: list[str] = field(default_factory=list)  # what ``nnbook check`` fails a master for

    @property
    def questions(self) -> list[str]:
        return sorted({s.qid for s in self.specs}, key=natural_key)

    def max_points(self, qid: str | None = None) -> float:
        return sum(s.points for s in self.specs if qid is None or s.qid == qid)
