"""One notebook reader (issue 11): ``nnbook.notebooks.parse`` reads every notebook the project
reads (masters, submissions, the release and export), converts nbformat 3, and names the file and
what was expected when the input is not a notebook."""

import copy
import json
import sys
from pathlib import Path

import jupytext
import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).parent / "grading_fixtures"))
from helpers import TOY, student_nb  # noqa: E402

from nnbook import notebooks  # noqa: E402
from nnbook.grading.intake import load_submission  # noqa: E402
from nnbook.grading.master import read_master  # noqa: E402
from nnbook.grading.release import release, release_one  # noqa: E402
from nnbook.notebooks import EXPECTED, NotebookError, find_notebooks, parse, read  # noqa: E402

BAD = {
    "empty": (b"  \n", "empty file"),
    "binary": (b"%PDF-1.4 ...", "binary file"),
    "latin-1": ('{"cells": "é"}'.encode("latin-1"), "not UTF-8"),
    "invalid JSON": (b"{not json", "invalid JSON (Expecting property name"),
    "deep JSON": (b"[" * 100000 + b"]" * 100000, "nested too deeply"),
    "no cells": (b'{"metadata": {}}', "without a list of cells"),
    "nbformat 5": (b'{"nbformat": 5, "cells": []}', "nbformat 5"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_names_the_file_and_what_was_expected(case):
    data, problem = BAD[case]
    with pytest.raises(NotebookError) as e:
        parse(data, "hw/alice.ipynb")
    assert str(e.value).startswith("hw/alice.ipynb: ") and problem in str(e.value) and EXPECTED in str(e.value)


def test_nbformat_3_is_converted_with_a_note():
    v4 = student_nb()
    v3 = nbformat.convert(copy.deepcopy(v4), 3)
    nb, notes = parse(json.dumps(v3).encode(), "old.ipynb")
    assert nb.nbformat == 4 and notes == ["an old notebook (nbformat 3), converted to nbformat 4"]
    assert [c.source for c in nb.cells] == [c.source for c in v4.cells]


def test_book_notebooks_read_as_jupytext_reads_them():
    def content(nb):
        d = json.loads(nbformat.writes(nb))
        for c in d["cells"]:
            c.pop("id", None)  # jupytext makes up random ids
        return d

    paths = find_notebooks()
    assert paths
    for p in paths:
        assert content(read(p)) == content(jupytext.read(p)), p


@pytest.fixture
def spy(monkeypatch):
    """The names every call of the one reader was given."""
    seen = []
    real = notebooks.parse

    def recording(data, name):
        seen.append(Path(name).name)
        return real(data, name)

    monkeypatch.setattr(notebooks, "parse", recording)
    return seen


def test_every_caller_goes_through_the_one_reader(spy, tmp_path):
    read_master(TOY)
    assert spy == [TOY.name]
    sub = tmp_path / "bob.ipynb"
    nbformat.write(student_nb(), sub)
    assert load_submission(sub, "ch99_toy", sub.read_bytes())[0] is not None
    assert spy[-1] == "bob.ipynb"
    spy.clear()
    release_one(TOY, tmp_path / "rel")
    assert spy == [TOY.name]
    spy.clear()
    notebooks.export([TOY], tmp_path / "exp", root=TOY.parent, student_versions=False)
    assert spy == [TOY.name]
    ipynb_master = tmp_path / "ch99_toy.ipynb"  # a master saved as .ipynb is read the same way
    nbformat.write(read(TOY), ipynb_master)
    spy.clear()
    assert read_master(ipynb_master).questions == read_master(TOY).questions
    assert spy == ["ch99_toy.ipynb", TOY.name]


def test_each_caller_reports_bad_input_clearly(tmp_path):
    bad = tmp_path / "ch98_broken.md"
    bad.write_text("{ this is no notebook")
    with pytest.raises(NotebookError, match=r"ch98_broken\.md: not a notebook: invalid JSON"):
        read_master(bad)
    written, errors = release([bad], tmp_path / "out")
    assert written == [] and len(errors) == 1 and str(bad) in errors[0] and EXPECTED in errors[0]
    nb, reasons = load_submission(tmp_path / "carol.ipynb", "ch99_toy", b"")
    assert nb is None and reasons == [f"carol.ipynb: empty file; {EXPECTED}"]
    with pytest.raises(NotebookError, match=r"missing\.md: cannot read the file"):
        read(tmp_path / "missing.md")
