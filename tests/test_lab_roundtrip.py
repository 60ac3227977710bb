"""`make lab` leaves the chapters' sources unchanged: each chapter is already in the form that
JupyterLab's contents manager (jupytext) saves after a reader opens and runs it."""

import difflib

import pytest

from nnbook.notebooks import ROOT, find_notebooks, lab_saved_text

CHAPTERS = find_notebooks(ROOT, ("book",))


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.name for p in CHAPTERS])
def test_opening_running_and_saving_in_jupyterlab_keeps_the_source(path):
    text = path.read_text(encoding="utf-8")
    saved = lab_saved_text(path)
    diff = "\n".join(
        list(
            difflib.unified_diff(
                text.splitlines(), saved.splitlines(), "source", "as JupyterLab saves it", lineterm="", n=0
            )
        )[:30]
    )
    assert saved == text, (
        f"JupyterLab would rewrite {path.relative_to(ROOT)} on save; "
        f"run `.venv/bin/python -m nnbook.notebooks normalise {path.relative_to(ROOT)}`:\n{diff}"
    )


def test_the_check_sees_a_changed_source(tmp_path):
    chapter = tmp_path / "ch.md"
    chapter.write_text(
        CHAPTERS[0]
        .read_text(encoding="utf-8")
        .replace("\n:tags: [remove-cell]\n\n", "\n:tags: [remove-cell]\n", 1)
        .replace("\n:tags: [hide-input]\n\n", "\n:tags: [hide-input]\n", 1),
        encoding="utf-8",
    )
    assert lab_saved_text(chapter) != chapter.read_text(encoding="utf-8")


def test_lab_uses_the_myst_extension():
    """MyST roles ({cite}, {glue:text}, ...) in markdown cells are rendered by jupyterlab-myst."""
    import sys
    from pathlib import Path

    labext = Path(sys.prefix) / "share" / "jupyter" / "labextensions"
    assert (labext / "jupyterlab-myst").is_dir(), (
        "the jupyterlab-myst extension is not installed (pip install -r requirements.lock)"
    )
