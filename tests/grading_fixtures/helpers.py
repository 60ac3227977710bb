"""Crafted submissions for the grading tests, made from the toy master's student version."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import nbformat

from nnbook.grading.master import is_hidden, read_master
from nnbook.grading.release import student_version

HERE = Path(__file__).resolve().parent
TOY = HERE / "ch99_toy.md"

SCALE_OK = "def scale(x, a):\n    return np.asarray(x, dtype=float) * a"
Q2_OK = "answer_q2 = 6.0"
ROWS_OK = (
    "def row_means(m):\n    means = np.asarray(m, dtype=float).mean(axis=1)\n    return means, int(np.argmax(means))"
)
CORRECT = {"def scale": SCALE_OK, "answer_q2 =": Q2_OK, "def row_means": ROWS_OK}


def student_nb(master: Path = TOY) -> nbformat.NotebookNode:
    return student_version(read_master(master))[0]


def reference_nb(master: Path = TOY) -> nbformat.NotebookNode:
    """The master's solutions, without its hidden cells, as a student would hand them in."""
    m = read_master(master)
    nb = copy.deepcopy(m.nb)
    nb.cells = [c for c in nb.cells if not is_hidden(c)]
    nb.metadata.pop("jupytext", None)
    nb.metadata["nnbook"] = student_nb(master).metadata["nnbook"]
    return nb


def submission(
    replace: dict[str, str] | None = None, before: list[str] = (), after: list[str] = ()
) -> nbformat.NotebookNode:
    """The toy student notebook with the cell starting with each key replaced by its value, extra
    code cells inserted after the set-up cell (``before``) and at the end (``after``)."""
    nb = student_nb()
    for cell in nb.cells:
        for key, code in (replace or {}).items():
            if cell.cell_type == "code" and cell.source.lstrip().startswith(key):
                cell.source = code
    extra = [nbformat.v4.new_code_cell(src) for src in before]
    nb.cells = nb.cells[:2] + extra + nb.cells[2:] + [nbformat.v4.new_code_cell(src) for src in after]
    return nb


def write(folder: Path, name: str, nb) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(nb, (str, bytes)):
        path.write_bytes(nb if isinstance(nb, bytes) else nb.encode())
    else:
        nbformat.write(nb, path)
    return path


def other_chapter() -> str:
    nb = student_nb()
    nb.metadata["nnbook"]["chapter"] = "ch02_other"
    return json.dumps(nb)
