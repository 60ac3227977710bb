"""The book's notebooks: MyST Markdown text files, converted to ``.ipynb`` for nbval and Jupyter."""

from __future__ import annotations

import json
from pathlib import Path

import jupytext
import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIRS = ("book", "exercises")
GPU_TAG = "gpu"
PAGE_ONLY = {"sphinxext.py"}  # package files that shape the HTML pages but no notebook output


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
            found += [
                p
                for p in sorted(base.rglob("*.md"))
                if not any(part.startswith(("_", ".")) for part in p.relative_to(base).parts) and is_text_notebook(p)
            ]
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
            written[str(target.relative_to(out_dir))] = {
                "source": str(p.resolve().relative_to(root)),
                "gpu_cells": len(gpu_cells(nbformat.read(target, as_version=4))),
                "student_version": True,
            }
    return written


def export(paths: list[Path], out_dir: Path, root: Path = ROOT, student_versions: bool = True) -> dict:
    """Write each text notebook as ``.ipynb`` under ``out_dir`` (keeping its relative path), and
    the student version of each exercise master under ``exercises/student/``.

    Returns and writes ``manifest.json``: the notebooks written and their GPU-tagged cells.
    """
    from nnbook.runtime import has_cuda

    out_dir.mkdir(parents=True, exist_ok=True)
    manifest = {"cuda": has_cuda(), "notebooks": {}}
    for p in paths:
        nb = read(p)
        rel = p.resolve().relative_to(root).with_suffix(".ipynb")
        target = out_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, target)
        manifest["notebooks"][str(rel)] = {
            "source": str(p.resolve().relative_to(root)),
            "gpu_cells": len(gpu_cells(nb)),
        }
    if student_versions:
        manifest["notebooks"].update(export_student_versions(paths, out_dir, root))
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return manifest


def package_fingerprint(root: Path = ROOT) -> str:
    """A hash of everything a chapter's outputs depend on besides its own code: the nnbook
    package (code and data such as the glossary) and the pinned environment."""
    import hashlib

    h = hashlib.sha256()
    # The Sphinx extension only shapes the HTML around the outputs, so it does not count.
    files = sorted(
        p
        for p in (root / "nnbook").rglob("*")
        if p.is_file() and p.suffix in {".py", ".yml", ".json"} and p.name not in PAGE_ONLY
    )
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


def lab_kernelspec(name: str = "python3") -> dict:
    """The kernelspec metadata JupyterLab writes into a notebook that ran on kernel ``name``."""
    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec(name)
    return {"display_name": spec.display_name, "language": spec.language, "name": name}


def lab_saved_text(path: Path) -> str:
    """The text JupyterLab saves for the text notebook ``path`` after opening and running it.

    Uses JupyterLab's own contents manager (jupytext's) on a copy: open the notebook, set the
    kernel metadata the running kernel gives it, save. A source in this form stays unchanged
    when a reader opens, runs and closes it in ``make lab``.
    """
    import asyncio
    import shutil
    import tempfile

    from jupytext.async_contentsmanager import AsyncTextFileContentsManager

    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(path, Path(tmp) / path.name)
        cm = AsyncTextFileContentsManager(root_dir=tmp)

        async def open_run_save() -> None:
            nb = (await cm.get(path.name, content=True))["content"]
            nb.metadata["kernelspec"] = lab_kernelspec(nb.metadata.get("kernelspec", {}).get("name", "python3"))
            nb.metadata["language_info"] = {"name": "python", "mimetype": "text/x-python", "file_extension": ".py"}
            await cm.save({"type": "notebook", "format": "json", "content": nb}, path.name)

        asyncio.run(open_run_save())
        return (Path(tmp) / path.name).read_text(encoding="utf-8")


def normalise(paths: list[Path]) -> list[Path]:
    """Rewrite each text notebook in the form JupyterLab saves (see :func:`lab_saved_text`);
    returns the files that changed."""
    changed = []
    for p in paths:
        text = lab_saved_text(p)
        if text != p.read_text(encoding="utf-8"):
            p.write_text(text, encoding="utf-8")
            changed.append(p)
    return changed


USAGE = """usage: python -m nnbook.notebooks guard-cache BUILD_DIR
       python -m nnbook.notebooks normalise [FILE.md ...]   (default: every notebook of book/)"""

if __name__ == "__main__":
    import sys

    cmd, args = sys.argv[1:2], sys.argv[2:]
    if cmd == ["guard-cache"] and len(args) == 1:
        if guard_cache(Path(args[0])):
            print("nnbook changed since the last build: notebooks will be executed again")
    elif cmd == ["normalise"]:
        for p in normalise([Path(a) for a in args] or find_notebooks(ROOT, ("book",))):
            print(f"normalised {p}")
    else:
        sys.exit(USAGE)
