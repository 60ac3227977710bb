import ipywidgets as w
import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure

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
