"""Interactive demos. Each is a pure function (parameters -> figure) plus a thin ipywidgets wrapper.

The pure function is what tests call and what the HTML book shows at its default parameters;
the wrapper only wires controls to it. A chapter defines a demo as::

    neuron_demo = Demo(neuron_boundary_figure, w1=FloatSlider(...), w2=..., b=...)

and displays it with ``neuron_demo`` as the last line of a cell.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import matplotlib.pyplot as plt
from matplotlib.figure import Figure


def png_bytes(fig: Figure, dpi: int = 100) -> bytes:
    """The figure rendered as PNG bytes."""
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    return buf.getvalue()


class Demo:
    """An interactive figure: ``figure(**params)`` redrawn whenever a control changes."""

    def __init__(self, figure: Callable[..., Figure], **controls: Any) -> None:
        if not callable(figure):
            raise TypeError(f"figure must be a function returning a matplotlib Figure; got {figure!r}")
        if not controls:
            raise ValueError("a Demo needs at least one control, e.g. w=FloatSlider(...)")
        self.figure = figure
        self.controls = controls

    def defaults(self) -> dict[str, Any]:
        """The parameter values the controls start at."""
        return {name: getattr(c, "value", c) for name, c in self.controls.items()}

    def static(self, **overrides: Any) -> Figure:
        """The figure at the default parameters (or ``overrides``), without any widget."""
        unknown = set(overrides) - set(self.controls)
        if unknown:
            raise TypeError(f"unknown parameter(s) {sorted(unknown)}; this demo takes {sorted(self.controls)}")
        return self.figure(**{**self.defaults(), **overrides})

    def widget(self):
        """The ipywidgets view: the controls above an output area holding the current figure."""
        import ipywidgets as w
        from IPython.display import Image

        out = w.Output()
        live = {k: c for k, c in self.controls.items() if isinstance(c, w.ValueWidget)}

        def redraw(_change=None) -> None:
            params = {**self.defaults(), **{k: c.value for k, c in live.items()}}
            fig = self.figure(**params)
            # Set the outputs directly (not `with out:`), so the PNG is part of the widget's state:
            # it works outside a kernel (tests) and is what the HTML book shows without one.
            out.outputs = ()
            out.append_display_data(Image(png_bytes(fig)))
            plt.close(fig)

        for c in live.values():
            c.observe(redraw, names="value")
        redraw()
        box = w.HBox(list(live.values()), layout=w.Layout(flex_flow="row wrap"))
        return w.VBox([box, out])

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget())
