"""Intake: find the submitted files, copy each into memory once (safely), and read it as a notebook."""

from __future__ import annotations

import ast
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

import nbformat

from nnbook import notebooks

NOTEBOOK_SUFFIX = ".ipynb"


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
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else ([node.module] if isinstance(node, ast.ImportFrom) and node.module and not node.level else [])
            )
            for name in names:
                if name not in mods:
                    mods.append(name)
    return mods


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
    def take(cls, student: str, path: Path, root: Path | None = None) -> Submission:
        rel = str(path.relative_to(root)) if root is not None else path.name
        try:
            return cls(student, path, rel, read_private(path))
        except OSError as e:
            return cls(student, path, rel, None, f"cannot read the file: {e.strerror or e}")


def load_submission(
    path: Path, chapter: str, data: bytes | None = None
) -> tuple[nbformat.NotebookNode | None, list[str]]:
    """The submission's notebook (None if unusable) and the reasons to report."""
    if data is None:
        try:
            data = read_private(path)
        except OSError as e:
            return None, [f"cannot read the file: {e.strerror or e}"]
    try:  # the one notebook reader: MyST Markdown or notebook JSON (nbformat 3 converted)
        nb, reasons = notebooks.parse(data, path.name)
    except notebooks.NotebookError as e:
        return None, [str(e)]
    if path.suffix != NOTEBOOK_SUFFIX and not notebooks.is_myst_text(data.decode("utf-8-sig")):
        reasons.append(f"a notebook saved as {path.suffix or 'a file without extension'}; graded anyway")
    meta = nb.get("metadata", {}).get("nnbook", {})
    if isinstance(meta, dict) and meta.get("chapter") and meta["chapter"] != chapter:
        return None, [f"wrong chapter: this is the notebook of {meta['chapter']!s:.40}, expected {chapter}"]
    if not isinstance(meta, dict) or not meta.get("chapter"):
        reasons.append(
            "the notebook has no nnbook release metadata (not made from the released notebook?); graded anyway"
        )
    return nb, reasons


_ID_CHARS = re.compile(r"[^\w.@+-]+")


def student_id(path: Path, root: Path) -> str:
    """The student id: the file name without extension, or the folder name for DIR/<id>/<file>."""
    rel = path.relative_to(root)
    raw = (
        rel.parts[0]
        if len(rel.parts) > 1
        else path.name.split(".", 1)[0]
        if not path.name.startswith(".")
        else path.name
    )
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
            found += [
                (student_id(q, root), q) for q in sorted(p.iterdir()) if q.is_file() and not q.name.startswith(".")
            ]
        elif p.is_file():
            found.append((student_id(p, root), p))
    return found
