"""Cells that need a GPU: tagged ``gpu`` and started with the ``%%gpu`` cell magic.

With CUDA present the cell runs as usual; without it the cell is skipped and says so, in the
notebook, in the HTML book and under the test run, which counts the skipped cells.
"""

from __future__ import annotations

SKIP_NOTE = "Skipped: this cell needs a CUDA GPU and none is available here. It runs unchanged on a machine with one."


def gpu_cell(line: str, cell: str) -> None:
    """Body of the ``%%gpu`` magic: run ``cell`` when CUDA is available, else show a visible note."""
    from IPython import get_ipython
    from IPython.display import Markdown, display

    from nnbook.runtime import has_cuda

    if not has_cuda():
        display(Markdown(f"> **{SKIP_NOTE}**"))
        return
    result = get_ipython().run_cell(cell)
    result.raise_error()


def register_magic(ipython) -> None:
    """Register ``%%gpu`` in an IPython shell."""
    ipython.register_magic_function(gpu_cell, magic_kind="cell", magic_name="gpu")
