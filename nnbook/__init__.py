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
    _plain_numpy_scalars(ipython)


def _plain_numpy_scalars(ipython) -> None:
    """Show NumPy scalars as plain numbers (``77.8``, not ``np.float64(77.8)``), so glued values can be formatted."""
    import numpy as np

    plain = ipython.display_formatter.formatters["text/plain"]
    # concrete types too: IPython has its own printer for np.float64, which would win over np.floating
    for kinds, convert in (
        ((np.floating, np.float16, np.float32, np.float64, np.longdouble), float),
        ((np.integer, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64), int),
        ((np.bool_,), bool),
    ):
        for kind in kinds:
            plain.for_type(kind, lambda obj, p, cycle, convert=convert: p.text(repr(convert(obj))))
