"""The bilingual glossary: unique names, the generated page up to date, aliases shown."""

import collections

from nnbook import glossary
from nnbook.notebooks import ROOT


def test_glossary_page_is_generated_from_the_yaml_files():
    page = (ROOT / "book" / "glossary.md").read_text(encoding="utf-8")
    assert page == glossary.glossary_page(), "run: .venv/bin/python -m nnbook.glossary book/glossary.md"


def test_every_name_is_unique_across_the_book():
    # Sphinx glossary terms must be unique: an English, Chinese or alternative name used twice breaks links
    names = [n for t in glossary.terms() for n in (t.en.lower(), t.zh, *t.aliases)]
    dupes = [n for n, c in collections.Counter(names).items() if c > 1]
    assert not dupes, dupes


def test_every_term_has_both_names_and_a_definition():
    assert all(t.en and t.zh and t.definition and t.page and t.title for t in glossary.terms())


def test_glossary_entries_link_to_the_teaching_page_and_list_aliases():
    page = glossary.glossary_page()
    assert "dropout" not in page or "{doc}`" in page
    softmax = page[page.index("\nsoftmax\n") :]
    entry = softmax[: softmax.index("\n\n")]
    assert (
        "softmax 函数" in entry
        and "归一化指数函数" in entry
        and "{doc}`Activation functions <ch02_activations>`" in entry
    )


def test_every_term_is_linked_from_the_page_that_teaches_it():
    # scripts/link_terms.py links each first use; a new term or chapter must be linked too
    missing = []
    for page in glossary.pages():
        text = (ROOT / "book" / f"{page}.md").read_text(encoding="utf-8")
        missing += [
            f"{page}: {t.en}"
            for t in glossary.terms(page)
            if f"<{t.en}>`" not in text and f"{{term}}`{t.en}`" not in text
        ]
    assert not missing, f"run .venv/bin/python scripts/link_terms.py; unlinked: {missing}"
