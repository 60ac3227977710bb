"""nnbook.parallel.run_seeded: seeded runs in worker processes equal the runs one after the other."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from nnbook.data import load_digits
from nnbook.demos import energy as E
from nnbook.demos import gan as G
from nnbook.parallel import run_seeded


def _square(x: int) -> int:
    return x * x


def test_keys_keep_their_order_and_one_process_runs_here():
    jobs = {"c": dict(x=3), "a": dict(x=1), "b": dict(x=2)}
    assert run_seeded(_square, jobs, processes=1) == {"c": 9, "a": 1, "b": 4}
    assert list(run_seeded(_square, jobs, processes=2)) == ["c", "a", "b"]
    assert run_seeded(_square, {}, processes=2) == {}


def test_bad_input_is_refused_with_a_clear_error():
    with pytest.raises(ValueError, match="processes"):
        run_seeded(_square, {0: dict(x=1)}, processes=0)
    with pytest.raises(TypeError, match="jobs must be a mapping"):
        run_seeded(_square, [dict(x=1)])
    with pytest.raises(TypeError, match=r"jobs\[0\] must be a mapping"):
        run_seeded(_square, {0: 1})
    with pytest.raises(TypeError, match="fn must be a function"):
        run_seeded(3, {0: dict(x=1)})
    with pytest.raises(TypeError, match="module level.*cannot be pickled"):
        run_seeded(lambda x: x, {0: dict(x=1), 1: dict(x=2)})
    square = _square
    square.__module__ = "__main__"  # what a function defined in a notebook looks like
    try:
        with pytest.raises(TypeError, match="__main__"):
            run_seeded(square, {0: dict(x=1), 1: dict(x=2)})
    finally:
        square.__module__ = __name__


def test_dbn_fine_tuning_in_processes_equals_one_after_the_other():
    X, y = load_digits("train")
    train, test = (X[:200], y[:200]), load_digits("test")
    stacks = {s: E.dbn_stack(train[0], s, hidden=(16, 8), epochs=2) for s in (0, 1)}
    jobs = {
        (name, s): dict(stack=stacks[s], start=name, train=train, test=test, seed=100 + s, epochs=3)
        for name in E.DBN_STARTS
        for s in stacks
    }
    parallel = run_seeded(E.fine_tune_start, jobs, processes=2)
    assert parallel == {key: E.fine_tune_start(**job) for key, job in jobs.items()}  # floats compared exactly
    assert len(set(parallel.values())) > 1  # the runs differ from each other


def test_gan_training_in_processes_equals_one_after_the_other(one_torch_thread):
    jobs = {s: dict(conditional=True, steps=15, seed=s) for s in (0, 1)}
    parallel = run_seeded(G.train_digit_gan, jobs, processes=2)
    for s, job in jobs.items():
        alone = G.train_digit_gan(**job)
        for name in ("G", "D", "G_avg"):
            pairs = zip(getattr(alone, name).parameters(), getattr(parallel[s], name).parameters())
            assert all(torch.equal(p, q) for p, q in pairs)
        assert alone.history.records.keys() == parallel[s].history.records.keys()
        for key in alone.history.records:
            np.testing.assert_array_equal(alone.history[key], parallel[s].history[key])
