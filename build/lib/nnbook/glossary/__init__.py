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
            out.append(Term(t["en"], t["zh"], t["definition"].strip(), data["page"], data["title"]))
    return out


def table(page: str | None = None, *, link: bool = False) -> str:
    """A Markdown table of the terms (English, Chinese, meaning), sorted by English term."""
    rows = sorted(terms(page), key=lambda t: t.en.lower())
    head = "| English | 中文 | Meaning |" + (" Taught in |" if link else "")
    sep = "|---|---|---|" + ("---|" if link else "")
    lines = [head, sep]
    for t in rows:
        line = f"| {t.en} | {t.zh} | {t.definition} |"
        if link:
            line += f" [{t.title}]({t.page}.md) |"
        lines.append(line)
    return "\n".join(lines)


def show(page: str | None = None, *, link: bool = False):
    """Display :func:`table` as rendered Markdown in a notebook."""
    from IPython.display import Markdown

    return Markdown(table(page, link=link))
