"""Student versions of the masters: solutions replaced by stubs, hidden cells removed, and a
check that nothing of either leaked into the output."""

from __future__ import annotations

import ast
import copy
import hashlib
import re
from pathlib import Path

import jupytext
import nbformat

from nnbook.grading.master import (
    BEGIN,
    END,
    HIDDEN_CALL,
    ONE_LINE,
    Master,
    MasterError,
    is_hidden,
    question_of_cells,
    read_master,
    strip_solutions,
)

MIN_LEAK_CHARS = 12  # shorter solution lines ("return w, b") are too generic to call a leak
NOTEBOOK_SUFFIXES = (".md", ".ipynb")


class LeakError(MasterError):
    """Solution text or a hidden test would reach the student version."""


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _norm(line: str) -> str:
    """A solution line without its trailing comment and whitespace."""
    code = line.split("#", 1)[0] if not line.lstrip().startswith("#") else line
    return _squash(code)


def hidden_arguments(source: str) -> list[str]:
    """The source of each argument in the ``inputs``/``expected`` of hidden_test calls: a hidden
    input shown anywhere in the student version is a leak even if the whole line is not."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    parts = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "hidden_test":
            for kw in node.keywords:
                if kw.arg in ("inputs", "expected") and isinstance(kw.value, (ast.List, ast.Tuple)):
                    for case in kw.value.elts:
                        args = case.elts if isinstance(case, (ast.List, ast.Tuple)) else [case]
                        parts += [ast.get_source_segment(source, a) or "" for a in args]
    return parts


def lines_outside_mistakes(source: str) -> list[str]:
    """The lines of a hidden cell, without those of its ``typical_mistake`` calls: a typical
    mistake repeats the stub's ``def`` line and the like, which the student version shows anyway."""
    lines = source.splitlines()
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return lines
    drop = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "typical_mistake":
            drop.update(range(node.lineno - 1, node.end_lineno))
    return [line for i, line in enumerate(lines) if i not in drop]


def student_version(master: Master) -> tuple[nbformat.NotebookNode, list[str], list[str]]:
    """The student notebook of ``master``, the solution lines removed and the hidden lines removed."""
    nb = copy.deepcopy(master.nb)
    qids = question_of_cells(nb)
    cells, solutions, hidden = [], [], []
    for i, (cell, qid) in enumerate(zip(nb.cells, qids)):
        if is_hidden(cell):
            hidden += lines_outside_mistakes(cell.source) + hidden_arguments(cell.source)
            continue
        if cell.cell_type in ("code", "markdown"):
            s = strip_solutions(
                cell.source, qid, markdown=cell.cell_type == "markdown", where=f"{master.path.name}, cell {i}"
            )
            cell.source = s.source
            solutions += s.solution_lines
            tags = list(cell.metadata.get("tags", []))
            if s.top_level_stub and "raises-exception" not in tags:
                tags.append("raises-exception")  # the stub raises at top level; nbval expects it
            if tags:
                cell.metadata["tags"] = tags
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cells.append(cell)
    for i, cell in enumerate(cells):  # stable ids: releasing twice gives the same file
        cell["id"] = f"{master.chapter[:40]}-{i}"
    nb.cells = cells
    nb.metadata.pop("jupytext", None)
    digest = hashlib.sha256(nbformat.writes(nb).encode()).hexdigest()[:12]
    nb.metadata["nnbook"] = {"chapter": master.chapter, "questions": master.questions, "release": digest}
    return nb, solutions, hidden


def find_leaks(nb: nbformat.NotebookNode, solutions: list[str], hidden: list[str]) -> list[str]:
    """Every place where solution text, a hidden line, a marker or a hidden_test call remains."""
    leaks = []
    secret = {}
    for kind, lines in (("solution", solutions), ("hidden test", hidden)):
        for line in lines:
            key = _norm(line)
            if len(key) >= MIN_LEAK_CHARS:
                secret.setdefault(key, (kind, line.strip()))
    for i, cell in enumerate(nb.cells):
        texts = [cell.source] + [str(o) for o in cell.get("outputs", [])]
        if is_hidden(cell):
            leaks.append(f"cell {i}: a cell tagged 'hidden' is in the student version")
        for text in texts:
            if cell.cell_type == "code" and HIDDEN_CALL.search(text):
                leaks.append(f"cell {i}: calls hidden_test(...) (tag the cell 'hidden')")
            for marker in (BEGIN, END, ONE_LINE):
                if marker in text:
                    leaks.append(f"cell {i}: solution marker {marker!r} remains")
            flat = _squash(text)
            for key, (kind, line) in secret.items():
                if key in flat:
                    leaks.append(f"cell {i}: {kind} text leaks: {line[:80]!r}")
    return sorted(set(leaks), key=lambda s: (int(s.split()[1].rstrip(":")), s))


def release_one(path: Path, out_dir: Path, formats: tuple[str, ...] = ("ipynb",)) -> list[Path]:
    """Write the student version(s) of one master; raise LeakError (writing nothing) on a leak."""
    master = read_master(path)
    nb, solutions, hidden = student_version(master)
    leaks = find_leaks(nb, solutions, hidden)
    if leaks:
        raise LeakError(f"{path}: the student version would leak:\n  " + "\n  ".join(leaks))
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt in formats:
        target = out_dir / f"{master.chapter}.{fmt}"
        if fmt == "ipynb":
            nbformat.write(nb, target)
        elif fmt == "md":
            md = copy.deepcopy(nb)
            md.metadata["jupytext"] = master.nb.metadata.get("jupytext", {"formats": "md:myst"})
            jupytext.write(md, target, fmt="md:myst")
        else:
            raise ValueError(f"unknown format {fmt!r}; use ipynb or md")
        written.append(target)
    return written


def masters_in(path: Path) -> list[Path]:
    """The masters a path names: the file itself, or every ``ch*.md``/``ch*.ipynb`` in a folder."""
    path = Path(path)
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.name.startswith("ch") and p.suffix in NOTEBOOK_SUFFIXES)
    return [path]


def release(paths: list[Path], out_dir: Path, formats: tuple[str, ...] = ("ipynb",)) -> tuple[list[Path], list[str]]:
    """Release every master; returns the files written and one error message per failed master."""
    written, errors = [], []
    for master in [m for p in paths for m in masters_in(p)]:
        try:
            written += release_one(master, out_dir, formats)
        except (MasterError, OSError, ValueError) as e:
            errors.append(str(e))
    return written, errors
