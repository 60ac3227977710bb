"""Reading a master notebook: its questions, solution blocks and hidden cells."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from nnbook import notebooks

HIDDEN_TAG = "hidden"
BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
ONE_LINE = "### SOLUTION"
QUESTION_HEADING = re.compile(
    r"^#{1,6}\s*Q(\d+)\b(?:\s*\(\s*(\d+(?:\.\d+)?)\s*points?\s*\))?", re.IGNORECASE | re.MULTILINE
)
HIDDEN_CALL = re.compile(r"\bhidden_test\s*\(")


class MasterError(ValueError):
    """A master notebook that does not follow exercises/README.md."""


@dataclass
class Stripped:
    """A cell source with its solutions replaced by stubs."""

    source: str
    solution_lines: list[str] = field(default_factory=list)
    top_level_stub: bool = False


def chapter_of(path: Path) -> str:
    """The chapter id of a master: its file name without suffix, e.g. 'ch01_perceptron'."""
    return Path(path).stem


def is_hidden(cell) -> bool:
    return HIDDEN_TAG in cell.get("metadata", {}).get("tags", [])


def _stub(indent: str, qid: str | None, markdown: bool) -> str:
    if markdown:
        return f"{indent}_Write your answer here._"
    label = f"{qid}: " if qid else ""
    return f'{indent}raise NotImplementedError("{label}write your solution here")'


def strip_solutions(source: str, qid: str | None = None, markdown: bool = False, where: str = "cell") -> Stripped:
    """Replace every BEGIN/END SOLUTION block and every ``### SOLUTION`` line by a stub."""
    out, sol, top = [], [], False
    inside: str | None = None  # the indentation of the open block
    for n, line in enumerate(source.splitlines(), 1):
        stripped = line.strip()
        if stripped == BEGIN:
            if inside is not None:
                raise MasterError(f"{where}, line {n}: {BEGIN} inside another solution block")
            inside = line[: len(line) - len(line.lstrip())]
            continue
        if stripped == END:
            if inside is None:
                raise MasterError(f"{where}, line {n}: {END} without {BEGIN}")
            out.append(_stub(inside, qid, markdown))
            top = top or (inside == "" and not markdown)
            inside = None
            continue
        if inside is not None:
            sol.append(line)
            continue
        if line.rstrip().endswith(ONE_LINE) and stripped != ONE_LINE:
            code = line.rstrip()[: -len(ONE_LINE)].rstrip()
            sol.append(code)
            indent = line[: len(line) - len(line.lstrip())]
            m = re.match(r"^(\s*[A-Za-z_][\w.\[\]'\", ]*?)\s*=(?!=)\s*\S", code)
            if m and not markdown:
                out.append(f"{m.group(1)} = ...  # your answer")
            else:
                out.append(_stub(indent, qid, markdown))
                top = top or (indent == "" and not markdown)
            continue
        if BEGIN in line or END in line or ONE_LINE in line:
            raise MasterError(
                f"{where}, line {n}: {BEGIN!r} and {END!r} stand alone on their lines, "
                f"{ONE_LINE!r} ends a line of code: {line.strip()!r}"
            )
        out.append(line)
    if inside is not None:
        raise MasterError(f"{where}: {BEGIN} without {END}")
    return Stripped("\n".join(out), sol, top)


@dataclass
class Master:
    """A parsed master: the notebook, its chapter id and the points its headings announce."""

    path: Path
    nb: nbformat.NotebookNode
    chapter: str
    headings: dict[str, float]

    @property
    def questions(self) -> list[str]:
        return list(self.headings)


def read_master(path: Path) -> Master:
    """Read and sanity-check a master notebook (MyST Markdown or .ipynb, through the one reader
    ``nnbook.notebooks.read``, which raises ``NotebookError`` on a file that is not a notebook)."""
    path = Path(path)
    nb = notebooks.read(path)
    headings: dict[str, float] = {}
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for m in QUESTION_HEADING.finditer(cell.source):
                headings[f"q{int(m.group(1))}"] = float(m.group(2)) if m.group(2) else float("nan")
    return Master(path, nb, chapter_of(path), headings)


def question_of_cells(nb: nbformat.NotebookNode) -> list[str | None]:
    """For each cell, the question it belongs to (the last ``## Qn`` heading above it)."""
    current, out = None, []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            found = QUESTION_HEADING.findall(cell.source)
            if found:
                current = f"q{int(found[-1][0])}"
        out.append(current)
    return out


def natural_key(qid: str):
    m = re.match(r"([A-Za-z]*)(\d+)(.*)", qid)
    return (m.group(1), int(m.group(2)), m.group(3)) if m else (qid, 0, "")
