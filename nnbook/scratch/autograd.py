"""A tiny scalar autograd engine in the spirit of micrograd (its graph is drawn by :mod:`nnbook.demos.backprop`).

Every :class:`Value` remembers the values it was computed from (``parents``) and the local
derivative of itself with respect to each of them. :meth:`Value.backward` walks the graph in
reverse topological order and applies the chain rule: each node passes ``its grad * local
derivative`` to each parent, summing when a node is used several times.

Semantics of calling ``backward`` more than once (the case micrograd gets wrong): every call
computes the gradients of *this* output afresh in a private buffer and then **adds** them to
``.grad`` of every node in the graph, exactly as PyTorch accumulates into leaf tensors. After
``k`` calls every ``.grad`` is ``k`` times the gradient; :meth:`Value.zero_grad` resets the graph.
(micrograd propagates the already-accumulated ``.grad`` of inner nodes a second time, so its
leaf gradients after two calls are not twice the gradient.)
"""

from __future__ import annotations

import math
from numbers import Real


class Value:
    """A scalar in a computational graph, with the gradient of some output with respect to it."""

    __slots__ = ("data", "grad", "parents", "local_grads", "op", "label")

    def __init__(
        self,
        data: float,
        parents: tuple[Value, ...] = (),
        local_grads: tuple[float, ...] = (),
        op: str = "",
        label: str = "",
    ) -> None:
        if isinstance(data, Value):
            raise TypeError("data must be a real number, not a Value; use the Value itself")
        if isinstance(data, bool) or not isinstance(data, Real):
            raise TypeError(f"a Value holds a real number (int or float); got {data!r} of type {type(data).__name__}")
        self.data = float(data)
        self.grad = 0.0
        self.parents = parents
        self.local_grads = local_grads
        self.op = op
        self.label = label

    def __repr__(self) -> str:
        name = f"{self.label}=" if self.label else ""
        return f"Value({name}{self.data:.6g}, grad={self.grad:.6g})"

    # ---- building the graph -------------------------------------------------------------------
    @staticmethod
    def _lift(other) -> Value:
        if isinstance(other, Value):
            return other
        if isinstance(other, bool) or not isinstance(other, Real):
            raise TypeError(
                f"cannot combine a Value with {other!r} of type {type(other).__name__}; use numbers or Values"
            )
        return Value(other)

    def __add__(self, other) -> Value:
        other = self._lift(other)
        return Value(self.data + other.data, (self, other), (1.0, 1.0), "+")

    def __mul__(self, other) -> Value:
        other = self._lift(other)
        return Value(self.data * other.data, (self, other), (other.data, self.data), "*")

    def __truediv__(self, other) -> Value:
        other = self._lift(other)
        if other.data == 0:
            raise ZeroDivisionError(f"division of {self.data} by a Value equal to 0")
        return Value(self.data / other.data, (self, other), (1.0 / other.data, -self.data / other.data**2), "/")

    def __pow__(self, k) -> Value:
        if isinstance(k, Value) or isinstance(k, bool) or not isinstance(k, Real):
            raise TypeError(f"the exponent must be a constant number (Value ** number); got {type(k).__name__}")
        k = float(k)
        if self.data < 0 and not k.is_integer():
            raise ValueError(f"a negative base ({self.data}) needs an integer exponent; got {k}")
        if self.data == 0 and k < 1:
            raise ValueError(f"0 ** {k} has no finite derivative; use an exponent >= 1 at 0")
        return Value(self.data**k, (self,), (k * self.data ** (k - 1),), f"**{k:g}")

    def __neg__(self) -> Value:
        return Value(-self.data, (self,), (-1.0,), "neg")

    def __sub__(self, other) -> Value:
        other = self._lift(other)
        return Value(self.data - other.data, (self, other), (1.0, -1.0), "-")

    def __radd__(self, other) -> Value:
        return self + other

    def __rmul__(self, other) -> Value:
        return self * other

    def __rsub__(self, other) -> Value:
        return self._lift(other) - self

    def __rtruediv__(self, other) -> Value:
        return self._lift(other) / self

    def exp(self) -> Value:
        e = math.exp(self.data)
        return Value(e, (self,), (e,), "exp")

    def log(self) -> Value:
        if self.data <= 0:
            raise ValueError(f"log needs a positive input; got {self.data}")
        return Value(math.log(self.data), (self,), (1.0 / self.data,), "log")

    def tanh(self) -> Value:
        t = math.tanh(self.data)
        return Value(t, (self,), (1.0 - t * t,), "tanh")

    def sigmoid(self) -> Value:
        s = 1.0 / (1.0 + math.exp(-self.data)) if self.data >= 0 else math.exp(self.data) / (1.0 + math.exp(self.data))
        return Value(s, (self,), (s * (1.0 - s),), "sigmoid")

    def relu(self) -> Value:
        return Value(max(self.data, 0.0), (self,), (1.0 if self.data > 0 else 0.0,), "relu")

    # ---- differentiating ----------------------------------------------------------------------
    def topo(self) -> list[Value]:
        """Every node of the graph below this one, each after all of its parents (iterative DFS)."""
        order: list[Value] = []
        seen: set[int] = set()
        stack: list[tuple[Value, bool]] = [(self, False)]
        while stack:
            node, expanded = stack.pop()
            if expanded:
                order.append(node)
                continue
            if id(node) in seen:
                continue
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((p, False) for p in node.parents if id(p) not in seen)
        return order

    def backward(self) -> None:
        """Add d(self)/d(node) to ``node.grad`` for every node of the graph (see the module docstring)."""
        order = self.topo()
        buf = {id(n): 0.0 for n in order}
        buf[id(self)] = 1.0
        for node in reversed(order):
            g = buf[id(node)]
            for parent, local in zip(node.parents, node.local_grads):
                buf[id(parent)] += g * local  # += : a node used twice receives two contributions
        for node in order:
            node.grad += buf[id(node)]

    def zero_grad(self) -> None:
        """Set ``.grad`` of every node of the graph to 0."""
        for node in self.topo():
            node.grad = 0.0


def count_ops(root: Value) -> dict[str, int]:
    """How many nodes of each operation the graph holds (leaves count as ``"leaf"``)."""
    out: dict[str, int] = {}
    for n in root.topo():
        key = n.op or "leaf"
        out[key] = out.get(key, 0) + 1
    return out
