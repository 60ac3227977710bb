"""The book's build is strict and offline: checked on a tiny book that uses the real _config.yml."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
JB = Path(sys.executable).parent / "jupyter-book"

HEADER = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
"""

GOOD = (
    HEADER
    + """
# A page

Math $\\sigma(z) = 1/(1+e^{-z})$ and a widget. A **neuron (神经元)**.

```{code-cell} ipython3
import ipywidgets as w
w.IntSlider(value=3)
```

```{code-cell} ipython3
import matplotlib.pyplot as plt
from nnbook.widgets import Demo

def line(a=1):
    fig, ax = plt.subplots(figsize=(2, 1))
    ax.plot([0, 1], [0, a])
    return fig

Demo(line, a=w.IntSlider(value=1, min=0, max=3, description="slope"))
```
"""
)

RAISING = (
    HEADER
    + """
# A page that raises

```{code-cell} ipython3
raise RuntimeError("this cell fails on purpose")
```
"""
)

BROKEN_REF = (
    HEADER
    + """
# A page with a broken link

See {doc}`no_such_page`.
"""
)


def make_book(tmp: Path, page: str) -> Path:
    book = tmp / "book"
    (book / "book").mkdir(parents=True)
    shutil.copy(ROOT / "_config.yml", book / "_config.yml")
    (book / "book" / "references.bib").write_text((ROOT / "book" / "references.bib").read_text())
    shutil.copytree(ROOT / "book" / "_vendor", book / "book" / "_vendor")
    (book / "_toc.yml").write_text("format: jb-book\nroot: book/page\n")
    (book / "book" / "page.md").write_text(page)
    return book


def build(book: Path) -> subprocess.CompletedProcess:
    # the same flags as `make book`; one build at a time (see conftest.book_build_lock)
    from conftest import book_build_lock

    # cwd=book: the execution cache path in _config.yml is relative to the working directory, so
    # the tiny book gets its own cache instead of sharing (and racing) the real book's
    with book_build_lock():
        return subprocess.run(
            [str(JB), "build", str(book), "--warningiserror", "--keep-going"],
            cwd=book,
            capture_output=True,
            text=True,
            timeout=600,
        )


pytestmark = pytest.mark.skipif(
    not (ROOT / "book" / "_vendor").is_dir(), reason="run `make env` first: vendored JavaScript missing"
)


def test_a_raising_cell_fails_the_build(tmp_path):
    result = build(make_book(tmp_path, RAISING))
    out = result.stdout + result.stderr
    assert result.returncode != 0
    assert "this cell fails on purpose" in out, out[-3000:]


def test_a_broken_cross_reference_fails_the_build(tmp_path):
    result = build(make_book(tmp_path, BROKEN_REF))
    out = result.stdout + result.stderr
    assert result.returncode != 0
    assert "WARNING: unknown document: 'no_such_page'" in out, out[-3000:]


def test_a_good_page_builds_and_loads_nothing_from_the_internet(tmp_path):
    book = make_book(tmp_path, GOOD)
    result = build(book)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    html_dir = book / "_build" / "html"
    page = (html_dir / "book" / "page.html").read_text()
    # every resource the page loads (scripts, styles, images, fonts) is local
    loaded = re.findall(r'<(?:script|link|img|iframe|source)\b[^>]*?\b(?:src|href)="([^"]+)"', page)
    external = [u for u in loaded if re.match(r"(https?:)?//", u)]
    assert loaded and not external, external
    # MathJax and the widget manager are served from the build
    assert 'src="../_static/mathjax/tex-chtml.js"' in page
    assert (html_dir / "_static" / "mathjax" / "tex-chtml.js").is_file()
    for js in ("vendor/require.js", "vendor/html-manager/embed-amd.js"):
        assert f"../_static/{js}" in page
        assert (html_dir / "_static" / js).is_file()
    assert "application/vnd.jupyter.widget-state+json" in page
    # vendored files are not auto-injected on every page (they are not in html_static_path)
    assert page.count("embed-amd.js") == 1
    # the thebe set-up script once (twice is a SyntaxError: `const THEBE_JS_URL` redeclared)
    assert page.count("const THEBE_JS_URL") <= 1
    # a Demo is pre-rendered: frames and offline controls, no widget
    assert page.count('class="nnbook-demo"') == 1 and 'class="nnbook-demo-data"' in page and 'type="range"' in page
    assert "_static/nnbook.js" in page and (html_dir / "_static" / "nnbook.js").is_file()
    # the notebook to run it yourself
    assert (html_dir / "_notebooks" / "page.ipynb").is_file() and "_notebooks/page.ipynb" in page
    # the Chinese glyphs of the page are served as a webfont cut to them
    css = (html_dir / "_static" / "nnbook-cjk.css").read_text()
    assert "U+795e" in css and "U+7ecf" in css and "nnbook-cjk.css" in page
    assert any((html_dir / "_static" / "fonts").glob("cjk-*.woff"))
