"""The HTML book's Sphinx extension (listed in ``_config.yml``): what makes the pages work offline.

- Demos are pre-rendered: it sets ``NNBOOK_STATIC_DEMOS=1`` before any notebook executes, so each
  :class:`nnbook.widgets.Demo` becomes frames plus plain-JavaScript controls (``book/_static``).
- Chinese terms render without system fonts: the CJK glyphs the pages use are cut from the vendored
  Noto Sans SC (``scripts/vendor_js.py``) into small WOFF files served with the book.
- No JavaScript errors: the thebe set-up script is included once; the widget manager's MathJax 2
  call (``MathJax.Hub.Queue``) is served by a shim over MathJax 3 (``book/_static/nnbook.js``).
- Run it yourself: every chapter's notebook is written beside the pages as ``.ipynb`` and each
  chapter page links to it and says how to open it.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

from nnbook.widgets import STATIC_ENV

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "book" / "_static"
FONT_DIR = ROOT / "book" / "_fonts" / "noto-sans-sc"
FONT_FAMILY = "nnbook Noto Sans SC"
WEIGHTS = (400, 700)
NOTEBOOK_DIR = "_notebooks"
CJK = re.compile(
    r"[\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3200-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]"
)

logger = logging.getLogger(__name__)


# --- CJK webfont ---------------------------------------------------------------------------------


def cjk_characters(texts) -> str:
    """The distinct CJK characters (ideographs and full-width punctuation) in ``texts``, sorted."""
    found: set[str] = set()
    for t in texts:
        found.update(CJK.findall(t))
    return "".join(sorted(found))


def subset_fonts(chars: str, font_dir: Path, out_dir: Path) -> str:
    """Cut ``chars`` out of the Noto Sans SC pieces in ``font_dir`` into ``out_dir``; return the CSS.

    The npm package splits the font into ~100 pieces by Unicode range; each piece that holds a
    used character is reduced to the used characters (one small WOFF per piece and weight), and
    the CSS gives each its ``unicode-range`` so the browser loads only what a page shows.
    """
    from fontTools import subset
    from fontTools.ttLib import TTFont

    out_dir.mkdir(parents=True, exist_ok=True)
    wanted = {ord(c) for c in chars}
    rules = []
    for weight in WEIGHTS:
        pieces = sorted(font_dir.glob(f"noto-sans-sc-*-{weight}-normal.woff"))
        if not pieces:
            raise FileNotFoundError(f"no Noto Sans SC {weight} pieces in {font_dir}; run: python scripts/vendor_js.py")
        for piece in pieces:
            font = TTFont(piece, lazy=True)
            here = sorted(wanted & set(font.getBestCmap()))
            font.close()
            if not here:
                continue
            opts = subset.Options()
            opts.flavor = "woff"
            opts.layout_features = ["*"]
            opts.name_IDs = ["*"]
            opts.notdef_outline = True
            font = subset.load_font(str(piece), opts)
            sub = subset.Subsetter(opts)
            sub.populate(unicodes=here)
            sub.subset(font)
            name = f"cjk-{piece.name.split('-')[3]}-{weight}.woff"
            subset.save_font(font, str(out_dir / name), opts)
            ranges = ",".join(f"U+{c:x}" for c in here)
            rules.append(
                f"@font-face {{ font-family: '{FONT_FAMILY}'; font-style: normal; font-weight: {weight}; "
                f"font-display: swap; src: url(fonts/{name}) format('woff'); unicode-range: {ranges}; }}"
            )
    licence = font_dir / "LICENSE"
    if licence.is_file():
        (out_dir / "LICENSE-NotoSansSC.txt").write_bytes(licence.read_bytes())
    return (
        "/* Noto Sans SC (SIL Open Font License 1.1), cut to the characters the book uses */\n"
        + "\n".join(rules)
        + "\n"
    )


def write_cjk_fonts(app: Sphinx, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    out = Path(app.outdir)
    pages = [p.read_text(encoding="utf-8") for p in out.rglob("*.html")]
    chars = cjk_characters(pages)
    static = out / "_static"
    stamp = static / "fonts" / ".chars"
    key = hashlib.sha256((chars + str(sorted(p.name for p in FONT_DIR.glob("*.woff")))).encode()).hexdigest()
    if stamp.is_file() and stamp.read_text() == key and (static / "nnbook-cjk.css").is_file():
        return
    try:
        css = subset_fonts(chars, FONT_DIR, static / "fonts")
    except FileNotFoundError as e:
        logger.warning(f"nnbook: Chinese terms will show as boxes on machines without CJK fonts: {e}")
        return
    (static / "nnbook-cjk.css").write_text(css, encoding="utf-8")
    stamp.write_text(key)
    logger.info(f"nnbook: CJK webfont cut to {len(chars)} characters")


# --- pages ---------------------------------------------------------------------------------------


def _notebook_docnames(app: Sphinx) -> dict[str, Path]:
    from nnbook.notebooks import is_text_notebook

    found = {}
    for docname in app.env.found_docs:
        src = Path(app.env.doc2path(docname))
        if is_text_notebook(src):
            found[docname] = src
    return found


def page_context(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    # The thebe set-up script is registered twice by sphinx-thebe; a second `const THEBE_JS_URL`
    # is a SyntaxError that stops the page's scripts.
    scripts, seen = [], set()
    for s in context.get("script_files", []):
        # the same script (an inline one has filename None or "") at any priority is the same script
        key = (
            getattr(s, "filename", str(s)) or "",
            json.dumps(getattr(s, "attributes", {}), sort_keys=True, default=str),
        )
        if key in seen:
            continue
        seen.add(key)
        scripts.append(s)
    context["script_files"] = scripts
    # An empty default mode makes the theme log "Got invalid theme mode" on every page.
    if not context.get("default_mode"):
        context["default_mode"] = "auto"
    if pagename in _notebook_docnames(app) and "body" in context:
        name = Path(pagename).name + ".ipynb"
        href = "/".join([".."] * pagename.count("/") + [NOTEBOOK_DIR, name])
        box = (
            f'<div class="admonition tip nnbook-run-it"><p class="admonition-title">Run it yourself</p>'
            f'<p>Download this chapter as a notebook: <a class="reference download" href="{html.escape(href)}" download>'
            f"<code>{html.escape(name)}</code></a>. Open it in JupyterLab or Jupyter Notebook in an environment "
            f"with the <code>nnbook</code> package (from the book's repository: <code>make lab</code>, or "
            f"<code>pip install -e .</code> then <code>jupyter lab {html.escape(name)}</code>) and run the cells "
            f"from the top; the sliders then redraw live.</p></div>"
        )
        context["body"] = re.sub(r"(</h1>)", r"\1" + box.replace("\\", "\\\\"), context["body"], count=1)


def write_notebooks(app: Sphinx, exception) -> None:
    """Every chapter as ``_notebooks/<name>.ipynb`` (code and text, no outputs: run it yourself)."""
    if exception is not None or app.builder.format != "html":
        return
    import nbformat

    from nnbook.notebooks import read

    out = Path(app.outdir) / NOTEBOOK_DIR
    out.mkdir(parents=True, exist_ok=True)
    for docname, src in _notebook_docnames(app).items():
        nb = read(src)
        nbformat.write(nb, out / (Path(docname).name + ".ipynb"))


def setup(app: Sphinx) -> dict:
    # Set before any notebook executes: the kernels inherit it and pre-render their demos.
    os.environ[STATIC_ENV] = "1"
    app.connect("builder-inited", _add_static)
    app.connect("html-page-context", page_context)
    app.connect("build-finished", write_notebooks)
    app.connect("build-finished", write_cjk_fonts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def _add_static(app: Sphinx) -> None:
    app.config.html_static_path.append(str(STATIC))
    app.add_css_file("nnbook.css")
    app.add_css_file("nnbook-cjk.css")
    app.add_js_file("nnbook.js")
