"""Recurrent PyTorch models for sequences: a sequence reader (classifier or regressor) and a character language model."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}
POOLS = ("last", "mean")


def _check_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer; got {value!r}")
    return int(value)


class SequenceReader(nn.Module):
    """Read a sequence ``(batch, T, n_in)`` with a recurrent layer and map it to ``n_out`` scores.

    ``cell`` is ``"rnn"`` (tanh), ``"lstm"`` or ``"gru"``; ``pool="last"`` reads the last hidden state,
    ``"mean"`` the mean over all steps; ``bidirectional`` adds a second layer that reads backwards.
    ``forget_bias`` is added to an LSTM's forget-gate bias, so that it starts out remembering.
    """

    def __init__(
        self,
        n_in: int,
        n_hidden: int,
        n_out: int,
        *,
        cell: str = "lstm",
        bidirectional: bool = False,
        pool: str = "last",
        forget_bias: float = 0.0,
    ):
        super().__init__()
        if cell not in CELLS:
            raise ValueError(f"unknown cell {cell!r}; expected one of {sorted(CELLS)}")
        if pool not in POOLS:
            raise ValueError(f"pool must be one of {POOLS}; got {pool!r}")
        if not isinstance(bidirectional, bool):
            raise TypeError(f"bidirectional must be True or False; got {bidirectional!r}")
        n_in, n_hidden, n_out = _check_int("n_in", n_in), _check_int("n_hidden", n_hidden), _check_int("n_out", n_out)
        self.cell, self.pool = cell, pool
        self.rnn = CELLS[cell](n_in, n_hidden, batch_first=True, bidirectional=bidirectional)
        self.head = nn.Linear(n_hidden * (2 if bidirectional else 1), n_out)
        if forget_bias:
            if cell != "lstm":
                raise ValueError(f"forget_bias applies to an LSTM's forget gate; cell {cell!r} has none")
            with torch.no_grad():  # PyTorch's gate order is i, f, g, o: the second quarter is f
                for name, b in self.rnn.named_parameters():
                    if name.startswith("bias_ih"):
                        b[n_hidden : 2 * n_hidden] += forget_bias

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.ndim != 3 or x.shape[2] != self.rnn.input_size:
            raise ValueError(f"x must have shape (batch, T, {self.rnn.input_size}); got {tuple(x.shape)}")
        states, _ = self.rnn(x)
        summary = states[:, -1] if self.pool == "last" else states.mean(dim=1)
        out = self.head(summary)
        return out.squeeze(-1) if out.shape[-1] == 1 else out


class CharLM(nn.Module):
    """A character-level language model: embedding, a recurrent layer, and scores for the next character at every step."""

    def __init__(
        self, vocab_size: int, n_hidden: int = 128, *, n_embed: int = 32, cell: str = "lstm", n_layers: int = 1
    ):
        super().__init__()
        if cell not in CELLS:
            raise ValueError(f"unknown cell {cell!r}; expected one of {sorted(CELLS)}")
        self.vocab_size = _check_int("vocab_size", vocab_size)
        self.embed = nn.Embedding(self.vocab_size, _check_int("n_embed", n_embed))
        self.rnn = CELLS[cell](
            n_embed, _check_int("n_hidden", n_hidden), num_layers=_check_int("n_layers", n_layers), batch_first=True
        )
        self.head = nn.Linear(n_hidden, self.vocab_size)

    def forward(self, tokens: torch.Tensor, state=None, *, return_state: bool = False):
        """Scores ``(batch, T, vocab)`` for the character after each position of ``tokens`` ``(batch, T)``."""
        if tokens.ndim != 2:
            raise ValueError(f"tokens must have shape (batch, T) of character indices; got {tuple(tokens.shape)}")
        states, state = self.rnn(self.embed(tokens), state)
        logits = self.head(states)
        return (logits, state) if return_state else logits


def next_token_loss(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy over every position of every sequence: scores ``(batch, T, V)``, targets ``(batch, T)``."""
    return nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))


@torch.no_grad()
def sample(model: CharLM, start: list[int], n: int, *, temperature: float = 1.0, seed: int = 0) -> list[int]:
    """``n`` character indices drawn one at a time from ``softmax(scores / temperature)``, after the prompt ``start``."""
    if not temperature > 0:
        raise ValueError(f"temperature must be positive (lower: safer, higher: more varied); got {temperature!r}")
    if len(start) == 0:
        raise ValueError("start must hold at least one character index to condition on")
    model.eval()
    dev = next(model.parameters()).device
    gen = torch.Generator(device="cpu").manual_seed(int(seed))
    logits, state = model(torch.tensor([start], device=dev), return_state=True)
    out = []
    for _ in range(int(n)):
        p = torch.softmax(logits[0, -1].double().cpu() / temperature, dim=0)
        nxt = int(torch.multinomial(p, 1, generator=gen))
        out.append(nxt)
        logits, state = model(torch.tensor([[nxt]], device=dev), state, return_state=True)
    return out
