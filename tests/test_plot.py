"""nnbook.plot: the figure helpers every chapter shares, and no second copy of them elsewhere."""

import ast
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import nnbook  # noqa: E402
from nnbook import plot  # noqa: E402

PACKAGE = Path(nnbook.__file__).parent

# modules that still draw bare image axes by hand; their owners should call nnbook.plot.bare_axis
KNOWN_COPIES = {"demos/cnn.py": "chapter 9's owner: replace _bare with nnbook.plot.bare_axis"}


def test_bare_axis_removes_ticks_grid_and_frame():
    fig, (a, b) = plot.figure(2)
    assert plot.bare_axis(a) is a
    plot.bare_axis(b, frame=True)
    for ax in (a, b):
        assert list(ax.get_xticks()) == [] and list(ax.get_yticks()) == []
        assert not any(line.get_visible() for line in ax.get_xgridlines() + ax.get_ygridlines())
    assert not any(s.get_visible() for s in a.spines.values())
    assert all(s.get_visible() for s in b.spines.values())  # all four sides, not the style's two


def test_images_draws_each_row_on_a_framed_bare_axis():
    fig, axes = plot.figure(3)
    plot.images(axes, np.arange(12.0).reshape(3, 4), shape=(2, 2), titles=["a", "b", "c"])
    assert [ax.get_title() for ax in axes] == ["a", "b", "c"]
    assert all(list(ax.get_xticks()) == [] and ax.spines["left"].get_visible() for ax in axes)
    with pytest.raises(ValueError, match="need at least 3 axes"):
        plot.images(axes[:2], np.zeros((3, 4)), shape=(2, 2))


def test_weights_figure_draws_every_row_on_one_symmetric_scale():
    w = np.arange(-10.0, 10.0).reshape(5, 4)  # five 2x2 "kernels"
    fig = plot.weights_figure(w, shape=(2, 2), title="t", ncols=3, numbered=True)
    drawn = [ax for ax in fig.axes if ax.images]
    assert len(fig.axes) == 6 and len(drawn) == 5 and fig._suptitle.get_text() == "t"
    assert [ax.get_title() for ax in drawn] == ["0", "1", "2", "3", "4"]
    assert {ax.images[0].get_clim() for ax in drawn} == {(-10.0, 10.0)}
    np.testing.assert_array_equal(drawn[4].images[0].get_array(), w[4].reshape(2, 2))
    kernels = plot.weights_figure(w.reshape(5, 1, 2, 2), shape=(2, 2), title="conv kernels")  # (out, in, k, k)
    assert len([ax for ax in kernels.axes if ax.images]) == 5
    with pytest.raises(ValueError, match=r"stack of \(3, 3\) images"):
        plot.weights_figure(w, shape=(3, 3), title="t")


def _hand_made_bare_axes(path: Path) -> list[str]:
    """Functions in ``path`` that clear both tick sets themselves (what bare_axis is for)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.FunctionDef):
            calls = {
                c.func.attr
                for c in ast.walk(node)
                if isinstance(c, ast.Call)
                and isinstance(c.func, ast.Attribute)
                and c.args
                and isinstance(c.args[0], ast.List)
                and not c.args[0].elts
            }
            if {"set_xticks", "set_yticks"} <= calls:
                found.append(node.name)
    return found


def _copies() -> dict[str, list[str]]:
    copies = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel != "plot.py" and (names := _hand_made_bare_axes(path)):
            copies[rel] = names
    return copies


def test_no_module_clears_image_axes_by_hand():
    found = {rel: names for rel, names in _copies().items() if rel not in KNOWN_COPIES}
    assert not found, f"use nnbook.plot.bare_axis instead of: {found}"


def test_the_known_copies_are_still_there():
    assert set(KNOWN_COPIES) <= set(_copies()), "a known copy is gone: remove it from KNOWN_COPIES"


def test_the_copy_check_sees_a_copy(tmp_path):
    f = tmp_path / "m.py"
    f.write_text("def _bare(ax):\n    ax.set_xticks([]), ax.set_yticks([])\n")
    assert _hand_made_bare_axes(f) == ["_bare"]
    assert _hand_made_bare_axes(PACKAGE / "plot.py") == ["bare_axis"]
