"""Recurrent PyTorch models for sequences: a sequence reader (classifier or regressor) and a character language model."""

from __future__ import annotations

import torch
from torch import nn

from nnbook import checks

CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}
POOLS = ("last", "mean")


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
        checks.one_of(cell, CELLS, "cell")
        checks.one_of(pool, POOLS, "pool")
        checks.flag(bidirectional, "bidirectional")
        n_in, n_hidden = checks.positive_int(n_in, "n_in"), checks.positive_int(n_hidden, "n_hidden")
        n_out = checks.positive_int(n_out, "n_out")
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
        checks.shape_is(x, (None, None, self.rnn.input_size), "x", "(batch, T, n_in)")
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
        checks.one_of(cell, CELLS, "cell")
        self.vocab_size = checks.positive_int(vocab_size, "vocab_size")
        self.embed = nn.Embedding(self.vocab_size, checks.positive_int(n_embed, "n_embed"))
        self.rnn = CELLS[cell](
            n_embed,
            checks.positive_int(n_hidden, "n_hidden"),
            num_layers=checks.positive_int(n_layers, "n_layers"),
            batch_first=True,
        )
        self.head = nn.Linear(n_hidden, self.vocab_size)

    def forward(self, tokens: torch.Tensor, state=None, *, return_state: bool = False):
        """Scores ``(batch, T, vocab)`` for the character after each position of ``tokens`` ``(batch, T)``."""
        checks.ndim(tokens, 2, "tokens", "(batch, T) of character indices")
        states, state = self.rnn(self.embed(tokens), state)
        logits = self.head(states)
        return (logits, state) if return_state else logits


def next_token_loss(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy over every position of every sequence: scores ``(batch, T, V)``, targets ``(batch, T)``."""
    return nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))


@torch.no_grad()
def sample(model: CharLM, start: list[int], n: int, *, temperature: float = 1.0, seed: int = 0) -> list[int]:
    """``n`` character indices drawn one at a time from ``softmax(scores / temperature)``, after the prompt ``start``."""
    checks.real_number(temperature, "temperature", low=0, hint="lower: safer, higher: more varied")
    checks.min_length(start, 1, "start", "character index", "to condition on")
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
