"""The reference run: the master, solutions and hidden cells, in a sandbox like a student's; it
yields the hidden tests and their reference results (the Plan)."""

from __future__ import annotations

import json
from pathlib import Path

from nnbook.grading import plain
from nnbook.grading.intake import code_cells, imported_modules
from nnbook.grading.isolation import Isolation, probe
from nnbook.grading.kernel import Limits, Sandbox, read_roots
from nnbook.grading.master import read_master
from nnbook.grading.plan import Plan
from nnbook.grading.runner import Runner, run_cases
from nnbook.grading.spec import GradingError, Spec

NEEDS_CTYPES = {"torch", "scipy", "sklearn", "pandas"}  # they load native libraries through ctypes


def reference_plan(master_path: Path, limits: Limits, isolation: Isolation | None = None) -> Plan:
    """Run the master (solutions and hidden cells) in a sandbox: the hidden tests and their
    reference results. Kernels load ctypes only when the master imports PyTorch (which needs it
    to load), and ``nnbook check`` says so. Raises GradingError if the master fails."""
    where = Path(master_path).resolve()
    for root in read_roots():
        if where.is_relative_to(root):
            raise GradingError(
                f"{master_path} lies inside {root}, which students' kernels may read; "
                "keep masters outside the Python environment and the nnbook package"
            )
    master = read_master(master_path)
    cells = code_cells(master.nb)
    preload = imported_modules([src for _, src in cells])
    allow_ctypes = any(m.split(".")[0] in NEEDS_CTYPES for m in preload)
    ref_limits = Limits(
        cell=max(limits.cell, 120),
        call=max(limits.call, 60),
        submission=max(limits.submission, 900),
        startup=limits.startup,
        memory_mb=limits.memory_mb,
        max_restarts=0,
    )
    isolation = isolation if isolation is not None else probe()
    with Sandbox(ref_limits, preload, allow_ctypes=allow_ctypes, isolation=isolation) as sb:
        sb.start()
        run = Runner(sb, ref_limits)
        for number, code in cells:
            r = sb.execute(code, ref_limits.cell)
            if r.status != "ok":
                raise GradingError(f"{master_path}: the master fails at cell {number}: {r.status} {r.error}")
        out = sb.work / "tmp" / "specs.json"
        r = sb.execute(f"import nnbook.grading.agent as _a; _a.dump_specs({str(out)!r})", ref_limits.cell)
        if r.status != "ok":
            raise GradingError(f"{master_path}: could not collect the hidden tests: {r.error}")
        specs = [Spec.from_dict(d) for d in plain.decode(out.read_text())]
        repeats = [_repeated_publicly(spec) for spec in specs]
        if not specs:
            raise GradingError(f"{master_path}: the master declares no hidden tests")
        for spec, results in zip(specs, run_cases(run, specs)):
            for i, (status, value) in enumerate(results):
                if status != "value":
                    raise GradingError(
                        f"{master_path}: the reference solution fails hidden test {spec.qid} "
                        f"({spec.name}) case {i + 1}: {status} {value}"
                    )
                spec.reference.append(value)
    plan = Plan(master.chapter, specs, limits, preload, allow_ctypes, isolation)
    plan.problems = [r for r in repeats if r]
    return plan


def _repeated_publicly(spec: Spec) -> str:
    """A problem if every hidden input of ``spec`` is one its public tests already use (a student
    could pass the hidden test by hard-coding what the public test shows)."""
    if not spec.call or not spec.public:
        return ""
    seen = set(spec.public)  # canonical JSON text of each public call's arguments
    hidden = [json.dumps(plain.to_tree(list(args)), sort_keys=True) for args in spec.inputs]
    if all(h in seen for h in hidden):
        return (
            f"{spec.qid}: every hidden input of {spec.call} is also used by a public test; "
            "hide at least one input the public tests do not show"
        )
    return ""
