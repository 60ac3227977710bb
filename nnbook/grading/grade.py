"""Grading: run the master as the reference, then every submission in its own sandboxed kernel, and
score hidden tests by comparing plain data in this process."""
from __future__ import annotations

import ast
import json
import os
import re
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from nnbook.grading import plain
from nnbook.grading.compare import compare, coarse
from nnbook.grading.isolation import Isolation, probe
from nnbook.grading.kernel import Limits, Sandbox, read_roots
from nnbook.grading.master import natural_key, read_master

NOTEBOOK_SUFFIX = ".ipynb"
NEEDS_CTYPES = {"torch", "scipy", "sklearn", "pandas"}  # they load native libraries through ctypes


class GradingError(RuntimeError):
    """The master itself cannot be graded against (it fails, or declares no hidden tests)."""


@dataclass
class Spec:
    """A hidden test as the grader holds it: decoded inputs and the reference results."""

    qid: str
    points: float
    call: str | None
    value: str | None
    inputs: list
    rtol: float
    atol: float
    reference: list = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.call or self.value

    @property
    def cases(self) -> list:
        return self.inputs if self.call else [[]]


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


# -- reading code out of notebooks --------------------------------------------------------------------
def code_cells(nb) -> list[tuple[int, str]]:
    """(cell number, source) of each code cell, numbered from 1 over all cells."""
    out = []
    for i, cell in enumerate(nb.get("cells", []), 1):
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            src = cell.get("source", "")
            src = "".join(src) if isinstance(src, list) else src
            if isinstance(src, str) and src.strip():
                out.append((i, src))
    return out


def imported_modules(sources: list[str]) -> list[str]:
    """Top-level modules the master imports: the grader imports them before guarding the kernel."""
    mods: list[str] = []
    for src in sources:
        try:
            tree = ast.parse("\n".join(line for line in src.splitlines() if not line.lstrip().startswith(("%", "!"))))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module] if isinstance(node, ast.ImportFrom) and node.module and not node.level else [])
            for name in names:
                if name not in mods:
                    mods.append(name)
    return mods


# -- running a notebook's cells and the hidden-test cases ----------------------------------------------
class _Run:
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
            for i, code in enumerate(list(self.good)):
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


def run_cases(run: _Run, specs: list[Spec]) -> list[list[tuple[str, object]]]:
    """For each spec, the (status, value) of each of its cases."""
    return [[run.case("call" if s.call else "value", s.name, args) for args in s.cases] for s in specs]


# -- the reference ------------------------------------------------------------------------------------
def reference_plan(master_path: Path, limits: Limits, isolation: Isolation | None = None) -> Plan:
    """Run the master (solutions and hidden cells) in a sandbox: the hidden tests and their
    reference results. Kernels load ctypes only when the master imports PyTorch (which needs it
    to load), and ``nnbook check`` says so. Raises GradingError if the master fails."""
    where = Path(master_path).resolve()
    for root in read_roots():
        if where.is_relative_to(root):
            raise GradingError(f"{master_path} lies inside {root}, which students' kernels may read; "
                               "keep masters outside the Python environment and the nnbook package")
    master = read_master(master_path)
    cells = code_cells(master.nb)
    preload = imported_modules([src for _, src in cells])
    allow_ctypes = any(m.split(".")[0] in NEEDS_CTYPES for m in preload)
    ref_limits = Limits(cell=max(limits.cell, 120), call=max(limits.call, 60), submission=max(limits.submission, 900),
                        startup=limits.startup, memory_mb=limits.memory_mb, max_restarts=0)
    isolation = isolation if isolation is not None else probe()
    with Sandbox(ref_limits, preload, allow_ctypes=allow_ctypes, isolation=isolation) as sb:
        sb.start()
        run = _Run(sb, ref_limits)
        for number, code in cells:
            r = sb.execute(code, ref_limits.cell)
            if r.status != "ok":
                raise GradingError(f"{master_path}: the master fails at cell {number}: {r.status} {r.error}")
        out = sb.work / "tmp" / "specs.json"
        r = sb.execute(f"import nnbook.grading.agent as _a; _a.dump_specs({str(out)!r})", ref_limits.cell)
        if r.status != "ok":
            raise GradingError(f"{master_path}: could not collect the hidden tests: {r.error}")
        raw = plain.decode(out.read_text())
        specs = [Spec(d["qid"], float(d["points"]), d["call"], d["value"], d["inputs"], float(d["rtol"]), float(d["atol"]))
                 for d in raw]
        repeats = [_repeated_publicly(spec, d["public"]) for spec, d in zip(specs, raw)]
        if not specs:
            raise GradingError(f"{master_path}: the master declares no hidden tests")
        for spec, results in zip(specs, run_cases(run, specs)):
            for i, (status, value) in enumerate(results):
                if status != "value":
                    raise GradingError(f"{master_path}: the reference solution fails hidden test {spec.qid} "
                                       f"({spec.name}) case {i + 1}: {status} {value}")
                spec.reference.append(value)
    plan = Plan(master.chapter, specs, limits, preload, allow_ctypes, isolation)
    plan.problems = [r for r in repeats if r]
    return plan


def _repeated_publicly(spec: Spec, public: list) -> str:
    """A problem if every hidden input of ``spec`` is one its public tests already use (a student
    could pass the hidden test by hard-coding what the public test shows)."""
    if not spec.call or not public:
        return ""
    seen = set(public)  # canonical JSON text of each public call's arguments
    hidden = [json.dumps(plain._to_tree(list(args)), sort_keys=True) for args in spec.inputs]
    if all(h in seen for h in hidden):
        return (f"{spec.qid}: every hidden input of {spec.call} is also used by a public test; "
                "hide at least one input the public tests do not show")
    return ""


# -- one submission ---------------------------------------------------------------------------------
MAX_SUBMISSION_BYTES = 50 * 2**20


def read_private(path: Path) -> bytes:
    """The file's bytes, read once: never through a symbolic link, never blocking on a FIFO or
    device, at most MAX_SUBMISSION_BYTES. Raises OSError (with a readable strerror) otherwise."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise OSError(0, "not a regular file (a FIFO, device or socket)")
        if st.st_size > MAX_SUBMISSION_BYTES:
            raise OSError(0, f"larger than {MAX_SUBMISSION_BYTES // 2**20} MiB")
        with os.fdopen(fd, "rb", closefd=False) as f:
            return f.read(MAX_SUBMISSION_BYTES + 1)[:MAX_SUBMISSION_BYTES]
    finally:
        os.close(fd)


@dataclass
class Submission:
    """One submitted file, copied into the grader's memory before any kernel starts."""

    student: str
    path: Path  # for messages only: the file is never read again
    rel: str  # relative to the submissions folder
    data: bytes | None = None
    error: str = ""

    @classmethod
    def take(cls, student: str, path: Path, root: Path | None = None) -> "Submission":
        rel = str(path.relative_to(root)) if root is not None else path.name
        try:
            return cls(student, path, rel, read_private(path))
        except OSError as e:
            return cls(student, path, rel, None, f"cannot read the file: {e.strerror or e}")


def load_submission(path: Path, chapter: str, data: bytes | None = None) -> tuple[nbformat.NotebookNode | None, list[str]]:
    """The submission's notebook (None if unusable) and the reasons to report."""
    reasons = []
    if data is None:
        try:
            data = read_private(path)
        except OSError as e:
            return None, [f"cannot read the file: {e.strerror or e}"]
    if not data.strip():
        return None, ["empty file"]
    if data[:4] in (b"%PDF", b"PK\x03\x04") or b"\x00" in data[:1024]:
        return None, ["not a notebook: a binary file (PDF, ZIP or similar) renamed to " + path.suffix]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None, ["not a notebook: the file is not UTF-8 text"]
    if path.suffix == ".md" and text.startswith("---") and "jupytext" in text[:2000]:
        import jupytext

        nb = jupytext.reads(text, fmt="md:myst")
    else:
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as e:
            return None, [f"not a notebook: invalid JSON ({e.msg} at line {e.lineno})"]
        except RecursionError:
            return None, ["not a notebook: JSON nested too deeply to read"]
        version = raw.get("nbformat") if isinstance(raw, dict) else None
        if version == 3 and isinstance(raw.get("worksheets"), list):
            try:  # an old notebook (IPython 2): cells in worksheets; convert it
                nb = nbformat.convert(nbformat.from_dict(raw), 4)
            except Exception as e:  # nbformat raises many kinds of errors on odd input
                return None, [f"not a notebook: an nbformat 3 notebook that cannot be converted: {type(e).__name__}"]
            reasons.append("an old notebook (nbformat 3), converted to nbformat 4")
        elif not (isinstance(raw, dict) and isinstance(raw.get("cells"), list)):
            return None, ["not a notebook: JSON without a list of cells"]
        else:
            try:
                nb = nbformat.from_dict(raw)
            except Exception as e:  # nbformat raises many kinds of errors on odd input
                return None, [f"not a notebook: {type(e).__name__}: {e}"[:200]]
        if path.suffix != NOTEBOOK_SUFFIX:
            reasons.append(f"a notebook saved as {path.suffix or 'a file without extension'}; graded anyway")
    meta = nb.get("metadata", {}).get("nnbook", {})
    if isinstance(meta, dict) and meta.get("chapter") and meta["chapter"] != chapter:
        return None, [f"wrong chapter: this is the notebook of {meta['chapter']!s:.40}, expected {chapter}"]
    if not isinstance(meta, dict) or not meta.get("chapter"):
        reasons.append("the notebook has no nnbook release metadata (not made from the released notebook?); graded anyway")
    return nb, reasons


def grade_submission(sub: Submission | Path, student: str | None = None, plan: Plan | None = None) -> Result:
    """Grade one submission (taken with ``Submission.take``; a path is taken here). Never raises:
    problems become reasons in the Result."""
    if not isinstance(sub, Submission):
        sub = Submission.take(student, Path(sub))
    t0 = time.monotonic()
    result = Result(sub.student, sub.path.name, rel=sub.rel, isolation=plan.isolation.kind,
                    scores={q: 0.0 for q in plan.questions})
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
        with Sandbox(plan.limits, plan.preload, files={sub.path.name: data}, allow_ctypes=plan.allow_ctypes,
                     isolation=plan.isolation) as sb:
            try:
                sb.start()
            except RuntimeError as e:
                result.status, result.reasons = "rejected", result.reasons + [str(e)]
                return result
            run = _Run(sb, plan.limits)
            for number, code in cells:
                if not run.cell(number, code):
                    break
            outcomes = run_cases(run, plan.specs)
            result.cell_errors = run.log
            if run.stopped:
                result.reasons.append(f"{run.stopped} cell(s) were stopped at the time limit of "
                                      f"{plan.limits.cell:g} s per cell; later cells ran without them")
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


def score_cases(result: Result, plan: Plan, outcomes) -> None:
    """Compare each case with the reference (here, in the grading process) and add up points."""
    for spec, cases in zip(plan.specs, outcomes):
        passed = 0
        for i, ((status, value), ref) in enumerate(zip(cases, spec.reference), 1):
            if status == "value":
                msg = compare(value, ref, spec.rtol, spec.atol)
                if msg is None:
                    passed += 1
                    result.cases.append(Case(spec.qid, spec.name, i, "passed"))
                else:
                    result.cases.append(Case(spec.qid, spec.name, i, "wrong", coarse(value, ref)))
            else:
                result.cases.append(Case(spec.qid, spec.name, i, status, str(value)[:300]))
        result.scores[spec.qid] = round(result.scores.get(spec.qid, 0.0) + spec.points * passed / len(spec.reference), 4)
    result.scores = {q: round(v, 2) for q, v in result.scores.items()}


# -- the class ---------------------------------------------------------------------------------------
_ID_CHARS = re.compile(r"[^\w.@+-]+")


def student_id(path: Path, root: Path) -> str:
    """The student id: the file name without extension, or the folder name for DIR/<id>/<file>."""
    rel = path.relative_to(root)
    raw = rel.parts[0] if len(rel.parts) > 1 else path.name.split(".", 1)[0] if not path.name.startswith(".") else path.name
    return _ID_CHARS.sub("_", raw).strip("_+-@.") or "unnamed"


def find_submissions(root: Path, exclude: tuple[Path, ...] = ()) -> list[tuple[str, Path]]:
    """(student id, file) for every file in ``root`` and its direct subfolders, skipping hidden
    ones (names starting with '.' or '_') and the paths in ``exclude`` (the grader's own output)."""
    found = []
    skip = {p.resolve() for p in exclude}
    for p in sorted(root.iterdir()):
        if p.name.startswith((".", "_")) or p.resolve() in skip:
            continue
        if p.is_dir():
            found += [(student_id(q, root), q) for q in sorted(p.iterdir()) if q.is_file() and not q.name.startswith(".")]
        elif p.is_file():
            found.append((student_id(p, root), p))
    return found


def mark_duplicates(results: list[Result]) -> None:
    """Every submission of a duplicated student id is graded and kept, flagged for the teacher."""
    by_id: dict[str, list[Result]] = {}
    for r in results:
        by_id.setdefault(r.student, []).append(r)
    for sid, group in by_id.items():
        if len(group) > 1:
            files = ", ".join(r.rel or r.file for r in group)
            for r in group:
                r.reasons.append(f"duplicated student id {sid!r}: {len(group)} submissions ({files}); "
                                 "each is graded, keep the right one by hand")
                if r.status == "graded":
                    r.status = "graded with issues"
