"""Show the package's own code on the page: the book prints the function that actually runs."""

from __future__ import annotations

import inspect
import textwrap
from pathlib import Path

__all__ = ["source_of", "show_source"]

_ROOT = Path(__file__).resolve().parent.parent


def source_of(obj) -> str:
    """The source code of a function, method or class, with a first comment naming its file."""
    try:
        code = inspect.getsource(obj)
        path = Path(inspect.getsourcefile(obj) or "").resolve()
    except (TypeError, OSError) as exc:
        raise TypeError(f"show_source needs a function, method or class defined in a file; got {obj!r}") from exc
    try:
        where = path.relative_to(_ROOT)
    except ValueError:
        where = path.name
    body = textwrap.dedent(code)  # methods are shown at the left margin
    return f"# {where.as_posix()}\n{body}".rstrip() + "\n"


def show_source(obj):
    """Display ``source_of(obj)`` as a highlighted Python block (Markdown, so the HTML book renders it)."""
    from IPython.display import Markdown

    return Markdown(f"```python\n{source_of(obj)}```")
