"""Measuring tools: wall time and peak memory of a child process tree, notebook execution with cell times."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Run:
    seconds: float
    peak_mib: float  # largest resident set of any process in the child's tree
    returncode: int
    stdout: str = ""
    stderr: str = ""
    data: dict = field(default_factory=dict)


def run_measured(cmd: list[str], *, cwd: Path = ROOT, timeout: float = 1800) -> Run:
    """Run ``cmd`` to completion; its wall time and the peak resident set of the largest single process
    among it and its descendants.

    The peak is ``getrusage(RUSAGE_CHILDREN).ru_maxrss`` read in a fresh helper process, so earlier
    measurements of this process do not mask it. On Linux that is the largest maximum RSS of any
    descendant that was waited for (a Jupyter kernel is: its client shuts it down and reaps it); it is
    not the sum over processes running at the same time.
    """
    wrapper = (
        "import json, resource, subprocess, sys, time\n"
        "t0 = time.perf_counter()\n"
        "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "dt = time.perf_counter() - t0\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "print(json.dumps({'seconds': dt, 'peak_mib': peak, 'rc': p.returncode, 'out': p.stdout[-20000:], 'err': p.stderr[-20000:]}))\n"
    )
    res = subprocess.run(
        [sys.executable, "-c", wrapper, *cmd], cwd=cwd, capture_output=True, text=True, timeout=timeout
    )
    if res.returncode != 0:
        raise RuntimeError(f"measuring {cmd} failed: {res.stderr[-2000:]}")
    d = json.loads(res.stdout.strip().splitlines()[-1])
    return Run(d["seconds"], d["peak_mib"], d["rc"], d["out"], d["err"])


EXECUTE_ONE = """
import json, sys, time
import nbformat
from nbclient import NotebookClient
path = sys.argv[1]
nb = nbformat.read(path, as_version=4)
client = NotebookClient(nb, timeout=600, kernel_name="python3", record_timing=True,
                        resources={"metadata": {"path": sys.argv[2]}})
t0 = time.perf_counter()
client.execute()
total = time.perf_counter() - t0
from datetime import datetime
cells = []
for i, c in enumerate(nb.cells):
    ex = c.get("metadata", {}).get("execution", {})
    a, b = ex.get("iopub.execute_input"), ex.get("shell.execute_reply")
    if c.cell_type == "code" and a and b:
        dt = (datetime.fromisoformat(b.replace("Z", "+00:00")) - datetime.fromisoformat(a.replace("Z", "+00:00"))).total_seconds()
        cells.append({"index": i, "seconds": dt, "gpu": "gpu" in c.get("metadata", {}).get("tags", []),
                      "first_line": c.source.splitlines()[0][:80] if c.source else ""})
print(json.dumps({"total": total, "cells": cells}))
"""


def kernel_python(name: str = "python3") -> str:
    """The Python that the Jupyter kernel ``name`` starts (argv[0] of its kernelspec)."""
    from jupyter_client.kernelspec import KernelSpecManager

    return KernelSpecManager().get_kernel_spec(name).argv[0]


def check_kernel(name: str = "python3") -> None:
    """Refuse to measure when the kernel would run another environment's Python (and so another
    checkout's nnbook): a kernelspec copied with a virtual environment still points at the original."""
    exe = kernel_python(name)
    here = Path(sys.executable).parent
    if Path(exe).is_absolute() and Path(exe).parent != here:
        raise RuntimeError(
            f"the Jupyter kernel {name!r} runs {exe}, not this environment's Python in {here}: notebooks would "
            f"execute another checkout's code. Reinstall it: {sys.executable} -m ipykernel install --sys-prefix "
            f'--name {name} --display-name "Python 3"'
        )


def execute_notebook(ipynb: Path, workdir: Path) -> Run:
    """Execute one .ipynb in a fresh kernel; returns time, peak memory (kernel included) and per-cell times."""
    run = run_measured([sys.executable, "-c", EXECUTE_ONE, str(ipynb), str(workdir)])
    if run.returncode == 0:
        run.data = json.loads(run.stdout.strip().splitlines()[-1])
    return run


def peak_rss_self_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn, *args, repeats: int = 5, **kw) -> float:
    """The best of ``repeats`` wall times of ``fn(*args, **kw)`` (the minimum is the least noisy estimate)."""
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn(*args, **kw)
        best = min(best, time.perf_counter() - t0)
    return best
