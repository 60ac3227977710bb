"""The built HTML book in a real browser, offline: every page of _build/html in headless Chromium.

Every request that is not a ``file:`` URL is blocked and counts as a failure. A page fails on a
JavaScript error, raw LaTeX left unrendered, a broken image, a widget or demo area of zero height,
or a pre-rendered demo control that never changes the figure. Screenshots of a few pages are
kept in ``_build/browser/`` as artefacts.

The book is built (``make book``'s commands, cached) by a session fixture. Chromium is Debian's
package (``apt-get install -y chromium``), driven by Playwright's Python package; without a
browser the test is skipped with the install command in the reason.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "_build"
HTML = BUILD / "html"
SHOTS = BUILD / "browser"
SCREENSHOT_PAGES = {"intro", "ch02_activations", "ch05_gradient_descent", "ch07_training", "glossary"}
INSTALL = "apt-get update && apt-get install -y chromium"


def find_chromium() -> str | None:
    """The Chromium executable: $NNBOOK_CHROMIUM, or chromium / chromium-browser / google-chrome on PATH."""
    if os.environ.get("NNBOOK_CHROMIUM"):
        return os.environ["NNBOOK_CHROMIUM"]
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if shutil.which(name):
            return shutil.which(name)
    return None


@pytest.fixture(scope="session")
def chromium() -> str:
    exe = find_chromium()
    if exe is None:
        pytest.skip(
            f"no Chromium found, so the offline browser test of the HTML book did not run; install it with "
            f"`{INSTALL}` (or set NNBOOK_CHROMIUM to a Chrome/Chromium executable)"
        )
    pytest.importorskip(
        "playwright.sync_api", reason="the playwright Python package is missing (pip install -r requirements.lock)"
    )
    return exe


@pytest.fixture(scope="session")
def built_book(chromium) -> Path:
    """_build/html, built like `make book` (strict; the execution cache makes a rebuild cheap).
    NNBOOK_BUILT_BOOK=path checks a book already built there instead."""
    if os.environ.get("NNBOOK_BUILT_BOOK"):
        return Path(os.environ["NNBOOK_BUILT_BOOK"])
    bindir = Path(sys.executable).parent
    from conftest import book_build_lock

    with book_build_lock():
        # inside the lock: guard-cache may delete _build/.jupyter_cache
        subprocess.run([sys.executable, "-m", "nnbook.notebooks", "guard-cache", str(BUILD)], cwd=ROOT, check=True)
        # as `make book`: the notebooks missing from the cache first, two at a time
        subprocess.run([sys.executable, "-m", "nnbook.notebooks", "prefill", str(ROOT), "2"], cwd=ROOT, check=True)
        run = subprocess.run(
            [str(bindir / "jupyter-book"), "build", ".", "--warningiserror", "--keep-going"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
    if run.returncode != 0:
        out = run.stdout + run.stderr
        problems = [
            line for line in out.splitlines() if ("WARNING" in line or "ERROR" in line) and "IPKernelApp" not in line
        ]
        pytest.fail(
            "the book did not build (strict: warnings are errors):\n" + "\n".join(problems[:40] or [out[-4000:]])
        )
    return HTML


# JavaScript run in each page once it has loaded: what a reader would see.
INSPECT = r"""
async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) { await MathJax.startup.promise; }
  const article = document.querySelector("article.bd-article") || document.body;
  const clone = article.cloneNode(true);
  clone.querySelectorAll("pre, code, script, style, mjx-container, textarea, .nnbook-demo-data")
       .forEach(e => e.remove());
  const text = clone.textContent;
  const raw = [];
  for (const re of [/\$[^$\s][^$\n]{0,80}?\$/g, /\\\(.{0,80}?\\\)/g, /\\\[.{0,80}?\\\]/g]) {
    for (const m of text.matchAll(re)) raw.push(m[0]);
  }
  const visible = e => e.offsetParent !== null || e.getClientRects().length > 0;
  const broken = [...document.images].filter(i => visible(i) && !(i.complete && i.naturalWidth > 0))
                                     .map(i => (i.getAttribute("src") || "").slice(0, 80));
  const areas = [...document.querySelectorAll(".jupyter-widgets, .widget-subarea, .nnbook-demo")]
     .filter(e => !e.closest("details:not([open]), .toggle-hidden, .tag_hide-output, .tag_remove-output"))
     .filter(e => e.getBoundingClientRect().height === 0).map(e => e.className);
  const shown = e => !e.closest("details:not([open]), .toggle-hidden") && e.getClientRects().length > 0;
  const thinBars = [...document.querySelectorAll(".widget-hprogress")].filter(shown)
     .filter(e => e.getBoundingClientRect().width < 50).map(e => `progress bar ${Math.round(e.getBoundingClientRect().width)} px wide`);
  const cut = [...document.querySelectorAll(".widget-label, .widget-html-content, .widget-hbox")].filter(shown)
     .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => `'${e.textContent.trim().slice(0, 40)}'`);
  await document.fonts.ready;
  const cjkText = /[\u4e00-\u9fff]/.test(article.textContent);
  const cjkFont = [...document.fonts].some(f => f.family.replace(/["']/g, "") === "nnbook Noto Sans SC" && f.status === "loaded");
  const unrendered = document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]').length;
  const rendered = document.querySelectorAll(".widget-subarea, .jupyter-widgets").length;
  return {raw, broken, zeroHeight: areas, unrendered, rendered, thinBars, cut, cjkMissing: cjkText && !cjkFont,
          demos: document.querySelectorAll(".nnbook-demo").length};
}
"""

# For each control of each pre-rendered demo: does some value of it change the figure?
MOVE_CONTROLS = r"""
() => {
  const dead = [];
  let controls = 0;
  document.querySelectorAll(".nnbook-demo").forEach((demo, d) => {
    const img = demo.querySelector("img.nnbook-demo-frame");
    demo.querySelectorAll("[data-name]").forEach(input => {
      controls += 1;
      const start = input.value, before = img.src;
      const n = input.tagName === "SELECT" ? input.options.length : parseInt(input.max, 10) + 1;
      let changed = false;
      for (let i = 0; i < n && !changed; i++) {
        input.value = String(i);
        input.dispatchEvent(new Event("input", {bubbles: true}));
        changed = img.src !== before;
      }
      input.value = start;
      input.dispatchEvent(new Event("input", {bubbles: true}));
      if (!changed || img.src !== before) dead.push(`demo ${d + 1}: control '${input.dataset.name}'`);
    });
  });
  return {controls, dead};
}
"""


def test_every_page_works_offline_in_chromium(built_book, chromium):
    from playwright.sync_api import sync_playwright

    pages = sorted(p for p in built_book.rglob("*.html") if "_static" not in p.parts)
    assert len(pages) >= 5, f"only {len(pages)} pages in {built_book}"
    SHOTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    outbound: list[str] = []
    seen = {"demos": 0, "controls": 0, "widgets": 0}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")

        def route(r):
            if r.request.url.startswith(("file:", "data:", "blob:")):
                r.continue_()
            else:
                outbound.append(r.request.url)
                r.abort()

        context.route("**/*", route)
        for path in pages:
            rel = path.relative_to(built_book).as_posix()
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e, errors=errors: errors.append(f"uncaught: {e}"))
            page.on(
                "console",
                lambda m, errors=errors: errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None,
            )
            before = len(outbound)
            page.goto(path.as_uri(), wait_until="load")
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(300)
            info = page.evaluate(INSPECT)
            moved = page.evaluate(MOVE_CONTROLS)
            seen["demos"] += info["demos"]
            seen["controls"] += moved["controls"]
            seen["widgets"] += info["rendered"]
            for what, items in [
                ("JavaScript error", errors),
                ("raw LaTeX", info["raw"]),
                ("broken image", info["broken"]),
                ("zero-height widget area", info["zeroHeight"]),
                ("widget", info["thinBars"]),
                ("widget text cut off", info["cut"]),
                ("demo control that never changes the figure", moved["dead"]),
                ("request leaving the machine", outbound[before:]),
            ]:
                problems += [f"{rel}: {what}: {x}" for x in items]
            if info["cjkMissing"]:
                problems.append(f"{rel}: Chinese text, but the bundled CJK webfont did not load")
            if info["unrendered"] and not info["rendered"]:
                problems.append(f"{rel}: {info['unrendered']} widget views were not rendered")
            if path.stem in SCREENSHOT_PAGES:
                page.screenshot(path=str(SHOTS / f"{path.stem}.png"), full_page=True)
            page.close()
        browser.close()
    assert not problems, f"{len(problems)} problem(s) in the offline book:\n" + "\n".join(problems[:60])
    assert seen["demos"] >= 1 and seen["controls"] >= 1, f"no pre-rendered demo found in the book: {seen}"


def test_find_chromium_honours_the_environment(monkeypatch):
    monkeypatch.setenv("NNBOOK_CHROMIUM", "/opt/my-chrome")
    assert find_chromium() == "/opt/my-chrome"
