"""Plain data: the only values that cross between a student's kernel and the grader.

A plain value is None, a bool, an int, a float, a str, a list/tuple of plain values, a dict with
str keys and plain values, or a NumPy array (or NumPy scalar) of a numeric or bool dtype; a
PyTorch tensor is sent as the NumPy array of its values. Anything else (an object
whose ``__eq__`` always says True, a subclass with tricks, an object array) is rejected.
``encode`` turns a plain value into JSON text; ``decode`` turns JSON text back, strictly.
"""

from __future__ import annotations

import base64
import io
import json
import math

import numpy as np

MAX_DEPTH = 20
MAX_BYTES = 64 * 2**20


class NotPlainData(TypeError):
    """A value that is not plain data (see the module docstring)."""


def to_tree(x, depth: int = 0):
    """``x`` as a tree of JSON values (arrays tagged), or NotPlainData if it is not plain data."""
    if depth > MAX_DEPTH:
        raise NotPlainData("value nested too deeply")
    t = type(x)  # exact types only: subclasses can override comparison or conversion
    if x is None or t is bool or t is str:
        return x
    if t is int:
        return x
    if t is float:
        return x if math.isfinite(x) else {"__float__": repr(x)}
    if t in (np.bool_,):
        return bool(x)
    if t in (np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64):
        return int(x)
    if t in (np.float16, np.float32, np.float64):
        return to_tree(float(x))
    if t is list or t is tuple:
        return [to_tree(v, depth + 1) for v in x]
    if t is dict:
        if not all(type(k) is str for k in x):
            raise NotPlainData("dict keys must be str")
        return {"__dict__": {k: to_tree(v, depth + 1) for k, v in x.items()}}
    if (t.__module__, t.__name__) in (("torch", "Tensor"), ("torch.nn.parameter", "Parameter")):
        return to_tree(x.detach().cpu().numpy(), depth + 1)
    if t is np.ndarray:
        if x.dtype.kind not in "biuf":
            raise NotPlainData(f"arrays must be numeric or bool; got dtype {x.dtype}")
        buf = io.BytesIO()
        np.save(buf, np.ascontiguousarray(x), allow_pickle=False)
        return {"__ndarray__": base64.b64encode(buf.getvalue()).decode("ascii")}
    raise NotPlainData(f"{t.__module__}.{t.__qualname__} is not plain data (numbers, strings, lists, NumPy arrays)")


def encode(x) -> str:
    """JSON text for the plain value ``x``; raises NotPlainData for anything else."""
    return json.dumps(to_tree(x), allow_nan=False)


def from_tree(x, depth: int = 0):
    """The plain value a tree made by :func:`to_tree` stands for, checked strictly."""
    if depth > MAX_DEPTH:
        raise NotPlainData("value nested too deeply")
    if x is None or type(x) in (bool, int, float, str):
        return x
    if type(x) is list:
        return [from_tree(v, depth + 1) for v in x]
    if type(x) is dict and len(x) == 1:
        ((key, val),) = x.items()
        if key == "__float__" and val in ("nan", "inf", "-inf"):
            return float(val)
        if key == "__dict__" and type(val) is dict:
            return {k: from_tree(v, depth + 1) for k, v in val.items()}
        if key == "__ndarray__" and type(val) is str:
            arr = np.load(io.BytesIO(base64.b64decode(val, validate=True)), allow_pickle=False)
            if type(arr) is not np.ndarray or arr.dtype.kind not in "biuf":
                raise NotPlainData("array of an unsupported dtype")
            return arr
    raise NotPlainData(f"unexpected item in plain data: {str(x)[:80]}")


def decode(text: str | bytes):
    """The plain value encoded in ``text``; raises NotPlainData (or ValueError) if malformed."""
    if len(text) > MAX_BYTES:
        raise NotPlainData(f"value too large ({len(text)} bytes)")
    return from_tree(json.loads(text, parse_constant=lambda c: (_ for _ in ()).throw(NotPlainData(c))))


REPLY_KINDS = ("error", "not attempted", "not plain data")


def decode_reply(text: str | bytes) -> dict:
    """A kernel's reply to one hidden-test case: {"value": plain} or {"error": str, "kind": str}."""
    if len(text) > MAX_BYTES:
        raise NotPlainData(f"reply too large ({len(text)} bytes)")
    obj = json.loads(text, parse_constant=lambda c: (_ for _ in ()).throw(NotPlainData(c)))
    if type(obj) is dict and set(obj) == {"value"}:
        return {"value": from_tree(obj["value"])}
    if type(obj) is dict and set(obj) == {"error", "kind"} and type(obj["error"]) is str and obj["kind"] in REPLY_KINDS:
        return {"error": obj["error"][:500], "kind": obj["kind"]}
    raise NotPlainData("malformed reply")
