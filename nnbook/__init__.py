"""nnbook: the companion package of the nnbook textbook.

Chapters import what they need from the submodules (``nnbook.data``, ``nnbook.plot``,
``nnbook.scratch``, ...). ``nnbook.seed``, ``nnbook.device`` and ``nnbook.has_cuda`` (from
``nnbook.runtime``) are re-exported lazily, so ``import nnbook`` stays fast for the command line.

Importing the package changes nothing: a notebook opts in to the book's figure style and the
``%%gpu`` cell magic with ``%load_ext nnbook`` (or ``nnbook.plot.use_style()`` for the style alone).
"""

from __future__ import annotations

__version__ = "0.1.0"

_LAZY = {
    "seed": "nnbook.runtime",
    "device": "nnbook.runtime",
    "has_cuda": "nnbook.runtime",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'nnbook' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])


def load_ipython_extension(ipython) -> None:
    """``%load_ext nnbook``: the book's figure style and the ``%%gpu`` cell magic."""
    from nnbook.gpu import register_magic
    from nnbook.plot import use_style

    register_magic(ipython)
    use_style()
