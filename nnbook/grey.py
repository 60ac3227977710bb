"""Grey prediction GM(1,1) from scratch: an exponential trend fitted to a short positive series.

GM(1,1) accumulates the series, x1(k) = x0(1) + ... + x0(k), fits the grey differential equation
x0(k) + a z1(k) = b by least squares, with z1(k) the mean of x1(k-1) and x1(k), and forecasts with
the solution x1(k+1) = (x0(1) - b/a) e^(-a k) + b/a, differenced back to the original series.
"""

from __future__ import annotations

import numpy as np

from nnbook import checks

__all__ = ["gm11_fit", "gm11_forecast", "check_series"]


def check_series(x0) -> np.ndarray:
    """The series as a float array; GM(1,1) needs at least 4 positive, finite values."""
    x0 = checks.ndim(np.asarray(x0, dtype=float), 1, "the series", "(n,)")
    checks.min_length(x0, 4, "the series")
    if not np.all(np.isfinite(x0)) or np.any(x0 <= 0):
        raise ValueError("GM(1,1) needs a series of positive, finite values (it models exponential growth or decay)")
    return x0


def gm11_fit(x0: np.ndarray) -> tuple[float, float]:
    """The development coefficient a and grey input b of GM(1,1), by least squares on the accumulated series."""
    x1 = np.cumsum(x0)
    z1 = 0.5 * (x1[1:] + x1[:-1])  # background values
    B = np.column_stack([-z1, np.ones_like(z1)])
    a, b = np.linalg.lstsq(B, x0[1:], rcond=None)[0]
    return float(a), float(b)


def gm11_forecast(x0, steps: int) -> np.ndarray:
    """GM(1,1)'s fitted values for the whole series followed by ``steps`` forecasts (length len(x0) + steps)."""
    x0 = check_series(x0)
    steps = checks.positive_int(steps, "steps", minimum=0)
    a, b = gm11_fit(x0)
    k = np.arange(len(x0) + steps)
    x1_hat = (x0[0] - b / a) * np.exp(-a * k) + b / a
    return np.concatenate([[x0[0]], np.diff(x1_hat)])
