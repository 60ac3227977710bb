"""Grade the same class of submissions with nbgrader's autograder, for a throughput comparison.

A nnbook master is converted to an nbgrader source notebook: solution blocks keep their markers
(nbgrader uses the same ``### BEGIN SOLUTION`` / ``### END SOLUTION``), one-line ``### SOLUTION``
answers become blocks, and each question's hidden tests become one autograded test cell that
compares the student's results with the reference results on the same hidden inputs: the hidden
tests and reference results are those of nnbook's own reference run (``reference_plan``). nbgrader runs
in its own virtual environment (``.venv-nbgrader``, created on first use from PyPI) so that its pins
never touch the book's; its kernels use the book's Python, so both graders execute the same code.
"""

from __future__ import annotations

import base64
import copy
import json
import pickle
import re
import subprocess
import sys
from pathlib import Path

import nbformat

from benchmarks.measure import ROOT, Run, run_measured
from nnbook.grading.kernel import Limits
from nnbook.grading.master import is_hidden, read_master
from nnbook.grading.reference import reference_plan
from nnbook.grading.spec import Spec

NBGRADER_VERSION = "0.9.6"
VENV = ROOT / ".venv-nbgrader"
ONE_LINE = re.compile(r"^(\s*)(.*?)\s*### SOLUTION\s*$")


def nbgrader_env() -> Path:
    """The nbgrader executable, installing it into its own venv the first time."""
    exe = VENV / "bin" / "nbgrader"
    if not exe.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run(
            [
                str(VENV / "bin" / "pip"),
                "install",
                "--quiet",
                "--disable-pip-version-check",
                f"nbgrader=={NBGRADER_VERSION}",
            ],
            check=True,
        )
    return exe


def _blockify(source: str) -> str:
    """``x = 1  ### SOLUTION`` lines as nbgrader solution blocks."""
    out = []
    for line in source.splitlines():
        m = ONE_LINE.match(line)
        if m:
            ind = m.group(1)
            out += [f"{ind}### BEGIN SOLUTION", f"{ind}{m.group(2)}", f"{ind}### END SOLUTION"]
        else:
            out.append(line)
    return "\n".join(out)


def _strip_solutions(source: str) -> str:
    """The reference code: markers removed, solutions kept."""
    return "\n".join(
        ONE_LINE.sub(r"\1\2", l)
        for l in source.splitlines()
        if l.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION")
    )


def _hidden_specs(master: Path) -> list[Spec]:
    """The master's hidden tests with their reference results, from nnbook's own reference run
    (the one master reader and the one ``Spec``: what nbgrader checks is what nnbook grades)."""
    return reference_plan(master, Limits()).specs


def _test_cell(qid: str, specs: list[Spec]) -> nbformat.NotebookNode:
    """One autograded cell: each hidden test's cases against the reference results, the graded
    part of a tuple result only where the spec grades a part."""
    payload = base64.b64encode(pickle.dumps([{**s.to_dict(), "expected": s.reference} for s in specs])).decode()
    src = (
        "### BEGIN HIDDEN TESTS\n"
        "import base64, pickle\nimport numpy as np\n"
        "def _check(got, exp, rtol, atol):\n"
        "    if isinstance(exp, (list, tuple)) and any(isinstance(e, (list, tuple, np.ndarray)) for e in exp):\n"
        "        assert isinstance(got, (list, tuple)) and len(got) == len(exp), 'wrong structure'\n"
        "        for g, e in zip(got, exp):\n"
        "            _check(g, e, rtol, atol)\n"
        "    elif isinstance(exp, str):\n"
        "        assert got == exp\n"
        "    else:\n"
        "        np.testing.assert_allclose(np.asarray(got, dtype=float), np.asarray(exp, dtype=float), rtol=rtol, atol=atol)\n"
        f"for _s in pickle.loads(base64.b64decode('{payload}')):\n"
        "    for _args, _exp in zip(_s['inputs'] if _s['call'] else [None], _s['expected']):\n"
        "        _got = globals()[_s['call']](*_args) if _s['call'] else globals()[_s['value']]\n"
        "        if _s['part'] is not None:\n"
        "            _got, _exp = _got[_s['part']], _exp[_s['part']]\n"
        "        _check(_got, _exp, _s['rtol'], _s['atol'])\n"
        "### END HIDDEN TESTS"
    )
    cell = nbformat.v4.new_code_cell(src)
    cell.metadata["nbgrader"] = {
        "grade": True,
        "grade_id": f"{qid}_hidden",
        "locked": True,
        "points": sum(s.points for s in specs),
        "solution": False,
        "schema_version": 3,
    }
    return cell


def nbgrader_source(master: Path) -> nbformat.NotebookNode:
    """The master (MyST Markdown or .ipynb) as an nbgrader source notebook (see the module docstring)."""
    nb = read_master(master).nb
    specs = _hidden_specs(master)
    out = copy.deepcopy(nb)
    out.cells = []
    for i, cell in enumerate(nb.cells):
        if is_hidden(cell):
            continue
        c = copy.deepcopy(cell)
        if c.cell_type == "code" and "SOLUTION" in c.source:
            c.source = _blockify(c.source)
            c.metadata["nbgrader"] = {
                "grade": False,
                "grade_id": f"solution_{i}",
                "locked": False,
                "solution": True,
                "schema_version": 3,
            }
        out.cells.append(c)
    for qid in dict.fromkeys(s.qid for s in specs):
        out.cells.append(_test_cell(qid, [s for s in specs if s.qid == qid]))
    out.metadata.pop("jupytext", None)
    out.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return out


def grade_with_nbgrader(master_ipynb: Path, answers: dict[str, list[str]], course: Path) -> Run:
    """Generate the assignment, fill each student's solution cells with ``answers[student]`` (in order),
    and time ``nbgrader autograde`` over the whole class."""
    exe = nbgrader_env()
    src_dir = course / "source" / "ps1"
    src_dir.mkdir(parents=True)
    nbformat.write(nbgrader_source(master_ipynb), src_dir / "ps1.ipynb")
    (course / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.CourseDirectory.root = {str(course)!r}\nc.ExecutePreprocessor.timeout = 300\n"
    )
    kernels = course / "jupyter" / "kernels" / "python3"
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "Python 3",
                "language": "python",
            }
        )
    )
    import os

    path = f"{VENV / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"  # nbgrader runs `alembic` from PATH
    env_cmd = [
        "env",
        f"PATH={path}",
        f"JUPYTER_PATH={course / 'jupyter'}",
        f"JUPYTER_CONFIG_DIR={course / 'jupyter-config'}",
    ]
    res = subprocess.run(
        [*env_cmd, str(exe), "generate_assignment", "ps1", "--force"], cwd=course, capture_output=True, text=True
    )
    if res.returncode != 0:
        raise RuntimeError(f"nbgrader generate_assignment failed: {res.stderr[-3000:]}")
    release = nbformat.read(course / "release" / "ps1" / "ps1.ipynb", as_version=4)
    sol_idx = [i for i, c in enumerate(release.cells) if c.metadata.get("nbgrader", {}).get("solution")]
    for student, sources in answers.items():
        if len(sources) != len(sol_idx):
            raise ValueError(f"{student}: {len(sources)} answers for {len(sol_idx)} solution cells")
        nb = copy.deepcopy(release)
        for i, src in zip(sol_idx, sources):
            nb.cells[i].source = src
        d = course / "submitted" / student / "ps1"
        d.mkdir(parents=True)
        nbformat.write(nb, d / "ps1.ipynb")
    run = run_measured([*env_cmd, str(exe), "autograde", "ps1", "--create", "--force"], cwd=course)
    exported = subprocess.run(
        [*env_cmd, str(exe), "export", "--to", str(course / "grades.csv")], cwd=course, capture_output=True, text=True
    )
    if exported.returncode == 0:
        import csv

        with open(course / "grades.csv") as fh:
            run.data["scores"] = {r["student_id"]: float(r["score"]) for r in csv.DictReader(fh)}
    return run
