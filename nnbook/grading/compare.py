"""Compare a value with an expected one, with tolerances, and say how they differ.

Used by ``assert_close`` in notebooks and, on decoded plain data only, by the grader (in the
grading process, never in the student's kernel).
"""

from __future__ import annotations

import numpy as np

RTOL = 1e-6
ATOL = 1e-8


def short(x, limit: int = 120) -> str:
    """A short, readable repr of ``x`` for messages."""
    if isinstance(x, np.ndarray):
        with np.printoptions(precision=6, threshold=20, edgeitems=3, linewidth=limit):
            text = np.array2string(x, separator=", ")
        text = f"array({text}, shape={x.shape})" if x.ndim > 0 else text
    elif isinstance(x, np.generic):  # np.float64(0.5) reads as 0.5
        text = repr(x.item())
    else:
        text = repr(x)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _is_number(x) -> bool:
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, (bool, np.bool_))


def _numeric_array(x):
    """x as a float/int/bool ndarray if it is an array or a (nested) list of numbers, else None."""
    if isinstance(x, np.ndarray):
        return x if x.dtype.kind in "biuf" else None
    if isinstance(x, (list, tuple)) and x:
        try:
            arr = np.array(x)
        except (ValueError, TypeError):
            return None
        return arr if arr.dtype.kind in "biuf" else None
    return None


def _is_bool(x) -> bool:
    return isinstance(x, (bool, np.bool_)) or (isinstance(x, np.ndarray) and x.shape == () and x.dtype.kind == "b")


def diagnose(got, expected) -> str:
    """A hint at what went wrong that quotes no value: 'sign flipped', 'off by a constant factor
    of 2', 'looks transposed'; '' when none of these fits."""
    g, e = (
        _numeric_array(got) if not _is_number(got) else np.asarray(got),
        _numeric_array(expected) if not _is_number(expected) else np.asarray(expected),
    )
    if g is None or e is None or g.dtype.kind == "b" or e.dtype.kind == "b" or e.size == 0:
        return ""
    integers = g.dtype.kind in "iu" and e.dtype.kind in "iu"
    g, e = g.astype(float), e.astype(float)
    if (
        e.ndim == 2
        and g.shape == e.shape[::-1]
        and np.allclose(g.T, e, rtol=1e-6, atol=1e-12)
        and not (g.shape == e.shape and np.allclose(g, e, rtol=1e-6, atol=1e-12))
    ):
        return "looks transposed"
    if g.shape != e.shape or not np.all(np.isfinite(g)) or not np.all(np.isfinite(e)):
        return ""
    big = np.abs(e) > 1e-12
    if not big.any() or np.any(np.abs(g[~big]) > 1e-12):
        return ""
    ratio = g[big] / e[big]
    r = float(np.median(ratio))
    if not np.allclose(ratio, r, rtol=1e-6, atol=1e-12) or np.isclose(r, 1.0, rtol=1e-6):
        return ""
    if np.isclose(r, -1.0, rtol=1e-6):
        return "sign flipped"
    if e.size == 1 and integers:
        return ""  # two integers (a size, a count) differ by some ratio: that says nothing
    return f"off by a constant factor of {r:.3g}" if r != 0 else ""


def compare(got, expected, rtol: float = RTOL, atol: float = ATOL, path: str = "") -> str | None:
    """None if ``got`` matches ``expected`` within tolerances, else a message saying how not."""
    where = f" at {path}" if path else ""
    if _is_number(expected):
        if isinstance(got, np.ndarray) and got.shape == () and got.dtype.kind in "iuf":
            got = got.item()
        if not _is_number(got):
            return f"expected a number{where}, got {short(got)}"
        if np.isnan(expected) and np.isnan(got):
            return None
        if not np.isclose(float(got), float(expected), rtol=rtol, atol=atol):
            return f"expected {short(expected)}{where}, got {short(got)}" + _why(got, expected)
        return None
    exp_arr = _numeric_array(expected)
    if exp_arr is not None and (isinstance(expected, np.ndarray) or isinstance(got, np.ndarray)):
        got_arr = np.asarray(got) if _is_number(got) or _is_bool(got) else _numeric_array(got)
        if got_arr is None:
            return f"expected an array of shape {exp_arr.shape}{where}, got {short(got)}"
        if got_arr.shape != exp_arr.shape:
            return f"expected shape {exp_arr.shape}{where}, got shape {got_arr.shape}: {short(got)}" + _why(
                got_arr, exp_arr
            )
        if exp_arr.dtype.kind == "b" or got_arr.dtype.kind == "b":
            bad = exp_arr != got_arr
        else:
            g, e = got_arr.astype(float), exp_arr.astype(float)
            bad = ~np.isclose(g, e, rtol=rtol, atol=atol, equal_nan=True)
        if bad.any():
            idx = tuple(int(i) for i in np.argwhere(bad)[0])
            return (
                f"{int(bad.sum())} of {bad.size} entries differ{where}; first at index {idx}: "
                f"expected {exp_arr[idx].item()!r}, got {got_arr[idx].item()!r}{_why(got_arr, exp_arr)}"
                f"\n  expected {short(exp_arr)}\n  got      {short(got_arr)}"
            )
        return None
    if isinstance(expected, (bool, np.bool_)):  # a 0-d bool array is a bool, as a bool array is bools
        if not _is_bool(got) or bool(got) != bool(expected):
            return f"expected {expected!r}{where}, got {short(got)}"
        return None
    if expected is None or isinstance(expected, str):
        if type(got) is not type(expected) or got != expected:
            return f"expected {short(expected)}{where}, got {short(got)}"
        return None
    if isinstance(expected, (list, tuple)):
        if not isinstance(got, (list, tuple)):
            return f"expected a sequence of length {len(expected)}{where}, got {short(got)}"
        if len(got) != len(expected):
            return f"expected {len(expected)} items{where}, got {len(got)}: {short(got)}"
        for i, (g, e) in enumerate(zip(got, expected)):
            msg = compare(g, e, rtol, atol, f"{path}[{i}]")
            if msg:
                return msg
        return None
    if isinstance(expected, dict):
        if not isinstance(got, dict) or set(got) != set(expected):
            return f"expected a dict with keys {sorted(expected)}{where}, got {short(got)}"
        for k in expected:
            msg = compare(got[k], expected[k], rtol, atol, f"{path}[{k!r}]")
            if msg:
                return msg
        return None
    if isinstance(expected, np.ndarray):  # non-numeric expected arrays: exact
        if not isinstance(got, np.ndarray) or got.shape != expected.shape or not (got == expected).all():
            return f"expected {short(expected)}{where}, got {short(got)}"
        return None
    raise TypeError(f"cannot compare with an expected value of type {type(expected).__name__}")


def _why(got, expected) -> str:
    d = diagnose(got, expected)
    return f" ({d})" if d else ""


def _kind(x) -> str:
    if isinstance(x, np.ndarray):
        return f"an array of shape {x.shape}"
    if _is_number(x):
        return "a number"
    if isinstance(x, (list, tuple)):
        return f"a sequence of {len(x)} items"
    return {bool: "a bool", np.bool_: "a bool", str: "a string", type(None): "None", dict: "a dict"}.get(
        type(x), type(x).__name__
    )


def coarse(got, expected, path: str = "") -> str:
    """How ``got`` differs from ``expected``, without revealing the expected values (for feedback)."""
    where = f" in {path}" if path else ""
    exp_arr = _numeric_array(expected)
    if exp_arr is not None and (isinstance(expected, np.ndarray) or isinstance(got, np.ndarray)):
        got_arr = _numeric_array(got)
        if got_arr is None:
            return f"wrong type{where}: expected an array of shape {exp_arr.shape}, got {_kind(got)}"
        if got_arr.shape != exp_arr.shape:
            return f"wrong shape{where}: expected {exp_arr.shape}, got {got_arr.shape}" + _why(got_arr, exp_arr)
        return f"wrong values{where}" + _why(got_arr, exp_arr)
    if isinstance(expected, (list, tuple)) and isinstance(got, (list, tuple)):
        if len(got) != len(expected):
            return f"wrong length{where}: expected {len(expected)} items, got {len(got)}"
        for i, (g, e) in enumerate(zip(got, expected)):
            if compare(g, e) is not None:
                return coarse(g, e, f"{path}[{i}]" if path else f"item {i}")
    if _kind(got) != _kind(expected) and not (_is_number(got) and _is_number(expected)):
        return f"wrong type{where}: expected {_kind(expected)}, got {_kind(got)}"
    return f"wrong value{where}" + (_why(got, expected) if _is_number(got) and _is_number(expected) else "")
