"""Running a notebook's cells and the hidden-test cases in a sandbox, replaying the good cells
after a hang or crash."""

from __future__ import annotations

import time

from nnbook.grading.kernel import Limits, Sandbox
from nnbook.grading.spec import Spec


class Runner:
    """Execute cells in a sandbox, replaying the good ones after a hang or crash."""

    def __init__(self, sandbox: Sandbox, limits: Limits):
        self.sb, self.limits = sandbox, limits
        self.deadline = time.monotonic() + limits.submission
        self.good: list[str] = []
        self.log: list[str] = []
        self.out_of_time = False
        self.stopped = 0  # cells stopped at the time limit (interrupted or killed)

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def _recover(self) -> bool:
        """Restart after a hang or crash and replay the cells that ran; False if out of budget."""
        while self.left() > 0 and self.sb.restarts < self.limits.max_restarts:
            try:
                self.sb.restart()
            except RuntimeError as e:
                self.log.append(f"the kernel could not be restarted: {e}")
                return False
            for code in list(self.good):
                r = self.sb.execute(code, max(0.1, min(self.limits.cell, self.left())))
                if r.status in ("timeout", "dead"):
                    self.good.remove(code)  # it behaved differently this time: drop it and start over
                    break
            else:
                return True
        return False

    def cell(self, number: int, code: str) -> bool:
        """Run one cell; False once the submission cannot go on."""
        if self.left() <= 0:
            self.out_of_time = True
            return False
        r = self.sb.execute(code, max(0.1, min(self.limits.cell, self.left())))
        first = code.strip().splitlines()[0][:60]
        if r.status in ("ok", "error"):
            self.good.append(code)
            if r.status == "error":
                self.log.append(f"cell {number} (`{first}`) raised {r.error}")
            return True
        timed_out = r.status == "timeout" or "time limit" in r.error
        self.stopped += timed_out
        what = "exceeded the time limit" if timed_out else "crashed the kernel"
        self.log.append(f"cell {number} (`{first}`) {what}; it was skipped")
        if r.status == "dead":
            return self._recover()
        return True

    def case(self, kind: str, name: str, args: list) -> tuple[str, object]:
        if self.left() <= 0:
            self.out_of_time = True
            return "not run", "the submission's time limit was used up"
        if self.sb.km is None and not self._recover():
            return "not run", "the kernel could not be restarted"
        status, value = self.sb.call(kind, name, args, max(0.1, min(self.limits.call, self.left())))
        if status in ("timeout", "crashed") and (self.sb.km is None or not self.sb.km.is_alive()):
            self._recover()
        return status, value


def run_cases(run: Runner, specs: list[Spec]) -> list[list[tuple[str, object]]]:
    """For each spec, the (status, value) of each of its cases."""
    return [[run.case(s.kind, s.name, args) for args in s.cases] for s in specs]
