import json
import re

import ipywidgets as w
import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure

from nnbook import widgets as W
from nnbook.widgets import Demo


def _fig(a=1.0, label="x"):
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, a])
    ax.set_title(f"{label}={a}")
    return fig


def test_demo_static_uses_defaults_and_overrides():
    d = Demo(_fig, a=w.FloatSlider(value=2.0), label="y")
    assert d.defaults() == {"a": 2.0, "label": "y"}
    assert d.static().axes[0].get_title() == "y=2.0"
    assert isinstance(d.static(a=3.0), Figure)
    with pytest.raises(TypeError, match="unknown parameter"):
        d.static(b=1)


def test_demo_widget_redraws_on_change():
    d = Demo(_fig, a=w.FloatSlider(value=1.0, min=0, max=5))
    box = d.widget()
    out = box.children[1]
    assert len(out.outputs) == 1
    box.children[0].children[0].value = 4.0
    assert len(out.outputs) == 1  # replaced, not appended


def test_demo_bad_construction():
    with pytest.raises(TypeError, match="figure must be a function"):
        Demo(3, a=1)
    with pytest.raises(ValueError, match="at least one control"):
        Demo(_fig)


# --- the static (HTML book) view -------------------------------------------------------------------


def _grid_fig(a=1.0, kind="line", note="n"):
    fig, ax = plt.subplots(figsize=(2, 1.5))
    ax.plot([0, 1], [0, a] if kind == "line" else [a, 0])
    return fig


def test_plan_grid_lists_options_then_shares_the_rest_among_sliders():
    controls = dict(
        kind=w.Dropdown(options=["line", "flip"], value="line"),
        a=w.FloatSlider(value=1.0, min=0, max=5, step=0.1),
        b=w.IntSlider(value=3, min=0, max=10),
        c=w.FloatSlider(value=0.5, min=0, max=1, step=0.01),
        note=w.Text(value="n"),
        fixed=2.0,
    )
    grid = W.plan_grid(controls, 36)
    assert list(grid) == ["kind", "a", "b"]  # c does not fit (36/2 = 18 frames: 2 sliders of 4), text never
    frames = 1
    for vals in grid.values():
        frames *= len(vals)
    assert frames <= 36 and len(grid["a"]) >= W.MIN_SLIDER_STEPS
    assert 1.0 in grid["a"] and 3 in grid["b"]  # the defaults are always frames
    assert grid["a"][0] == 0 and grid["a"][-1] == 5  # the whole range


def test_control_values_of_each_kind():
    assert W.control_values(w.IntSlider(value=2, min=0, max=4)) == [0, 1, 2, 3, 4]
    assert W.control_values(w.FloatLogSlider(value=0.1, base=10, min=-2, max=0, step=1)) == pytest.approx(
        [0.01, 0.1, 1.0]
    )
    assert W.control_values(w.Checkbox(value=True)) == [False, True]
    assert W.control_values(w.SelectionSlider(options=[("low", 0.1), ("high", 0.9)], value=0.1)) == [0.1, 0.9]
    assert W.control_values(w.Text(value="x")) is None


def test_prerender_frames_follow_the_controls():
    d = Demo(
        _grid_fig,
        kind=w.Dropdown(options=["line", "flip"], value="line", description="kind"),
        a=w.FloatSlider(value=1.0, min=0, max=3, step=1.0, description="slope"),
        note=w.Text(value="n", description="note"),
    )
    s = d.prerender()
    assert s.grid == {"kind": ["line", "flip"], "a": [0.0, 1.0, 2.0, 3.0]}
    assert len(s.index) == 8 and len(s.frames) == 7  # a=0 draws the same flat line for both kinds: stored once
    assert s.frame_at(kind=0, a=1) != s.frame_at(kind=0, a=2) != s.frame_at(kind=1, a=2)
    assert s.frame_at(kind=1, a=0) == s.frame_at(kind=0, a=0)
    assert len(set(s.frames)) == len(s.frames)
    page = s.html()
    assert page.count('<input type="range"') == 1 and page.count("<select") == 1
    data = json.loads(
        re.search(r'<script type="application/json" class="nnbook-demo-data">(.*?)</script>', page).group(1)
    )
    assert data["names"] == ["kind", "a"] and data["sizes"] == [2, 4] and len(data["frames"]) == len(s.frames)
    assert "note = n" in page and "Run this notebook to move every slider" in page


def test_a_demo_with_nothing_to_grid_says_run_the_notebook():
    d = Demo(_grid_fig, note=w.Text(value="n", description="note"))
    page = d.prerender().html()
    assert "<input" not in page and "<select" not in page
    assert "Run this notebook to move every slider" in page and 'class="nnbook-demo-frame"' in page


def test_prerender_respects_the_budgets():
    many = dict(a=w.FloatSlider(value=1.0, min=0, max=100, step=0.01), b=w.IntSlider(value=0, min=0, max=1000))
    for budget in (W.DEFAULT_FRAMES, W.MAX_FRAMES, 5):
        sizes = [len(v) for v in W.plan_grid(many, budget).values()]
        assert sizes and __import__("math").prod(sizes) <= budget
    d = Demo(_grid_fig, a=w.FloatSlider(value=1.0, min=0, max=1, step=1.0))
    with pytest.raises(ValueError, match="max_frames must be between 1 and 60"):
        d.prerender(max_frames=61)
    with pytest.raises(ValueError, match="limit is 10"):
        d.prerender(max_bytes=10)
    # too many bytes: fewer frames, not a failed build
    big = Demo(_grid_fig, a=w.FloatSlider(value=1.0, min=0, max=3, step=0.5))
    full = big.prerender()
    assert len(full.index) == 7
    one = len(full.frames[0]) * 4 // 3
    fewer = big.prerender(max_bytes=3 * one)
    assert 1 <= len(fewer.index) < 7 and fewer.nbytes * 4 // 3 <= 3 * one


def test_display_is_live_in_jupyter_and_static_in_the_html_build(monkeypatch):
    d = Demo(_grid_fig, a=w.FloatSlider(value=1.0, min=0, max=3, step=1.0, description="slope"))
    monkeypatch.delenv(W.STATIC_ENV, raising=False)
    live = d._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in live
    monkeypatch.setenv(W.STATIC_ENV, "1")
    static = d._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" not in static and 'class="nnbook-demo"' in static["text/html"]


def test_widget_labels_are_not_cut():
    d = Demo(_grid_fig, a=w.FloatSlider(value=1.0, description="learning rate"))
    d.widget()
    assert d.controls["a"].style.description_width == "initial"


def test_grid_chooses_the_values_to_prerender():
    d = Demo(
        _grid_fig,
        kind=w.Dropdown(options=["line", "flip", "a", "b"], value="flip"),
        a=w.FloatSlider(value=1.0, min=0, max=3, step=1.0),
    ).grid(kind=["line"])
    assert W.plan_grid(d.controls, 36, d.grid_values)["kind"] == ["flip", "line"]  # the default is kept
    with pytest.raises(ValueError, match="are not values of the control"):
        d.grid(kind=["nope"])
    with pytest.raises(TypeError, match="unknown control"):
        d.grid(b=[1])


def test_a_combination_the_figure_refuses_becomes_a_message_frame():
    def picky(a=1):
        if a > 2:
            raise ValueError("a must be at most 2")
        return _grid_fig(a)

    s = Demo(picky, a=w.IntSlider(value=1, min=0, max=4)).prerender()
    assert s.index == [0, 1, 2, 3, 3]  # a=3 and a=4 show the same message, stored once
    with pytest.raises(ValueError, match="at most 2"):  # the default itself must draw
        Demo(picky, a=w.IntSlider(value=3, min=0, max=4)).prerender()
