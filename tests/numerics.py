"""Shared helpers for the numerical tests."""

import warnings
from contextlib import contextmanager

import numpy as np


@contextmanager
def strict():
    """Any overflow, invalid operation or division by zero, or any RuntimeWarning, is an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            yield
