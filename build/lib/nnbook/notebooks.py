"""The book's notebooks: MyST Markdown text files, converted to ``.ipynb`` for nbval and Jupyter."""
from __future__ import annotations

import json
from pathlib import Path

import jupytext
import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIRS = ("book", "exercises")
GPU_TAG = "gpu"


def is_text_notebook(path: Path) -> bool:
    """A MyST Markdown file with a jupytext header is a notebook; plain pages are not."""
    if path.suffix != ".md":
        return False
    head = path.read_text(encoding="utf-8")[:2000]
    return head.startswith("---") and "jupytext:" in head and "kernelspec:" in head


def find_notebooks(root: Path = ROOT, dirs: tuple[str, ...] = NOTEBOOK_DIRS) -> list[Path]:
    """Every text notebook under ``dirs`` of ``root`` (new files are picked up automatically)."""
    found: list[Path] = []
    for d in dirs:
        base = root / d
        if base.is_dir():
            found += [p for p in sorted(base.rglob("*.md")) if not any(part.startswith(("_", ".")) for part in p.relative_to(base).parts) and is_text_notebook(p)]
    return found


def read(path: Path) -> nbformat.NotebookNode:
    """Read a text notebook."""
    return jupytext.read(path)


def gpu_cells(nb: nbformat.NotebookNode) -> list[int]:
    """Indices of code cells tagged ``gpu``; each must start with the ``%%gpu`` magic."""
    idx = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and GPU_TAG in cell.metadata.get("tags", []):
            if not cell.source.lstrip().startswith("%%gpu"):
                raise ValueError(f"cell {i} is tagged 'gpu' but does not start with the %%gpu magic")
            idx.append(i)
    return idx


def is_exercise_master(path: Path, root: Path = ROOT) -> bool:
    """A chapter's exercise master: ``exercises/ch*.md``."""
    path = path.resolve()
    return path.parent == (root / "exercises").resolve() and path.name.startswith("ch") and path.suffix == ".md"


def export_student_versions(paths: list[Path], out_dir: Path, root: Path = ROOT) -> dict[str, dict]:
    """Release the student version of each exercise master among ``paths`` into
    ``out_dir/exercises/student/`` (so nbval runs it too); a leak raises ``LeakError``."""
    from nnbook.grading.release import release_one

    written = {}
    for p in paths:
        if is_exercise_master(p, root):
            target = release_one(p, out_dir / "exercises" / "student")[0]
            written[str(target.relative_to(out_dir))] = {"source": str(p.resolve().relative_to(root)),
                                                         "gpu_cells": len(gpu_cells(nbformat.read(target, as_version=4))),
                                                         "student_version": True}
    return written


def export(paths: list[Path], out_dir: Path, root: Path = ROOT, student_versions: bool = True) -> dict:
    """Write each text notebook as ``.ipynb`` under ``out_dir`` (keeping its relative path), and
    the student version of each exercise master under ``exercises/student/``.

    Returns and writes ``manifest.json``: the notebooks written and their GPU-tagged cells.
    """
    from nnbook.train import has_cuda

    out_dir.mkdir(parents=True, exist_ok=True)
    manifest = {"cuda": has_cuda(), "notebooks": {}}
    for p in paths:
        nb = read(p)
        rel = p.resolve().relative_to(root).with_suffix(".ipynb")
        target = out_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, target)
        manifest["notebooks"][str(rel)] = {"source": str(p.resolve().relative_to(root)), "gpu_cells": len(gpu_cells(nb))}
    if student_versions:
        manifest["notebooks"].update(export_student_versions(paths, out_dir, root))
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return manifest


def package_fingerprint(root: Path = ROOT) -> str:
    """A hash of everything a chapter's outputs depend on besides its own code: the nnbook
    package (code and data such as the glossary) and the pinned environment."""
    import hashlib

    h = hashlib.sha256()
    files = sorted(p for p in (root / "nnbook").rglob("*") if p.is_file() and p.suffix in {".py", ".yml", ".json"})
    for p in files + [root / "requirements.lock"]:
        h.update(p.relative_to(root).as_posix().encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def guard_cache(build_dir: Path, root: Path = ROOT) -> bool:
    """Invalidate the book's execution cache when the package changed since it was filled.

    jupyter-cache keys a notebook on its own code cells only, so a chapter whose code is unchanged
    would keep outputs computed with an older ``nnbook``. Returns True when the cache was cleared.
    """
    import shutil

    stamp = build_dir / ".package_fingerprint"
    now = package_fingerprint(root)
    if stamp.is_file() and stamp.read_text() == now:
        return False
    for sub in (".jupyter_cache", ".doctrees", "jupyter_execute"):
        shutil.rmtree(build_dir / sub, ignore_errors=True)
    build_dir.mkdir(parents=True, exist_ok=True)
    stamp.write_text(now)
    return True


if __name__ == "__main__":  # python -m nnbook.notebooks guard-cache _build
    import sys

    if sys.argv[1:2] != ["guard-cache"] or len(sys.argv) != 3:
        sys.exit("usage: python -m nnbook.notebooks guard-cache BUILD_DIR")
    if guard_cache(Path(sys.argv[2])):
        print("nnbook changed since the last build: notebooks will be executed again")
