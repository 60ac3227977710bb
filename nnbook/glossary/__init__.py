"""The bilingual glossary: one YAML file of terms per chapter, the single source for the
glossary page and each chapter's summary table.

Each file ``nnbook/glossary/<page>.yml`` holds ``page`` (the book page under ``book/`` that
teaches the terms, without ``.md``), ``title`` and ``terms``: a list of ``{en, zh, definition}``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

HERE = Path(__file__).parent


@dataclass(frozen=True)
class Term:
    en: str
    zh: str
    definition: str
    page: str
    title: str
    aliases: tuple[str, ...] = ()  # other names a reader may know, e.g. 暂退法 for dropout


def pages() -> list[str]:
    """The book pages that define glossary terms, in file order."""
    return [p.stem for p in sorted(HERE.glob("*.yml"))]


def terms(page: str | None = None) -> list[Term]:
    """All glossary terms, or those taught on ``page`` (e.g. ``"ch01_perceptron"``)."""
    known = pages()
    if page is not None and page not in known:
        raise ValueError(f"no glossary file for page {page!r}; pages with terms: {known}")
    out: list[Term] = []
    for name in known if page is None else [page]:
        data = yaml.safe_load((HERE / f"{name}.yml").read_text(encoding="utf-8"))
        for t in data["terms"]:
            out.append(
                Term(
                    t["en"], t["zh"], t["definition"].strip(), data["page"], data["title"], tuple(t.get("aliases", ()))
                )
            )
    return out


def table(page: str | None = None, *, link: bool = False) -> str:
    """A Markdown table of the terms (English, Chinese, meaning), sorted by English term."""
    rows = sorted(terms(page), key=lambda t: t.en.lower())
    head = "| English | 中文 | Meaning |" + (" Taught in |" if link else "")
    sep = "|---|---|---|" + ("---|" if link else "")
    lines = [head, sep]
    for t in rows:
        zh = "、".join((t.zh, *t.aliases))
        line = f"| {t.en} | {zh} | {t.definition} |"
        if link:
            line += f" [{t.title}]({t.page}.md) |"
        lines.append(line)
    return "\n".join(lines)


def show(page: str | None = None, *, link: bool = False):
    """Display :func:`table` as rendered Markdown in a notebook."""
    from IPython.display import Markdown

    return Markdown(table(page, link=link))


PAGE_HEADER = """# Glossary 术语表

Every technical term of the book in English and Chinese, with its meaning and a link to the chapter
that teaches it. Terms in the chapters link here at their first use. This page is generated from
`nnbook/glossary/` (the same files that fill each chapter's summary table) by
`python -m nnbook.glossary book/glossary.md`; a test checks that it is up to date.
"""


def glossary_page() -> str:
    """The text of ``book/glossary.md``: a Sphinx glossary whose entries are the English and Chinese names.

    Each entry can be linked from a chapter with ``{term}`English name` `` (or the Chinese name), and
    ends with a link to the page that teaches it; a broken link fails the strict build.
    """
    lines = [PAGE_HEADER, ":::{glossary}", ":sorted:", ""]
    for t in sorted(terms(), key=lambda t: t.en.lower()):
        lines.append(t.en)
        lines.append(t.zh)
        lines.extend(t.aliases)
        also = f" Also called {', '.join(t.aliases)}." if t.aliases else ""
        lines.append(f"  {t.definition}{also} Taught in {{doc}}`{t.title} <{t.page}>`.")
        lines.append("")
    lines.append(":::")
    return "\n".join(lines) + "\n"


def _main(argv: list[str] | None = None) -> int:
    import sys

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m nnbook.glossary book/glossary.md", file=sys.stderr)
        return 2
    Path(args[0]).write_text(glossary_page(), encoding="utf-8")
    return 0
