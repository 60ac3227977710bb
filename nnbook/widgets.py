"""Interactive demos. Each is a pure function (parameters -> figure) plus a thin wrapper.

The pure function is what tests call; the wrapper only wires controls to it. A chapter defines a
demo as::

    Demo(neuron_boundary_figure, w1=FloatSlider(...), w2=..., b=...)

as the last line of a cell. The same ``Demo`` shows two ways:

- in Jupyter (a kernel is running) it is a live ipywidgets view: every control redraws the figure;
- in the HTML book (built with ``NNBOOK_STATIC_DEMOS=1``, which the book's Sphinx extension sets)
  it is a *static* view: the figure pre-rendered for a grid of control values (at most
  ``MAX_FRAMES`` frames, ``MAX_BYTES`` bytes) and HTML controls that swap frames with plain
  JavaScript (``nnbook/book_static/nnbook-demo.js``), no kernel needed. Controls whose values cannot
  be listed (free text) or that do not fit the frame budget stay at their defaults, and the page
  says so: "run this notebook to move them".
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import json
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

STATIC_ENV = "NNBOOK_STATIC_DEMOS"
MAX_FRAMES = 60  # the most frames a demo may pre-render
DEFAULT_FRAMES = 36  # what a demo pre-renders unless its ``max_frames`` is raised (build time)
MAX_BYTES = 3_000_000
MIN_SLIDER_STEPS = 4  # a slider with fewer grid values than this is left at its default
FRAME_DPI = 120  # frames are shown at 100 dpi size: crisp on high-density screens


def png_bytes(fig: Figure, dpi: int = 100) -> bytes:
    """The figure rendered as PNG bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    return buf.getvalue()


def compact_png(png: bytes, scale: float = 1.0) -> bytes:
    """The PNG with its colours reduced to a 256-colour palette (figures: ~2.5x smaller),
    resized by ``scale``."""
    from PIL import Image

    im = Image.open(io.BytesIO(png)).convert("RGB")
    if scale != 1.0:
        im = im.resize((max(1, round(im.width * scale)), max(1, round(im.height * scale))), Image.Resampling.LANCZOS)
    im = im.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    out = io.BytesIO()
    im.save(out, format="PNG")
    return out.getvalue()


def message_figure(text: str) -> Figure:
    """A small figure that only says ``text`` (a frame for settings the figure function refuses)."""
    import textwrap

    fig = plt.figure(figsize=(6.4, 1.2))
    fig.text(0.5, 0.5, "\n".join(textwrap.wrap(text, 90)), ha="center", va="center", fontsize=10)
    return fig


def _label(control: Any, name: str) -> str:
    return getattr(control, "description", "") or name


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def control_values(control: Any) -> list | None:
    """Every value a control can take, or None when they cannot be listed (free text, ...)."""
    import ipywidgets as w

    if isinstance(control, (w.Dropdown, w.SelectionSlider, w.ToggleButtons, w.RadioButtons, w.Select)):
        return list(control._options_values)
    if isinstance(control, (w.Checkbox, w.ToggleButton)):
        return [False, True]
    if isinstance(control, w.FloatLogSlider):
        n = int(round((control.max - control.min) / control.step)) + 1
        return [float(control.base ** (control.min + i * control.step)) for i in range(n)]
    if isinstance(control, (w.IntSlider, w.FloatSlider)):
        n = int(math.floor((control.max - control.min) / control.step + 1e-9)) + 1
        vals = [control.min + i * control.step for i in range(n)]
        return [int(v) for v in vals] if isinstance(control, w.IntSlider) else [round(float(v), 12) for v in vals]
    return None


def _thin(values: list, default: Any, n: int) -> list:
    """``n`` values spread evenly over ``values`` (all of them if they fit), always with ``default``."""
    if len(values) <= n:
        out = list(values)
    else:
        idx = sorted({round(i * (len(values) - 1) / (n - 1)) for i in range(n)})
        out = [values[i] for i in idx]
    if default not in out:
        near = min(range(len(out)), key=lambda i: abs(out[i] - default) if isinstance(default, (int, float)) else 0)
        out[near] = default
        out = sorted(set(out)) if all(isinstance(v, (int, float)) for v in out) else out
    return out


def plan_grid(
    controls: dict[str, Any], max_frames: int = DEFAULT_FRAMES, chosen_values: dict[str, list] | None = None
) -> dict[str, list]:
    """The control values to pre-render: name -> values, for the controls that fit the budget.

    Controls with a few options (menus, checkboxes) and those given ``chosen_values`` come first,
    in the order given, while their product fits ``max_frames``; sliders share what is left, in
    order, each getting the same number of values (at least ``MIN_SLIDER_STEPS``). Controls left
    out keep their default value.
    """
    import ipywidgets as w

    chosen_values = chosen_values or {}
    live = {k: c for k, c in controls.items() if isinstance(c, w.ValueWidget)}
    options, sliders = {}, {}
    for name, c in live.items():
        if name in chosen_values:
            options[name] = list(chosen_values[name])
            continue
        vals = control_values(c)
        if vals is None or len(vals) < 2:
            continue
        (options if not isinstance(c, (w.IntSlider, w.FloatSlider, w.FloatLogSlider)) else sliders)[name] = vals
    grid: dict[str, list] = {}
    frames = 1
    for name, vals in options.items():
        if frames * len(vals) <= max_frames:
            grid[name] = vals
            frames *= len(vals)
    budget = max_frames // frames
    chosen: list[str] = []
    for name in sliders:
        k = len(chosen) + 1
        if int(budget ** (1 / k) + 1e-9) >= MIN_SLIDER_STEPS:
            chosen.append(name)
    # every chosen slider gets n values; a short slider's unused share goes to the next ones
    left = budget
    for i, name in enumerate(chosen):
        n = max(MIN_SLIDER_STEPS, int(left ** (1 / (len(chosen) - i)) + 1e-9))
        vals = _thin(sliders[name], live[name].value, n)
        grid[name] = vals
        left = max(1, left // len(vals))
    return {name: grid[name] for name in live if name in grid}


@dataclass
class StaticDemo:
    """A demo pre-rendered: the grid of control values and one PNG frame per combination."""

    labels: dict[str, str]
    grid: dict[str, list]
    start: dict[str, int]
    frames: list[bytes]
    index: list[int]  # frame of each grid combination (row-major over ``grid``), frames deduplicated
    fixed: dict[str, Any] = field(default_factory=dict)
    width: int | None = None

    def frame_at(self, **choice: int) -> bytes:
        """The frame for grid positions ``name=i``."""
        flat = 0
        for name, vals in self.grid.items():
            flat = flat * len(vals) + choice.get(name, self.start[name])
        return self.frames[self.index[flat]]

    @property
    def nbytes(self) -> int:
        return sum(len(f) for f in self.frames)

    def html(self) -> str:
        """The static view: HTML controls, the frame at the defaults, the frames as JSON."""
        uid = (
            "nnbook-demo-" + hashlib.sha1(b"".join(self.frames[:2]) + json.dumps(self.labels).encode()).hexdigest()[:10]
        )
        parts = [f'<div class="nnbook-demo" id="{uid}">']
        if self.grid:
            parts.append('<div class="nnbook-demo-controls">')
            for name, vals in self.grid.items():
                label = html.escape(self.labels[name])
                i0 = self.start[name]
                if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in vals):
                    parts.append(
                        f'<label class="nnbook-demo-control"><span class="nnbook-demo-label">{label}</span>'
                        f'<input type="range" data-name="{html.escape(name)}" min="0" max="{len(vals) - 1}" step="1" value="{i0}" '
                        f'data-values="{html.escape(json.dumps([_fmt(v) for v in vals]))}" aria-label="{label}">'
                        f"<output>{html.escape(_fmt(vals[i0]))}</output></label>"
                    )
                else:
                    opts = "".join(
                        f'<option value="{i}"{" selected" if i == i0 else ""}>{html.escape(_fmt(v))}</option>'
                        for i, v in enumerate(vals)
                    )
                    parts.append(
                        f'<label class="nnbook-demo-control"><span class="nnbook-demo-label">{label}</span>'
                        f'<select data-name="{html.escape(name)}" aria-label="{label}">{opts}</select></label>'
                    )
            parts.append("</div>")
        flat0 = 0
        for name, vals in self.grid.items():
            flat0 = flat0 * len(vals) + self.start[name]
        first = base64.b64encode(self.frames[self.index[flat0]]).decode()
        width = f' width="{self.width}"' if self.width else ""
        parts.append(
            f'<img class="nnbook-demo-frame" alt="figure of the demo" src="data:image/png;base64,{first}"{width}>'
        )
        note = (
            "Pre-rendered: each control above swaps between figures computed when the book was built."
            if self.grid
            else "This figure shows the default settings."
        )
        if self.fixed:
            kept = ", ".join(f"{html.escape(label)} = {html.escape(_fmt(v))}" for label, v in self.fixed.items())
            note += f" Kept at their defaults here: {kept}. Run this notebook to move every slider."
        elif not self.grid:
            note += " Run this notebook to move the sliders."
        parts.append(f'<p class="nnbook-demo-note">{note}</p>')
        if self.grid:
            data = {
                "names": list(self.grid),
                "sizes": [len(v) for v in self.grid.values()],
                "index": self.index,
                "frames": [base64.b64encode(f).decode() for f in self.frames],
            }
            parts.append(f'<script type="application/json" class="nnbook-demo-data">{json.dumps(data)}</script>')
        parts.append("</div>")
        return "".join(parts)


class Demo:
    """An interactive figure: ``figure(**params)`` redrawn whenever a control changes."""

    max_frames: int = DEFAULT_FRAMES  # frames pre-rendered for the HTML book (at most MAX_FRAMES)

    def __init__(self, figure: Callable[..., Figure], **controls: Any) -> None:
        if not callable(figure):
            raise TypeError(f"figure must be a function returning a matplotlib Figure; got {figure!r}")
        if not controls:
            raise ValueError("a Demo needs at least one control, e.g. w=FloatSlider(...)")
        self.figure = figure
        self.controls = controls
        self.grid_values: dict[str, list] = {}

    def grid(self, **values: Sequence) -> Demo:
        """Pre-render only these values of these controls in the HTML book (the defaults are
        added); returns the demo, so a cell can end with ``Demo(...).grid(init=[...])``."""
        for name, vals in values.items():
            if name not in self.controls:
                raise TypeError(f"unknown control {name!r}; this demo has {sorted(self.controls)}")
            allowed = control_values(self.controls[name])
            bad = [v for v in vals if allowed is not None and v not in allowed]
            if bad:
                raise ValueError(f"{name}: {bad} are not values of the control; it takes {allowed}")
            default = getattr(self.controls[name], "value", None)
            vals = list(vals)
            self.grid_values[name] = vals if default in vals else [default, *vals]
        return self

    def defaults(self) -> dict[str, Any]:
        """The parameter values the controls start at."""
        return {name: getattr(c, "value", c) for name, c in self.controls.items()}

    def static(self, **overrides: Any) -> Figure:
        """The figure at the default parameters (or ``overrides``), without any widget."""
        unknown = set(overrides) - set(self.controls)
        if unknown:
            raise TypeError(f"unknown parameter(s) {sorted(unknown)}; this demo takes {sorted(self.controls)}")
        return self.figure(**{**self.defaults(), **overrides})

    def prerender(self, max_frames: int | None = None, max_bytes: int = MAX_BYTES, dpi: int = FRAME_DPI) -> StaticDemo:
        """The demo pre-rendered over :func:`plan_grid` (one figure per combination, PNG at ``dpi``).

        ``max_frames`` defaults to the demo's ``max_frames``. When the frames exceed ``max_bytes``
        they are shown at a lower resolution, then fewer of them (half the grid, ...); a demo
        whose single default frame does not fit raises ValueError.
        """
        import ipywidgets as w

        max_frames = self.max_frames if max_frames is None else max_frames
        if not 1 <= max_frames <= MAX_FRAMES:
            raise ValueError(f"max_frames must be between 1 and {MAX_FRAMES}; got {max_frames}")
        defaults = self.defaults()
        rendered: dict[str, bytes] = {}  # each combination is drawn once, whatever the attempts

        def draw(combo: dict[str, Any]) -> bytes:
            key = repr(sorted(combo.items()))
            if key not in rendered:
                try:
                    fig = self.figure(**{**defaults, **combo})
                except Exception as e:  # noqa: BLE001 - a combination the figure refuses is shown, as the live widget would
                    if all(defaults[k] == v for k, v in combo.items()):
                        raise  # the figure at the defaults must draw
                    fig = message_figure(f"{type(e).__name__}: {e}")
                rendered[key] = png_bytes(fig, dpi=dpi)
                plt.close(fig)
            return rendered[key]

        budget = max_frames
        while True:
            grid = plan_grid(self.controls, budget, self.grid_values if budget == max_frames else None)
            combos: list[dict[str, Any]] = [{}]
            for name, vals in grid.items():
                combos = [{**c, name: v} for c in combos for v in vals]
            pngs = [draw(c) for c in combos]
            width = round(_png_width(pngs[0]) * 100 / dpi)
            for scale in (1.0, 0.8, 0.65):
                frames, seen, index = [], {}, []
                for png in pngs:
                    small = compact_png(png, scale)
                    if small not in seen:
                        seen[small] = len(frames)
                        frames.append(small)
                    index.append(seen[small])
                size = sum(len(f) for f in frames) * 4 // 3  # as base64 in the page
                if size <= max_bytes:
                    break
            if size <= max_bytes:
                break
            if budget == 1:
                raise ValueError(
                    f"the default frame of this demo takes {size} bytes as base64 even at {scale:.0%} "
                    f"resolution; the limit is {max_bytes}"
                )
            budget = max(1, budget // 2)
        labels = {name: _label(c, name) for name, c in self.controls.items()}
        fixed = {
            labels[n]: defaults[n] for n, c in self.controls.items() if isinstance(c, w.ValueWidget) and n not in grid
        }
        start = {name: vals.index(defaults[name]) for name, vals in grid.items()}
        return StaticDemo(
            labels={n: labels[n] for n in grid},
            grid=grid,
            start=start,
            frames=frames,
            index=index,
            fixed=fixed,
            width=width,
        )

    def widget(self):
        """The ipywidgets view: the controls above an output area holding the current figure."""
        import ipywidgets as w
        from IPython.display import Image

        out = w.Output()
        live = {k: c for k, c in self.controls.items() if isinstance(c, w.ValueWidget)}
        for c in live.values():  # show the whole label ("learning rate", not "learning r…")
            if getattr(c, "description", ""):
                c.style.description_width = "initial"

        def redraw(_change=None) -> None:
            params = {**self.defaults(), **{k: c.value for k, c in live.items()}}
            fig = self.figure(**params)
            # Set the outputs directly (not `with out:`), so the PNG is part of the widget's state:
            # it works outside a kernel (tests).
            png = png_bytes(fig, dpi=FRAME_DPI)
            out.outputs = ()
            out.append_display_data(Image(png, width=round(_png_width(png) * 100 / FRAME_DPI)))
            plt.close(fig)

        for c in live.values():
            c.observe(redraw, names="value")
        redraw()
        box = w.HBox(list(live.values()), layout=w.Layout(flex_flow="row wrap"))
        return w.VBox([box, out])

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        if static_demos():
            view = self.prerender().html()
            return {"text/html": view, "text/plain": f"<Demo of {getattr(self.figure, '__name__', 'a figure')}>"}
        return self.widget()._repr_mimebundle_(include=include, exclude=exclude)


def static_demos() -> bool:
    """True when demos should be pre-rendered (the HTML book's build sets ``NNBOOK_STATIC_DEMOS=1``)."""
    return os.environ.get(STATIC_ENV, "") not in ("", "0")


def _png_width(png: bytes) -> int:
    return int.from_bytes(png[16:20], "big")
