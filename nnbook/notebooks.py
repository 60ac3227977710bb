"""The book's notebooks: MyST Markdown text files, converted to ``.ipynb`` for nbval and Jupyter."""

from __future__ import annotations

import json
from collections.abc import Callable
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


EXPECTED = (
    "expected a Jupyter notebook (.ipynb: JSON, nbformat 4, or 3 which is converted) "
    "or a MyST Markdown notebook (.md with a jupytext header)"
)


class NotebookError(ValueError):
    """A file that is not a notebook: the message names the file, what is wrong and what is expected."""

    def __init__(self, name: str | Path, problem: str):
        self.name, self.problem = str(name), problem
        super().__init__(f"{name}: {problem}; {EXPECTED}")


def is_myst_text(text: str) -> bool:
    """MyST Markdown with a jupytext header (the form of the book's notebooks and masters)."""
    return text.startswith("---") and "jupytext" in text[:2000]


def parse(data: bytes, name: str | Path) -> tuple[nbformat.NotebookNode, list[str]]:
    """The one notebook reader: the notebook in ``data`` (the bytes of the file ``name``), as
    nbformat 4, and notes on what reading it took (an nbformat 3 notebook converted).

    MyST Markdown with a jupytext header is read by jupytext; anything else must be notebook
    JSON. Raises ``NotebookError`` (naming ``name``, what is wrong and what is expected) on
    anything else: empty, binary, not UTF-8, invalid or too deeply nested JSON, JSON without
    cells, an unknown nbformat."""
    if not data.strip():
        raise NotebookError(name, "empty file")
    if data[:4] in (b"%PDF", b"PK\x03\x04") or b"\x00" in data[:1024]:
        raise NotebookError(name, "not a notebook: a binary file (PDF, ZIP or similar)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise NotebookError(name, "not a notebook: the file is not UTF-8 text") from None
    if is_myst_text(text):
        try:
            return jupytext.reads(text, fmt="md:myst"), []
        except Exception as e:  # jupytext raises many kinds of errors on odd headers
            raise NotebookError(
                name, f"not a notebook: unreadable MyST Markdown ({type(e).__name__}: {e})"[:300]
            ) from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as e:
        raise NotebookError(name, f"not a notebook: invalid JSON ({e.msg} at line {e.lineno})") from None
    except RecursionError:
        raise NotebookError(name, "not a notebook: JSON nested too deeply to read") from None
    version = raw.get("nbformat") if isinstance(raw, dict) else None
    old = version == 3 and isinstance(raw.get("worksheets"), list)  # IPython 2: cells in worksheets
    if not old and not (isinstance(raw, dict) and isinstance(raw.get("cells"), list)):
        raise NotebookError(name, "not a notebook: JSON without a list of cells")
    if not old and version not in (4, None):
        raise NotebookError(name, f"not a notebook this project reads: nbformat {version!s:.20}")
    try:  # nbformat's own reader of that version: multi-line sources joined, transient keys dropped
        nb = nbformat.versions[3 if old else 4].to_notebook_json(raw)
        if old:
            nb = nbformat.convert(nb, 4)
    except Exception as e:  # nbformat raises many kinds of errors on odd input
        what = "an nbformat 3 notebook that cannot be converted" if old else "unreadable notebook JSON"
        raise NotebookError(name, f"not a notebook: {what} ({type(e).__name__}: {e!s:.150})") from None
    return nb, (["an old notebook (nbformat 3), converted to nbformat 4"] if old else [])


def read(path: Path) -> nbformat.NotebookNode:
    """The notebook at ``path`` (MyST Markdown or .ipynb), through :func:`parse`."""
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise NotebookError(path, f"cannot read the file ({e.strerror or e})") from None
    return parse(data, path)[0]


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
                "gpu_cells": len(gpu_cells(read(target))),
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


def book_app(root: Path, scratch: Path):
    """A Sphinx application configured exactly as ``jupyter-book build root`` configures it (the
    book's _config.yml and _toc.yml, every extension set up), writing only under ``scratch``.

    Setting the extensions up matters: nnbook.sphinxext sets ``NNBOOK_STATIC_DEMOS=1`` for the
    kernels, and myst-nb's reader and configuration come from it."""
    from jupyter_book.config import get_final_config
    from sphinx.application import Sphinx

    root = Path(root).absolute()
    config, _ = get_final_config(
        user_yaml=root / "_config.yml",
        cli_config={"external_toc_path": (root / "_toc.yml").as_posix(), "latex_individualpages": False},
        sourcedir=root,
        use_external_toc=True,
    )
    return Sphinx(
        srcdir=root,
        confdir=None,
        outdir=scratch / "html",
        doctreedir=scratch / ".doctrees",
        buildername="html",
        confoverrides=config,
        status=None,
        warning=None,
        freshenv=True,
    )


def uncached_notebooks(app) -> tuple[list[tuple], list[Path]]:
    """The book's notebooks that the build would execute, each read as myst-nb reads it (its
    reader, the book's Markdown configuration, the kernel aliases), and how many are cached.

    Returns ``([(path, notebook, read_fmt, nb_config), ...], cached paths)`` in the order of the
    book; nothing when the book is not executed in ``cache`` mode."""
    import re
    from pathlib import PurePosixPath

    from jupyter_cache import get_cache
    from myst_nb.core.nb_to_tokens import nb_node_to_dict
    from myst_nb.core.read import create_nb_reader

    env, nb_config = app.env, app.env.mystnb_config
    if nb_config.execution_mode != "cache":
        return [], []
    cache = get_cache(nb_config.execution_cache_path or ".jupyter_cache")
    env.find_files(app.config, app.builder)
    todo, cached = [], []
    for docname in sorted(env.found_docs):
        path = Path(env.doc2path(docname))
        env.prepare_settings(docname)
        content = [path.read_text(encoding=app.config.source_encoding)]
        app.events.emit("source-read", docname, content)  # as Sphinx does before parsing
        reader = create_nb_reader(str(path), env.myst_config, nb_config, content[0])
        if reader is None:
            continue  # a plain Markdown page
        nb = reader.read(content[0])
        kernel = nb.metadata.get("kernelspec", {}).get("name")
        for rgx, alias in (nb_config.kernel_rgx_aliases or {}).items():
            if kernel is not None and re.fullmatch(rgx, kernel):
                nb.metadata["kernelspec"]["name"] = alias
                break
        config = nb_config
        if nb_config.metadata_key in nb.metadata:  # per-notebook overrides, as myst-nb applies them
            overrides = nb_node_to_dict(nb.metadata[nb_config.metadata_key])
            overrides.pop("output_folder", None)
            config = nb_config.copy(**overrides)
        if config.execution_mode != "cache" or any(
            PurePosixPath(path.as_posix()).match(p) for p in config.execution_excludepatterns
        ):
            continue
        try:
            cache.match_cache_notebook(nb)
            cached.append(path)
        except KeyError:
            todo.append((path, nb, reader.read_fmt, config))
    return todo, cached


def execute_notebook(nb: nbformat.NotebookNode, cwd: str | None, timeout: int | None, allow_errors: bool):
    """Execute ``nb`` as myst-nb's cache client does (jupyter-cache's ``single_nb_execution``) in
    the folder ``cwd`` (None: a temporary one): returns the executed notebook, the seconds it took
    and the traceback of a failure (None when it succeeded)."""
    import tempfile

    from jupyter_cache.executors.utils import single_nb_execution

    with tempfile.TemporaryDirectory() as tmp:
        result = single_nb_execution(nb, cwd=cwd or tmp, timeout=timeout, allow_errors=allow_errors, meta_override=True)
    return result.nb, result.time, result.exc_string if result.err is not None else None


def prefill_cache(root: Path = ROOT, jobs: int = 2, log: Callable[[str], None] = print) -> dict[str, list[str]]:
    """Execute the book's uncached notebooks ``jobs`` at a time and store each in the execution
    cache as myst-nb would, so that ``jupyter-book build`` finds them all cached and only renders.

    Each runs as the build would run it: in its own folder, with the timeout and allow_errors of
    _config.yml, in a kernel that inherits this process's environment (OMP_NUM_THREADS and what
    the book's extensions set). A notebook that fails is not cached: the build executes it again
    and fails with its error. The longest notebooks of the last prefill start first (their times
    are kept next to the cache, in ``notebook-seconds.json``; new ones count as longest).
    Returns the notebooks (paths relative to ``root``) ``executed``, ``failed`` and ``cached``."""
    import multiprocessing
    import tempfile
    from concurrent.futures import ProcessPoolExecutor, as_completed

    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn
    from sphinx.util.docutils import docutils_namespace, patch_docutils

    root = Path(root).absolute()
    with tempfile.TemporaryDirectory() as scratch, patch_docutils(None), docutils_namespace():
        app = book_app(root, Path(scratch))
        todo, cached = uncached_notebooks(app)
        cache_path = Path(app.env.mystnb_config.execution_cache_path or ".jupyter_cache")
    report: dict[str, list[str]] = {"executed": [], "failed": [], "cached": [str(p.relative_to(root)) for p in cached]}
    if not todo:
        return report
    seconds_file = cache_path.parent / "notebook-seconds.json"
    seconds = json.loads(seconds_file.read_text()) if seconds_file.is_file() else {}
    todo.sort(key=lambda t: -seconds.get(str(t[0].relative_to(root)), float("inf")))
    log(f"executing {len(todo)} notebook(s) not in the cache, {jobs} at a time ({len(cached)} cached)")
    cache = get_cache(str(cache_path))
    context = multiprocessing.get_context("spawn")  # a fresh interpreter: no Sphinx state forked
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        runs = {
            pool.submit(
                execute_notebook,
                nb,
                None if config.execution_in_temp else str(path.parent),
                config.execution_timeout,
                config.execution_allow_errors,
            ): (path, read_fmt)
            for path, nb, read_fmt, config in todo
        }
        for done in as_completed(runs):
            path, read_fmt = runs[done]
            name = str(path.relative_to(root))
            try:
                nb, took, failure = done.result()
            except Exception as e:  # the kernel died, or the worker did
                nb, took, failure = None, 0.0, f"{type(e).__name__}: {e}"
            if failure is not None:
                last = failure.strip().splitlines()[-1] if failure.strip() else "an error"
                log(f"{name}: FAILED after {took:.0f} s ({last}); left uncached, the build will run it and report")
                report["failed"].append(name)
                continue
            stage = cache.add_nb_to_project(str(path), **({"read_data": read_fmt} if read_fmt else {}))
            cache.cache_notebook_bundle(
                CacheBundleIn(nb, stage.uri, data={"execution_seconds": took}), check_validity=False, overwrite=True
            )
            log(f"{name}: executed in {took:.0f} s, cached")
            report["executed"].append(name)
            seconds[name] = round(took, 1)
    seconds_file.write_text(json.dumps(seconds, indent=1, sort_keys=True))
    log(f"prefill: {len(report['executed'])} executed, {len(report['failed'])} failed, {len(cached)} already cached")
    return report


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
       python -m nnbook.notebooks prefill BOOK_DIR [JOBS]   (execute the uncached notebooks, JOBS at a time, default 2)
       python -m nnbook.notebooks normalise [FILE.md ...]   (default: every notebook of book/)"""

if __name__ == "__main__":
    import sys

    cmd, args = sys.argv[1:2], sys.argv[2:]
    if cmd == ["guard-cache"] and len(args) == 1:
        if guard_cache(Path(args[0])):
            print("nnbook changed since the last build: notebooks will be executed again")
    elif cmd == ["prefill"] and len(args) in (1, 2) and all(a.isdigit() and int(a) > 0 for a in args[1:]):
        prefill_cache(Path(args[0]), int(args[1]) if args[1:] else 2)
    elif cmd == ["normalise"]:
        for p in normalise([Path(a) for a in args] or find_notebooks(ROOT, ("book",))):
            print(f"normalised {p}")
    else:
        sys.exit(USAGE)
