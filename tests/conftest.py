"""Shared test configuration: a Hypothesis profile for shared machines, and a report of the
GPU-tagged notebook cells and whether they ran."""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# The machines that run the tests are shared and noisy: a property is judged by its result,
# never by how long one example took (Hypothesis's default deadline is 200 ms).
settings.register_profile("nnbook", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("nnbook")

# tqdm's monitor thread only retunes the refresh rate of slow loops; in a forked test worker
# (mutmut, pytest-xdist) a thread inherited mid-lock can deadlock the progress bar
import tqdm  # noqa: E402

tqdm.tqdm.monitor_interval = 0


@pytest.fixture(autouse=True)
def _close_figures():
    """Close the figures a test drew, so a worker does not keep hundreds of them open."""
    yield
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


ROOT = Path(__file__).resolve().parent.parent
NBVAL_DIR = ROOT / "_build" / "nbval"
MANIFEST = NBVAL_DIR / "manifest.json"


def _runs_notebooks(config) -> bool:
    """True when the exported notebooks are among the paths given to pytest (as `make test` does)."""
    for arg in config.args:
        path = Path(config.invocation_params.dir, arg.split("::")[0]).resolve()
        if path == NBVAL_DIR or NBVAL_DIR in path.parents:
            return True
    return False


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not _runs_notebooks(config) or not MANIFEST.is_file():
        return
    manifest = json.loads(MANIFEST.read_text())
    n_gpu = sum(nb["gpu_cells"] for nb in manifest["notebooks"].values())
    n_nb = len(manifest["notebooks"])
    if manifest["cuda"]:
        note = f"{n_gpu} GPU cell(s) ran on CUDA"
    else:
        note = f"{n_gpu} GPU cell(s) skipped: no CUDA device (each shows a visible 'Skipped' note)"
    terminalreporter.write_sep("-", f"notebooks: {n_nb} exported for nbval; {note}")


@contextlib.contextmanager
def book_build_lock():
    """One `jupyter-book build` at a time across test workers: the tiny test books use the real
    configuration and its Sphinx extension, which share files (vendored assets, fonts) with the
    full build of tests/test_browser.py."""
    import fcntl

    lock = ROOT / "_build" / ".book-build.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    with open(lock, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@pytest.fixture
def one_torch_thread():
    """The book runs with one thread (``make`` sets OMP_NUM_THREADS=1), as every worker does: torch's
    CPU kernels sum in a different order with more threads, so only one-thread runs are comparable."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
