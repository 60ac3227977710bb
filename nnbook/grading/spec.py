"""The one description of a hidden test (``Spec``).

A Spec is made by ``hidden_test`` in the master's kernel, crosses to the grader as a dict of plain
data (``to_dict``/``from_dict``), and there collects the reference results.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nnbook.grading.compare import ATOL, RTOL

FIELDS = ("qid", "points", "call", "value", "inputs", "rtol", "atol", "public", "part", "label", "arguments")
OPTIONAL = {"part": None, "label": "", "arguments": False}  # fields added later: older descriptions may lack them


class GradingError(RuntimeError):
    """The master itself cannot be graded against (it fails, or declares no hidden tests)."""


@dataclass
class Spec:
    """A hidden test: call ``call`` on each of ``inputs``, or read the variable ``value``.

    ``part`` (an index) grades one item of a function's tuple result, so a question's points can
    be split over the parts of its answer; ``label`` names that part in the feedback.
    ``arguments`` grades the list of arguments as the call leaves them (``part`` then picks one
    argument): a function that changes its arguments in place differs there from the reference,
    which leaves them as they came. Its cases are pairs (the call's result, the arguments after
    the call), and a case passes only when the result is right too (see ``scoring.case_failure``).
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
    part: int | None = None
    label: str = ""
    arguments: bool = False
    reference: list = field(default_factory=list)
    where: tuple = ()

    @property
    def name(self) -> str:
        """The function or variable the kernel is asked for."""
        return self.call or self.value

    @property
    def kind(self) -> str:
        """What the kernel is asked for: 'call' (the result), 'arguments' (the arguments after the
        call) or 'value' (a variable)."""
        return "value" if self.call is None else "arguments" if self.arguments else "call"

    @property
    def title(self) -> str:
        """What the feedback calls this test: ``grads``, ``grads -> dW2`` or ``standardise -> its
        arguments after the call``."""
        if self.arguments:
            what = "its arguments" if self.part is None else f"argument {self.part}"
            return f"{self.name} -> {self.label or f'{what} after the call'}"
        if self.part is None:
            return self.name
        return f"{self.name} -> {self.label or f'item {self.part}'}"

    def select(self, result) -> tuple[bool, object]:
        """(True, the graded part of ``result``), or (False, None) when it has no such part. For
        ``arguments`` tests ``result`` is the pair (result of the call, arguments after it)."""
        if self.arguments:
            if not (isinstance(result, (list, tuple)) and len(result) == 2):
                return False, None
            result = result[1]
        if self.part is None:
            return True, result
        if isinstance(result, (list, tuple)) and -len(result) <= self.part < len(result):
            return True, result[self.part]
        return False, None

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
    def from_dict(cls, d: dict) -> Spec:
        missing = [k for k in FIELDS if k not in d and k not in OPTIONAL]
        if missing:
            raise ValueError(f"a hidden-test description without {missing}")
        d = {**OPTIONAL, **d}
        return cls(
            str(d["qid"]),
            float(d["points"]),
            d["call"],
            d["value"],
            list(d["inputs"]),
            float(d["rtol"]),
            float(d["atol"]),
            list(d["public"]),
            d["part"],
            str(d["label"]),
            bool(d["arguments"]),
        )
