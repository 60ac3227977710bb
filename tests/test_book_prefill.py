"""`make book`'s prefill step: the notebooks it executes (two at a time) are cache hits for the build.

On a tiny book with the real _config.yml: a notebook that records each run of its code is run once
by the prefill and never again by `jupyter-book build` (myst-nb finds the cache record the prefill
stored, so the hash of the notebook as myst-nb reads it matches); it ran in its own folder with the
environment the build gives its kernels. A failing notebook is left uncached and still fails the build.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_book_build import HEADER, RAISING, build, make_book

RECORDING = (
    HEADER
    + """
# A page that counts its runs

```{code-cell} ipython3
:tags: [remove-cell]
import os
with open("runs.txt", "a") as f:
    f.write(f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')} "
            f"NNBOOK_STATIC_DEMOS={os.environ.get('NNBOOK_STATIC_DEMOS')}\\n")
```

Some text between the cells, with a {glue:text}`answer` glued number.

```{code-cell} ipython3
from myst_nb import glue
glue("answer", 6 * 7)
```
"""
)


def prefill(book) -> subprocess.CompletedProcess:
    from conftest import book_build_lock

    # cwd=book, as for the build: the cache path in _config.yml is relative to the working directory
    with book_build_lock():
        return subprocess.run(
            [sys.executable, "-m", "nnbook.notebooks", "prefill", str(book), "2"],
            cwd=book,
            capture_output=True,
            text=True,
            timeout=600,
            env={**os.environ, "OMP_NUM_THREADS": "1"},
        )


pytestmark = pytest.mark.skipif(
    not (Path(__file__).parent.parent / "book" / "_vendor").is_dir(),
    reason="run `make env` first: vendored JavaScript missing",
)


def test_a_prefilled_notebook_is_a_cache_hit_for_the_build(tmp_path):
    book = make_book(tmp_path, RECORDING)
    runs = book / "book" / "runs.txt"  # the notebook runs in its own folder, as under myst-nb
    first = prefill(book)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "book/page.md: executed" in first.stdout, first.stdout + first.stderr
    assert runs.read_text().splitlines() == ["OMP_NUM_THREADS=1 NNBOOK_STATIC_DEMOS=1"]
    # its time is kept, so that the next prefill starts the longest notebooks first
    assert "book/page.md" in json.loads((book / "_build" / "notebook-seconds.json").read_text())

    result = build(book)
    out = result.stdout + result.stderr
    assert result.returncode == 0, out[-3000:]
    assert "Executing notebook" not in out, out[-3000:]
    assert runs.read_text().count("\n") == 1, "the build executed the notebook again: the prefill's record missed"
    assert "42" in (book / "_build" / "html" / "book" / "page.html").read_text()

    again = prefill(book)  # everything cached: nothing to do
    assert again.returncode == 0 and "executed" not in again.stdout, again.stdout + again.stderr
    assert runs.read_text().count("\n") == 1


def test_a_failing_notebook_is_left_uncached_and_fails_the_build(tmp_path):
    book = make_book(tmp_path, RAISING)
    first = prefill(book)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "book/page.md: FAILED" in first.stdout and "this cell fails on purpose" in first.stdout, first.stdout
    result = build(book)
    out = result.stdout + result.stderr
    assert result.returncode != 0
    assert "this cell fails on purpose" in out, out[-3000:]
