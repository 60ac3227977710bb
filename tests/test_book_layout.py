"""The table of contents, the pages on disk and the glossary agree."""

from pathlib import Path

import pytest
import yaml

from nnbook import glossary
from nnbook.notebooks import find_notebooks, gpu_cells, read

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"


def toc_files() -> set[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = {toc["root"]}

    def walk(entries):
        for e in entries or []:
            if "file" in e:
                files.add(e["file"])
            walk(e.get("sections"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return files


def page_files() -> set[str]:
    pages = set()
    for p in BOOK.rglob("*"):
        rel = p.relative_to(ROOT)
        if p.suffix in {".md", ".ipynb"} and not any(s.startswith(("_", ".")) for s in rel.parts):
            pages.add(str(rel.with_suffix("")))
    return pages


def test_every_page_is_in_the_toc():
    missing = page_files() - toc_files()
    assert not missing, f"pages not listed in _toc.yml: {sorted(missing)}"


def test_every_toc_entry_exists():
    dangling = toc_files() - page_files()
    assert not dangling, f"_toc.yml lists pages that do not exist: {sorted(dangling)}"


def test_notebooks_are_found_without_a_list():
    found = {p.relative_to(ROOT).as_posix() for p in find_notebooks(ROOT)}
    assert "book/ch01_perceptron.md" in found
    assert all(not f.endswith(("references.md",)) for f in found)


@pytest.mark.parametrize("page", glossary.pages())
def test_glossary_terms_are_introduced_in_their_chapter(page):
    """Each term's Chinese name appears in the page that teaches it (the first use gives it)."""
    text = (BOOK / f"{page}.md").read_text(encoding="utf-8")
    absent = [f"{t.en} ({t.zh})" for t in glossary.terms(page) if t.zh not in text]
    assert not absent, f"{page}.md never gives these Chinese terms: {absent}"


def test_gpu_tagged_cells_use_the_gpu_magic():
    for path in find_notebooks(ROOT):
        gpu_cells(read(path))  # raises with the cell index if a tagged cell lacks %%gpu
