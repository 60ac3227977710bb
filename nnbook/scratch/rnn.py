"""Recurrent layers from scratch: a vanilla RNN, an LSTM and a GRU, with backpropagation through time.

Every layer reads a batch of sequences ``x`` of shape ``(batch, T, n_in)`` (batch first), starts from
a zero state and returns the hidden state at every step, ``y`` of shape ``(batch, T, n_hidden)``.
Weights keep PyTorch's shapes and gate order, so a layer here and ``torch.nn.RNN`` /
``LSTMCell`` / ``GRUCell`` hold the same numbers. ``truncate=k`` gives truncated BPTT: the
sequence is cut into chunks of ``k`` steps and no gradient flows from one chunk into the state the
previous chunk handed over (what ``h.detach()`` does in PyTorch).
"""

from __future__ import annotations

import math

import numpy as np

from nnbook import checks
from nnbook.scratch import init as _init
from nnbook.scratch.activations import Activation, get, sigmoid, tanh
from nnbook.scratch.core import Grads, Layer

__all__ = [
    "rnn_forward",
    "rnn_bptt",
    "RNN",
    "lstm_step",
    "lstm_step_backward",
    "LSTM",
    "gru_step",
    "gru_step_backward",
    "GRU",
    "IDENTITY",
    "LastStep",
    "global_norm",
    "clip_grad_norm",
    "spectral_radius",
    "state_gradient_norms",
]


def _truncate(truncate) -> int | None:
    return checks.positive_int(truncate, "truncate (steps per BPTT chunk)", none="full BPTT")


# A linear RNN (no activation) is the clean case for the spectral-radius argument. The registry's
# activations are for hidden layers, so the identity lives here rather than in it.
IDENTITY = Activation(
    "identity",
    lambda z: np.asarray(z, dtype=np.float64),
    lambda z: np.ones_like(z, dtype=np.float64),
    "x",
    "1",
    (-np.inf, np.inf),
    "(-inf, inf)",
    "never",
    "linear recurrent networks",
)


def _activation(name: str) -> Activation:
    return IDENTITY if name == "identity" else get(name)


# ---------------------------------------------------------------------------------------------
# The vanilla RNN
# ---------------------------------------------------------------------------------------------
def rnn_forward(x, W_xh, W_hh, b, act: Activation):
    """Unroll h_t = act(W_xh x_t + W_hh h_{t-1} + b) from h_0 = 0; returns states h_0..h_T and pre-activations."""
    batch, T, _ = x.shape
    hs = np.zeros((batch, T + 1, W_hh.shape[0]))  # hs[:, t] is h_t; hs[:, 0] = h_0 = 0
    zs = np.empty((batch, T, W_hh.shape[0]))
    for t in range(T):
        zs[:, t] = x[:, t] @ W_xh.T + hs[:, t] @ W_hh.T + b
        hs[:, t + 1] = act(zs[:, t])
    return hs, zs


def rnn_bptt(x, hs, zs, W_xh, W_hh, grad_y, act: Activation, truncate: int | None = None):
    """Backpropagation through time: walk the steps backwards, carrying dL/dh from each step to the one before."""
    grads = {"W_xh": np.zeros_like(W_xh), "W_hh": np.zeros_like(W_hh), "b": np.zeros(W_hh.shape[0])}
    grad_x, grad_h = np.zeros_like(x), np.zeros_like(grad_y)
    carry = np.zeros_like(grad_y[:, 0])  # dL/dh_t through the later steps
    for t in reversed(range(x.shape[1])):
        grad_h[:, t] = grad_y[:, t] + carry  # total dL/dh_{t+1} (the output of step t)
        dz = grad_h[:, t] * act.derivative_at(zs[:, t])
        grads["W_xh"] += dz.T @ x[:, t]
        grads["W_hh"] += dz.T @ hs[:, t]
        grads["b"] += dz.sum(axis=0)
        grad_x[:, t] = dz @ W_xh
        carry = dz @ W_hh
        if truncate is not None and t % truncate == 0:
            carry = np.zeros_like(carry)  # chunk boundary: the state handed over is a constant
    return grad_x, grads, grad_h


class RNN(Layer):
    """A vanilla (Elman) recurrent layer h_t = act(W_xh x_t + W_hh h_{t-1} + b), h_0 = 0.

    ``activation`` is a name from :data:`nnbook.scratch.activations.ACTIVATIONS` or ``"identity"``.

    ``params``: ``W_xh`` (n_hidden, n_in), ``W_hh`` (n_hidden, n_hidden), ``b`` (n_hidden,), initialised
    like PyTorch's ``nn.RNN``; ``b`` plays the part of PyTorch's two biases ``b_ih + b_hh``.
    """

    def __init__(
        self,
        n_in: int,
        n_hidden: int,
        rng: np.random.Generator,
        *,
        activation: str = "tanh",
        truncate: int | None = None,
    ):
        n_in, n_hidden = checks.positive_int(n_in, "n_in"), checks.positive_int(n_hidden, "n_hidden")
        rng = checks.rng(rng)
        self.activation = activation
        self.act = _activation(activation)
        self.truncate = _truncate(truncate)
        bound = 1.0 / math.sqrt(
            n_hidden
        )  # PyTorch's default for recurrent weights and biases: U(-1/sqrt(H), 1/sqrt(H))
        self.params = {
            "W_xh": _init.uniform((n_hidden, n_in), rng, bound=bound),
            "W_hh": _init.uniform((n_hidden, n_hidden), rng, bound=bound),
            "b": _init.uniform((n_hidden,), rng, bound=bound),
        }

    @property
    def n_in(self) -> int:
        return self.params["W_xh"].shape[1]

    @property
    def n_hidden(self) -> int:
        return self.params["W_hh"].shape[0]

    def forward(self, x):
        x = checks.sequence_batch(x, self.n_in)
        p = self.params
        hs, zs = rnn_forward(x, p["W_xh"], p["W_hh"], p["b"], self.act)
        return hs[:, 1:].copy(), (x, hs, zs)

    def backward_states(self, cache, grad_y):
        """Like :meth:`backward`, plus ``grad_h``: dL/dh_t of every step (batch, T, n_hidden)."""
        x, hs, zs = cache
        p = self.params
        return rnn_bptt(x, hs, zs, p["W_xh"], p["W_hh"], np.asarray(grad_y, dtype=np.float64), self.act, self.truncate)

    def backward(self, cache, grad_y):
        grad_x, grads, _ = self.backward_states(cache, grad_y)
        return grad_x, grads

    def __repr__(self) -> str:
        return (
            f"RNN(n_in={self.n_in}, n_hidden={self.n_hidden}, activation={self.activation!r}, truncate={self.truncate})"
        )


# ---------------------------------------------------------------------------------------------
# Gated cells: one step forward and backward
# ---------------------------------------------------------------------------------------------
def lstm_step(x, h, c, W_x, W_h, b):
    """One LSTM step, PyTorch's gate order (input i, forget f, candidate g, output o)."""
    H = h.shape[1]
    a = x @ W_x.T + h @ W_h.T + b
    i, f, g, o = sigmoid(a[:, :H]), sigmoid(a[:, H : 2 * H]), tanh(a[:, 2 * H : 3 * H]), sigmoid(a[:, 3 * H :])
    c_new = f * c + i * g  # the cell state: kept by f, written by i
    tc = tanh(c_new)
    h_new = o * tc  # the hidden state: the cell state read through o
    return h_new, c_new, (x, h, c, i, f, g, o, tc)


def lstm_step_backward(cache, dh, dc, W_x, W_h):
    """Gradients of one LSTM step: from dL/dh_t, dL/dc_t to dL/dx_t, dL/dh_{t-1}, dL/dc_{t-1} and the weights."""
    x, h, c, i, f, g, o, tc = cache
    dc = dc + dh * o * (1.0 - tc**2)
    da = np.concatenate(
        [dc * g * i * (1 - i), dc * c * f * (1 - f), dc * i * (1 - g**2), dh * tc * o * (1 - o)], axis=1
    )
    grads = {"W_x": da.T @ x, "W_h": da.T @ h, "b": da.sum(axis=0)}
    return da @ W_x, da @ W_h, dc * f, grads


def gru_step(x, h, W_x, W_h, b_x, b_h):
    """One GRU step, PyTorch's form: reset r, update z, candidate n; h_t = (1 - z) n + z h_{t-1}."""
    H = h.shape[1]
    gx, gh = x @ W_x.T + b_x, h @ W_h.T + b_h
    r = sigmoid(gx[:, :H] + gh[:, :H])
    z = sigmoid(gx[:, H : 2 * H] + gh[:, H : 2 * H])
    n = tanh(gx[:, 2 * H :] + r * gh[:, 2 * H :])
    return (1.0 - z) * n + z * h, (x, h, r, z, n, gh[:, 2 * H :])


def gru_step_backward(cache, dh, W_x, W_h):
    """Gradients of one GRU step: from dL/dh_t to dL/dx_t, dL/dh_{t-1} and the weights."""
    x, h, r, z, n, ghn = cache
    dan = dh * (1.0 - z) * (1.0 - n**2)
    dar = dan * ghn * r * (1.0 - r)
    daz = dh * (h - n) * z * (1.0 - z)
    dgx = np.concatenate([dar, daz, dan], axis=1)
    dgh = np.concatenate([dar, daz, dan * r], axis=1)
    grads = {"W_x": dgx.T @ x, "W_h": dgh.T @ h, "b_x": dgx.sum(axis=0), "b_h": dgh.sum(axis=0)}
    return dgx @ W_x, dgh @ W_h + dh * z, grads


class _Gated(Layer):
    """The time loop shared by LSTM and GRU; subclasses define one step forward and backward."""

    gates: int

    def __init__(self, n_in: int, n_hidden: int, rng: np.random.Generator, *, truncate: int | None = None):
        n_in, n_hidden = checks.positive_int(n_in, "n_in"), checks.positive_int(n_hidden, "n_hidden")
        rng = checks.rng(rng)
        self.truncate = _truncate(truncate)
        k = self.gates * n_hidden
        bound = 1.0 / math.sqrt(n_hidden)  # PyTorch's default: U(-1/sqrt(H), 1/sqrt(H))
        self.params = {
            "W_x": _init.uniform((k, n_in), rng, bound=bound),
            "W_h": _init.uniform((k, n_hidden), rng, bound=bound),
        }
        for name in self._bias_names:
            self.params[name] = _init.uniform((k,), rng, bound=bound)

    @property
    def n_in(self) -> int:
        return self.params["W_x"].shape[1]

    @property
    def n_hidden(self) -> int:
        return self.params["W_h"].shape[1]

    def forward(self, x):
        x = checks.sequence_batch(x, self.n_in)
        state = tuple(np.zeros((len(x), self.n_hidden)) for _ in range(self._n_state))
        ys, caches = [], []
        for t in range(x.shape[1]):
            *state, cache = self._step(x[:, t], *state)
            ys.append(state[0])
            caches.append(cache)
        return np.stack(ys, axis=1), (x.shape, caches)

    def backward(self, cache, grad_y):
        shape, caches = cache
        grad_y = np.asarray(grad_y, dtype=np.float64)
        grads = {name: np.zeros_like(p) for name, p in self.params.items()}
        grad_x = np.zeros(shape)
        carry = [np.zeros_like(grad_y[:, 0]) for _ in range(self._n_state)]
        for t in reversed(range(shape[1])):
            carry[0] = carry[0] + grad_y[:, t]
            grad_x[:, t], *carry, step_grads = self._step_back(caches[t], *carry)
            for name, g in step_grads.items():
                grads[name] += g
            if self.truncate is not None and t % self.truncate == 0:
                carry = [np.zeros_like(c) for c in carry]
        return grad_x, grads

    def __repr__(self) -> str:
        return f"{type(self).__name__}(n_in={self.n_in}, n_hidden={self.n_hidden}, truncate={self.truncate})"


class LSTM(_Gated):
    """A long short-term memory layer: ``W_x`` (4H, n_in), ``W_h`` (4H, H), ``b`` (4H,), gates i, f, g, o.

    ``b`` plays the part of PyTorch's ``bias_ih + bias_hh``.
    """

    gates, _n_state, _bias_names = 4, 2, ("b",)

    def _step(self, x, h, c):
        p = self.params
        return lstm_step(x, h, c, p["W_x"], p["W_h"], p["b"])

    def _step_back(self, cache, dh, dc):
        return lstm_step_backward(cache, dh, dc, self.params["W_x"], self.params["W_h"])


class GRU(_Gated):
    """A gated recurrent unit layer: ``W_x`` (3H, n_in), ``W_h`` (3H, H), biases ``b_x``, ``b_h``; gates r, z, n.

    The GRU needs both biases: ``b_h``'s candidate part is multiplied by the reset gate.
    """

    gates, _n_state, _bias_names = 3, 1, ("b_x", "b_h")

    def _step(self, x, h):
        p = self.params
        return gru_step(x, h, p["W_x"], p["W_h"], p["b_x"], p["b_h"])

    def _step_back(self, cache, dh):
        return gru_step_backward(cache, dh, self.params["W_x"], self.params["W_h"])


class LastStep(Layer):
    """Keep the last time step of ``(batch, T, features)``: a sequence read into one vector."""

    def __init__(self) -> None:
        self.params = {}

    def forward(self, x):
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 3:
            raise ValueError(f"LastStep expects sequences of shape (batch, T, features); got {x.shape}")
        return x[:, -1].copy(), x.shape

    def backward(self, cache, grad_y):
        grad_x = np.zeros(cache)
        grad_x[:, -1] = grad_y
        return grad_x, {}


# ---------------------------------------------------------------------------------------------
# Gradient size: norms, clipping, the spectral radius
# ---------------------------------------------------------------------------------------------
def global_norm(grads: Grads) -> float:
    """The Euclidean norm of all gradients together, as if they were one long vector."""
    return float(math.sqrt(sum(float(np.sum(np.square(g))) for g in grads.values())))


def clip_grad_norm(grads: Grads, max_norm: float) -> tuple[Grads, float]:
    """Rescale all gradients together so their global norm is at most ``max_norm``; returns (grads, norm before).

    The direction is kept, only the length shrinks (PyTorch's ``clip_grad_norm_``, with its 1e-6).
    """
    max_norm = checks.positive_number(max_norm, "max_norm")
    norm = global_norm(grads)
    scale = min(1.0, max_norm / (norm + 1e-6))
    return {name: g * scale for name, g in grads.items()}, norm


def spectral_radius(W: np.ndarray) -> float:
    """The largest absolute eigenvalue of a square matrix: how much repeated multiplication by W grows vectors."""
    W = np.asarray(W, dtype=np.float64)
    if W.ndim != 2 or W.shape[0] != W.shape[1]:
        raise ValueError(f"the spectral radius needs a square matrix; got shape {W.shape}")
    return float(np.max(np.abs(np.linalg.eigvals(W))))


def state_gradient_norms(layer: RNN, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """||dL/dh_t|| for t = 1..T, averaged over the batch, for a loss that reads only the last state.

    ``L = r . h_T`` with a random unit vector ``r``, so the values show how the gradient shrinks or grows
    as it travels back from the last step.
    """
    if not isinstance(layer, RNN):
        raise TypeError(f"layer must be an nnbook.scratch.rnn.RNN; got {type(layer).__name__}")
    y, cache = layer.forward(x)
    grad_y = np.zeros_like(y)
    r = checks.rng(rng).standard_normal((y.shape[0], y.shape[2]))
    grad_y[:, -1] = r / np.linalg.norm(r, axis=1, keepdims=True)
    _, _, grad_h = layer.backward_states(cache, grad_y)
    return np.linalg.norm(grad_h, axis=2).mean(axis=0)
