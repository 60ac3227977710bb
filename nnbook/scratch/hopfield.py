"""Hopfield networks in NumPy: Hebbian storage of +-1 patterns, asynchronous recall, the energy,
and the capacity experiment with random patterns.

States are vectors s in {-1, +1}^N. The weights are symmetric with a zero diagonal and the
energy E(s) = -1/2 s.W s never increases under asynchronous updates (one unit at a time).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "to_bipolar",
    "to_binary",
    "hebbian_weights",
    "energy",
    "update_unit",
    "recall",
    "Recall",
    "corrupt",
    "random_patterns",
    "recall_overlaps",
    "capacity_curve",
    "mixture_state",
    "is_fixed_point",
    "TIE",
]

TIE = 1e-12
"""A local field with |h| <= TIE counts as a tie (h = 0): Hebbian weights are multiples of 1/N,
which floating point does not represent exactly, so a true tie can come out as +-1e-17."""


def _check_bipolar(s, name: str = "s") -> np.ndarray:
    s = np.asarray(s, dtype=float)
    if not np.all(np.abs(s) == 1):
        raise ValueError(
            f"{name} must contain only -1 and +1 (use to_bipolar on 0/1 images); got values {np.unique(s)[:5]}"
        )
    return s


def to_bipolar(x, threshold: float = 0.5) -> np.ndarray:
    """0/1 (or grey) pixels to -1/+1 states: +1 where x > threshold."""
    return np.where(np.asarray(x, dtype=float) > threshold, 1.0, -1.0)


def to_binary(s) -> np.ndarray:
    """-1/+1 states back to 0/1 pixels."""
    return (np.asarray(s, dtype=float) > 0).astype(float)


def hebbian_weights(patterns) -> np.ndarray:
    """Hebb's rule W = (1/N) sum_mu xi^mu (xi^mu)^T with the diagonal set to zero.

    ``patterns`` is a (P, N) array of -1/+1 rows; units that fire together get a positive weight.
    """
    xi = _check_bipolar(np.atleast_2d(patterns), "patterns")
    n = xi.shape[1]
    W = xi.T @ xi / n
    np.fill_diagonal(W, 0.0)  # no self-connections: needed for the energy argument
    return W


def energy(W: np.ndarray, s) -> np.ndarray:
    """E(s) = -1/2 s.W s, for one state (N,) or each row of a batch (B, N)."""
    s = _check_bipolar(s)
    return -0.5 * np.einsum("...i,ij,...j->...", s, W, s)


def update_unit(W: np.ndarray, s: np.ndarray, i: int) -> bool:
    """Asynchronous update of unit i, in place: s_i <- sign(sum_j W_ij s_j) (ties keep s_i).

    Returns whether the unit flipped.
    """
    h = W[i] @ s
    new = s[i] if abs(h) <= TIE else np.sign(h)
    flipped = new != s[i]
    s[i] = new
    return bool(flipped)


@dataclass(frozen=True)
class Recall:
    """Result of :func:`recall`: the states after each sweep, their energies, and convergence."""

    states: np.ndarray  # (sweeps + 1, N), the start first
    energies: np.ndarray  # (sweeps + 1,)
    unit_energies: np.ndarray  # energy after every single-unit update, the start first
    converged: bool

    @property
    def final(self) -> np.ndarray:
        return self.states[-1]


def recall(W: np.ndarray, s0, rng: np.random.Generator, max_sweeps: int = 20) -> Recall:
    """Asynchronous recall from ``s0``: sweeps over the units in random order until none flips."""
    s = _check_bipolar(s0).copy()
    if s.ndim != 1 or W.shape != (s.size, s.size):
        raise ValueError(f"s0 must be one state of length N = {W.shape[0]}; got shape {s.shape}")
    states, energies, unit_energies = [s.copy()], [float(energy(W, s))], [float(energy(W, s))]
    converged = False
    for _ in range(max_sweeps):
        flips = 0
        for i in rng.permutation(s.size):
            flips += update_unit(W, s, i)
            unit_energies.append(float(energy(W, s)))
        states.append(s.copy())
        energies.append(float(energy(W, s)))
        if flips == 0:
            converged = True
            break
    return Recall(np.array(states), np.array(energies), np.array(unit_energies), converged)


def corrupt(s, n_flips: int, rng: np.random.Generator) -> np.ndarray:
    """A copy of the state with ``n_flips`` distinct units, chosen at random, flipped."""
    s = _check_bipolar(s).copy()
    if not 0 <= n_flips <= s.size:
        raise ValueError(f"n_flips must be between 0 and N = {s.size}; got {n_flips}")
    s[rng.choice(s.size, size=n_flips, replace=False)] *= -1
    return s


def random_patterns(n_patterns: int, n_units: int, rng: np.random.Generator) -> np.ndarray:
    """P independent random patterns with each unit +1 or -1 with probability 1/2."""
    return rng.choice([-1.0, 1.0], size=(n_patterns, n_units))


def recall_overlaps(
    W: np.ndarray, starts: np.ndarray, targets: np.ndarray, rng: np.random.Generator, sweeps: int = 10
) -> np.ndarray:
    """Overlap m = s.xi / N between each recalled state and its target, after asynchronous sweeps.

    All starts are updated together (the same unit order for every row), which is still
    asynchronous within each row: unit i sees the already updated units before it.
    """
    S = _check_bipolar(starts).copy()
    for _ in range(sweeps):
        changed = False
        for i in rng.permutation(S.shape[1]):
            h = S @ W[:, i]
            new = np.where(np.abs(h) <= TIE, S[:, i], np.sign(h))
            changed |= bool(np.any(new != S[:, i]))
            S[:, i] = new
        if not changed:
            break
    return np.mean(S * targets, axis=1)


def capacity_curve(
    n_units: int, loads: np.ndarray, rng: np.random.Generator, *, trials: int = 3, tolerance: float = 0.02
) -> tuple[np.ndarray, np.ndarray]:
    """For each load alpha = P/N: the fraction of stored random patterns that are recalled
    (final state within ``tolerance`` of the pattern, as a fraction of wrong units) when recall
    starts at the pattern itself, and the mean final overlap; averaged over ``trials`` networks."""
    recalled, overlaps = [], []
    for alpha in loads:
        p = max(1, int(round(alpha * n_units)))
        ok, m = [], []
        for _ in range(trials):
            xi = random_patterns(p, n_units, rng)
            ov = recall_overlaps(hebbian_weights(xi), xi, xi, rng)
            ok.append(np.mean((1 - ov) / 2 <= tolerance))
            m.append(np.mean(ov))
        recalled.append(np.mean(ok))
        overlaps.append(np.mean(m))
    return np.array(recalled), np.array(overlaps)


def mixture_state(patterns) -> np.ndarray:
    """sign(xi^1 + xi^2 + xi^3): the majority vote of three stored patterns, a classic spurious state."""
    xi = _check_bipolar(np.atleast_2d(patterns), "patterns")
    if len(xi) != 3:
        raise ValueError(f"a mixture state is built from exactly 3 patterns (an odd number avoids ties); got {len(xi)}")
    return np.sign(xi.sum(axis=0))


def is_fixed_point(W: np.ndarray, s) -> bool:
    """True when no unit would flip: s_i * sum_j W_ij s_j >= 0 for every i (ties, |h| <= TIE, keep s_i)."""
    s = _check_bipolar(s)
    return bool(np.all(s * (W @ s) >= -TIE))
