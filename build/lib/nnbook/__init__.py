"""nnbook: the companion package of the nnbook textbook.

Chapters import what they need from the submodules (``nnbook.data``, ``nnbook.plot``,
``nnbook.scratch``, ...). The most used helpers are re-exported here lazily, so
``import nnbook`` stays fast for the command line.
"""
from __future__ import annotations

__version__ = "0.1.0"

_LAZY = {
    "seed": "nnbook.train",
    "device": "nnbook.train",
    "has_cuda": "nnbook.train",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'nnbook' has no attribute {name!r}")


def load_ipython_extension(ipython) -> None:
    """``%load_ext nnbook``: the book's figure style and the ``%%gpu`` cell magic."""
    from nnbook.gpu import register_magic
    from nnbook.plot import use_style

    register_magic(ipython)
    use_style()


def _autoload() -> None:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency
        return
    ip = get_ipython()
    if ip is not None and hasattr(ip, "register_magic_function"):
        load_ipython_extension(ip)


_autoload()
