"""A tiny scalar autograd engine in the spirit of micrograd, and a drawing of its graph.

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

    def __init__(self, data: float, parents: tuple[Value, ...] = (), local_grads: tuple[float, ...] = (), op: str = "", label: str = "") -> None:
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
            raise TypeError(f"cannot combine a Value with {other!r} of type {type(other).__name__}; use numbers or Values")
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


_SYMBOL = {"sigmoid": "σ", "tanh": "tanh", "relu": "relu", "neg": "−", "-": "−", "*": "×", "/": "÷"}


def draw_graph(root: Value, ax=None, *, show_grad: bool = True):
    """Draw the computational graph of ``root`` with matplotlib (no graphviz): leaves on the left.

    Each value is a box with its label, value and gradient; the operation that produced it is a
    circle feeding the box. Returns the figure.
    """
    import matplotlib.pyplot as plt

    if not isinstance(root, Value):
        raise TypeError(f"root must be a Value; got {type(root).__name__}")
    order = root.topo()
    consumers: dict[int, list[Value]] = {id(n): [] for n in order}
    for n in order:
        for p in set(n.parents):
            consumers[id(p)].append(n)
    depth: dict[int, int] = {}
    for n in order:  # parents come first, so their depth is known
        depth[id(n)] = 0 if not n.parents else 1 + max(depth[id(p)] for p in n.parents)
    for n in order:  # a leaf sits just left of its first consumer, not far away in column 0
        if not n.parents and consumers[id(n)]:
            depth[id(n)] = min(depth[id(c)] for c in consumers[id(n)]) - 1
    layers: dict[int, list[Value]] = {}
    for n in order:
        layers.setdefault(depth[id(n)], []).append(n)
    pos: dict[int, tuple[float, float]] = {}
    for d in sorted(layers, reverse=True):  # from the output leftwards, near the nodes they feed
        nodes = sorted(layers[d], key=lambda n: -sum(pos[id(c)][1] for c in consumers[id(n)]) / max(len(consumers[id(n)]), 1))
        for i, n in enumerate(nodes):
            pos[id(n)] = (2.0 * d, (len(nodes) - 1) / 2.0 - i)
    n_layers = max(layers) + 1
    height = max(len(v) for v in layers.values())
    if ax is None:
        fig, ax = plt.subplots(figsize=(min(2.3 * n_layers + 1, 12), 1.1 * height + 0.8), layout="constrained")
    else:
        fig = ax.figure
    box = dict(boxstyle="round,pad=0.3", fc="#f4f4f4", ec="#444444")
    for n in order:
        x, y = pos[id(n)]
        text = (f"{n.label}\n" if n.label else "") + f"{n.data:.4g}" + (f"\ngrad {n.grad:.4g}" if show_grad else "")
        ax.text(x, y, text, ha="center", va="center", fontsize=8, bbox=box, zorder=3)
        if n.parents:
            ox, oy = x - 0.8, y
            ax.text(ox, oy, _SYMBOL.get(n.op, n.op), ha="center", va="center", fontsize=8, zorder=3,
                    bbox=dict(boxstyle="circle,pad=0.25", fc="#cfe3f3", ec="#0072B2"))
            ax.annotate("", (x - 0.45, y), (ox + 0.2, oy), arrowprops=dict(arrowstyle="->", color="#444444"))
            for p in set(map(id, n.parents)):
                px, py = pos[p]
                ax.annotate("", (ox - 0.2, oy), (px + 0.45, py), arrowprops=dict(arrowstyle="->", color="#888888"))
    ax.set_xlim(-0.8, 2.0 * (n_layers - 1) + 0.8)
    ax.set_ylim(-height / 2.0 - 0.2, height / 2.0 + 0.2)
    ax.set_axis_off()
    return fig



def neuron_graph(w: float = 0.8, b: float = -0.2, x: float = 1.5, t: float = 1.0):
    """The graph of one sigmoid neuron with squared error, E = (sigmoid(w x + b) - t)^2 / 2, after
    ``backward``: each box shows its value and dE/d(box). The title states dE/dw = x dE/dz."""
    w_, x_, b_, t_ = Value(w, label="w"), Value(x, label="x"), Value(b, label="b"), Value(t, label="t")
    z = w_ * x_ + b_
    z.label = "z"
    a = z.sigmoid()
    a.label = "a"
    E = 0.5 * (a - t_) ** 2
    E.label = "E"
    E.backward()
    fig = draw_graph(E)
    fig.axes[0].set_title(f"dE/dw = x · dE/dz = {x:g} · {z.grad:.4f} = {w_.grad:.4f}")
    return fig
