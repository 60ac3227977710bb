"""Shared test configuration: report the GPU-tagged notebook cells and whether they ran."""
from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NBVAL_DIR = ROOT / "_build" / "nbval"
MANIFEST = NBVAL_DIR / "manifest.json"


def pytest_collection_modifyitems(session, config, items):
    config._nnbook_notebook_items = sum(1 for i in items if NBVAL_DIR in Path(str(i.fspath)).parents)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not getattr(config, "_nnbook_notebook_items", 0) or not MANIFEST.is_file():
        return
    manifest = json.loads(MANIFEST.read_text())
    n_gpu = sum(nb["gpu_cells"] for nb in manifest["notebooks"].values())
    n_nb = len(manifest["notebooks"])
    if manifest["cuda"]:
        note = f"{n_gpu} GPU cell(s) ran on CUDA"
    else:
        note = f"{n_gpu} GPU cell(s) skipped: no CUDA device (each shows a visible 'Skipped' note)"
    terminalreporter.write_sep("-", f"notebooks: {n_nb} executed under nbval; {note}")
