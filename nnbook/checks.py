"""Input checks for the package's public entry points, in one place.

Each check returns the cleaned value or raises an error that says what was wrong and what is
expected. The algorithm cores a chapter displays call none of these: the public function that
wraps a core checks its inputs first, so the core shows the idea alone.
"""

from __future__ import annotations

import math
from collections.abc import Container, Mapping
from typing import Any

import numpy as np

__all__ = [
    "real_array",
    "real_number",
    "positive_number",
    "learning_rate",
    "layer_widths",
    "positive_int",
    "int_at_least",
    "int_in_range",
    "probability",
    "flag",
    "instance",
    "one_of",
    "rng",
    "shape",
    "inputs",
    "ndim",
    "shape_is",
    "min_length",
    "sequence_batch",
    "labels01",
    "class_labels",
]


def real_array(x: Any, name: str = "x") -> np.ndarray:
    """``x`` as a floating-point array (integers and booleans become float64); TypeError otherwise."""
    arr = np.asarray(x)
    if arr.dtype == bool or np.issubdtype(arr.dtype, np.integer):
        return arr.astype(np.float64)
    if not np.issubdtype(arr.dtype, np.floating):
        raise TypeError(f"{name} must be a real number or an array of real numbers; got dtype {arr.dtype}")
    return arr


def real_number(
    value: Any,
    name: str,
    *,
    low: float | None = None,
    low_inclusive: bool = False,
    high: float | None = None,
    high_inclusive: bool = True,
    hint: str = "",
) -> float:
    """``value`` as a finite float, optionally above ``low`` (or at it, with ``low_inclusive``) and at most
    ``high`` (below it, without ``high_inclusive``)."""
    about = f" ({hint})" if hint else ""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number{about}; got {value!r} of type {type(value).__name__}")
    v = float(value)
    too_low = low is not None and (v < low if low_inclusive else v <= low)
    too_high = high is not None and (v > high if high_inclusive else v >= high)
    if not math.isfinite(v) or too_low or too_high:
        bounds = []
        if low is not None:
            bounds.append(f"{'>=' if low_inclusive else '>'} {low:g}")
        if high is not None:
            bounds.append(f"{'<=' if high_inclusive else '<'} {high:g}")
        what = " ".join(["a finite number", " and ".join(bounds)]).strip()
        raise ValueError(f"{name} must be {what}{about}; got {value!r}")
    return v


def positive_number(value: Any, name: str) -> float:
    """``value`` as a positive finite float."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number; got {value!r}")
    if not value > 0 or not math.isfinite(value):
        raise ValueError(f"{name} must be a positive finite number; got {value}")
    return float(value)


def learning_rate(lr: Any) -> float:
    """A learning rate: a positive finite number."""
    if (
        isinstance(lr, bool)
        or not isinstance(lr, (int, float, np.integer, np.floating))
        or not (lr > 0 and math.isfinite(lr))
    ):
        raise ValueError(f"lr must be a positive learning rate (a finite number > 0, e.g. 0.1); got {lr!r}")
    return float(lr)


def layer_widths(sizes: Any) -> list[int]:
    """Layer widths, input first, such as ``[784, 16, 10]``: at least two positive integers."""
    sizes = list(sizes)
    if len(sizes) < 2:
        raise ValueError(
            "sizes must list at least two positive layer widths, at least an input and an output width, "
            f"e.g. [784, 16, 10]; got {sizes}"
        )
    for s in sizes:
        if isinstance(s, bool) or not isinstance(s, (int, np.integer)):
            raise TypeError(f"layer widths must be integers; got {s!r} in {sizes}")
        if s < 1:
            raise ValueError(f"layer widths must be positive; got {s} in {sizes}")
    return [int(s) for s in sizes]


def positive_int(value: Any, name: str, *, minimum: int = 1, none: str | None = None) -> int | None:
    """``value`` as an int >= ``minimum`` (booleans and floats are refused), e.g. a batch size.

    With ``none`` (what None means, e.g. ``"full BPTT"``) None is accepted and returned as it is.
    """
    kind = {1: "a positive integer", 0: "a non-negative integer"}.get(minimum, f"an integer >= {minimum}")
    return int_at_least(value, name, minimum, kind, none=none)


def int_at_least(
    value: Any, name: str, minimum: int, kind: str | None = None, *, none: str | None = None
) -> int | None:
    """``value`` as an int >= ``minimum``; the error says "an integer >= minimum" (or ``kind``).

    With ``none`` (what None means, e.g. ``"one batch"``) None is accepted and returned as it is.
    """
    if none is not None and value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        or_none = f" or None ({none})" if none is not None else ""
        raise ValueError(f"{name} must be {kind or f'an integer >= {minimum}'}{or_none}; got {value!r}")
    return int(value)


def int_in_range(value: Any, name: str, low: int, high: int, *, none: str | None = None) -> int | None:
    """``value`` as an int in ``[low, high]``.

    With ``none`` (what None means, e.g. ``"full batch"``) None is accepted and returned as it is.
    """
    if none is not None and value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not low <= value <= high:
        or_none = f" or None ({none})" if none is not None else ""
        raise ValueError(f"{name} must be an integer in [{low}, {high}]{or_none}; got {value!r}")
    return int(value)


def probability(value: Any, name: str, what: str = "a probability") -> float:
    """``value`` as a float in [0, 1), such as a dropout rate or a momentum coefficient.

    Anything else, a non-number too, is a ValueError "``name`` must be ``what`` in [0, 1)".
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) or not 0 <= value < 1:
        raise ValueError(f"{name} must be {what} in [0, 1); got {value!r}")
    return float(value)


def flag(value: Any, name: str) -> bool:
    """``value`` if it is True or False (NumPy booleans too); TypeError otherwise, so ``1`` or ``"no"`` is refused."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False; got {value!r}")
    return bool(value)


def instance(value: Any, kind: type | tuple[type, ...], name: str, what: str) -> Any:
    """``value`` if it is an instance of ``kind``; a TypeError "``name`` must be ``what``" otherwise.

    ``what`` describes the expected object for a reader, e.g. ``"a torch.nn.Module"``.
    """
    if not isinstance(value, kind):
        raise TypeError(f"{name} must be {what}; got {type(value).__name__}")
    return value


def one_of(value: Any, choices: Container | Mapping, name: str) -> Any:
    """``value`` if it is one of ``choices`` (a mapping's keys); a ValueError listing them otherwise."""
    if value not in choices:
        raise ValueError(f"unknown {name} {value!r}; choose one of {sorted(choices)}")
    return value


def rng(value: Any) -> np.random.Generator:
    """``value`` if it is a NumPy Generator; TypeError otherwise."""
    if not isinstance(value, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, e.g. nnbook.seed(0); got {type(value).__name__}")
    return value


def shape(value: Any, *, min_dims: int = 1) -> tuple[int, ...]:
    """A weight shape as a tuple of positive ints (an int ``n`` means ``(n,)``)."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        value = (int(value),)
    if not isinstance(value, (tuple, list)) or any(
        isinstance(s, bool) or not isinstance(s, (int, np.integer)) for s in value
    ):
        raise TypeError(f"shape must be a tuple of positive integers such as (fan_out, fan_in); got {value!r}")
    out = tuple(int(s) for s in value)
    if len(out) < min_dims or any(s < 1 for s in out):
        need = "at least 2 dimensions (fan_out, fan_in, ...)" if min_dims >= 2 else "positive sizes"
        raise ValueError(f"shape must have {need}; got {value!r}")
    return out


def inputs(X: Any, n_features: int | None = None, name: str = "X") -> np.ndarray:
    """``X`` as a finite float array of shape (n, d) with n >= 1 (and d == ``n_features`` if given)."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or len(X) == 0:
        raise ValueError(f"{name} must be a non-empty 2-D array of shape (n_samples, n_features); got shape {X.shape}")
    if n_features is not None and X.shape[1] != n_features:
        raise ValueError(f"{name} must have {n_features} feature column(s); got shape {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError(f"{name} must contain only finite numbers")
    return X


_DIMENSIONS = {1: "one-dimensional", 2: "two-dimensional", 3: "three-dimensional", 4: "four-dimensional"}


def ndim(x: Any, n: int, name: str, layout: str) -> Any:
    """``x`` (an array or a tensor) if it has ``n`` axes; a ValueError naming them in ``layout`` otherwise.

    ``layout`` names the axes for a reader, e.g. ``"(batch, channels, height, width)"``.
    """
    shape = tuple(np.shape(x))
    if len(shape) != n:
        raise ValueError(f"{name} must be {_DIMENSIONS.get(n, f'{n}-D')} with shape {layout}; got shape {shape}")
    return x


def shape_is(x: Any, expected: tuple[int | None, ...], name: str, layout: str, hint: str = "") -> Any:
    """``x`` (an array or a tensor) if its shape is ``expected``, where None allows any size on that axis.

    ``layout`` names the axes, one name per axis, e.g. ``"(batch, T, n_in)"``; the error shows it with the
    expected sizes filled in, "x must have shape (batch, T, n_in) = (batch, T, 3); got (4, 3)".
    """
    shape = tuple(np.shape(x))
    if len(shape) == len(expected) and all(e is None or s == e for s, e in zip(shape, expected)):
        return x
    axes = [a.strip() for a in layout.strip("()").split(",") if a.strip()]
    filled = [a if e is None else str(e) for a, e in zip(axes, expected)]
    sizes = f"({', '.join(filled)}{',' if len(filled) == 1 else ''})"
    equals = "" if sizes == layout else f" = {sizes}"
    about = f", {hint}" if hint else ""
    raise ValueError(f"{name} must have shape {layout}{equals}{about}; got {shape}")


def min_length(x: Any, minimum: int, name: str, unit: str = "value", why: str = "") -> Any:
    """``x`` if ``len(x) >= minimum``; a ValueError "name must hold at least 4 values" (say) otherwise."""
    if len(x) < minimum:
        units = unit if minimum == 1 else f"{unit}s"
        because = f" ({why})" if why else ""
        raise ValueError(f"{name} must hold at least {minimum} {units}{because}; got {len(x)}")
    return x


def rows(x: Any, n: int, name: str = "x") -> np.ndarray:
    """``x`` as a float batch of shape (batch, n); one row of ``n`` values becomes a batch of one."""
    x = np.asarray(x, dtype=float)
    if x.ndim == 1:
        x = x[None, :]
    return shape_is(x, (None, n), name, "(batch, n)", hint=f"or ({n},) for one row")


def sequence_batch(x: Any, n_features: int, name: str = "x") -> np.ndarray:
    """``x`` as a float64 batch of sequences, shape ``(batch, T, n_features)`` with at least one time step."""
    x = shape_is(np.asarray(x, dtype=np.float64), (None, None, n_features), name, "(batch, T, n_in)")
    if x.shape[1] < 1:
        raise ValueError(f"{name} must hold at least one time step; got T = 0")
    return x


def labels01(y: Any, n: int, name: str = "y") -> np.ndarray:
    """``y`` as an int array of ``n`` labels in {0, 1}."""
    y = np.asarray(y)
    if y.shape != (n,):
        raise ValueError(f"{name} must have shape ({n},), one label per row of X; got shape {y.shape}")
    if not np.all(np.isin(y, (0, 1))):
        values = np.unique(y).tolist()  # sorted
        shown = f"{values[:5]}"[:-1] + (", ...]" if len(values) > 5 else "]")
        raise ValueError(f"{name} must hold the labels 0 and 1 only; got values {shown}")
    return y.astype(np.int64)


def class_labels(y: Any, n: int, n_classes: int, name: str = "y") -> np.ndarray:
    """``y`` as ``n`` integer class labels in ``0 .. n_classes - 1``."""
    y = np.asarray(y)
    if y.shape != (n,) or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"{name} must be {n} integer class labels, shape ({n},); got shape {y.shape}, dtype {y.dtype}")
    if y.size and (y.min() < 0 or y.max() >= n_classes):
        raise ValueError(f"labels must lie in 0..{n_classes - 1}; got {y.min()}..{y.max()}")
    return y
