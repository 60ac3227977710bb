"""Independent seeded runs side by side, one per core, with the results of running them one after the other.

A chapter that trains several networks (one per seed, per start, ...) gives each run its own seed, so
the runs do not depend on each other: :func:`run_seeded` hands them to worker processes of one BLAS
and torch thread each. Every worker is a fresh interpreter (``spawn``), so a run sees exactly what it
would see alone and the results are those of the sequential loop, bit for bit.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Mapping
from typing import Any

from nnbook.checks import instance, positive_int

__all__ = ["run_seeded"]


def _one_thread() -> None:
    """Limit this process to one BLAS/OpenMP thread and one torch thread (if torch is loaded)."""
    import sys

    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        pass
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(1)


def _call(task: tuple[Callable[..., Any], Mapping[str, Any]]) -> Any:
    fn, kwargs = task
    _one_thread()
    return fn(**kwargs)


def _check_picklable(fn: Callable[..., Any]) -> None:
    where = getattr(fn, "__module__", None)
    if where == "__main__":
        raise TypeError(
            f"fn must be a function defined at module level in an importable module (e.g. in nnbook); "
            f"{getattr(fn, '__qualname__', fn)!r} is defined in __main__ (a notebook or script), "
            "which the worker processes cannot import"
        )
    try:
        pickle.dumps(fn)
    except Exception as err:  # pickle raises several kinds (PicklingError, AttributeError, TypeError)
        raise TypeError(
            f"fn must be a function defined at module level (it is sent to worker processes by name); "
            f"{getattr(fn, '__qualname__', fn)!r} cannot be pickled: {err}"
        ) from None


def run_seeded(fn: Callable[..., Any], jobs: Mapping[Any, Mapping[str, Any]], processes: int = 2) -> dict:
    """``{key: fn(**kwargs)}`` for every ``key: kwargs`` in ``jobs``, computed in ``processes`` worker
    processes of one thread each (in this process when ``processes`` is 1 or there is one job).

    ``fn`` must be a module-level function of an importable module, and every job must seed itself
    (through its keyword arguments), so the results equal those of calling ``fn`` one job after the
    other; the keys keep the order of ``jobs``."""
    if not callable(fn):
        raise TypeError(f"fn must be a function; got {type(fn).__name__}")
    instance(jobs, Mapping, "jobs", "a mapping from a key to the keyword arguments of one run")
    for key, kwargs in jobs.items():
        instance(kwargs, Mapping, f"jobs[{key!r}]", "a mapping of keyword arguments for fn")
    processes = positive_int(processes, "processes")
    keys, tasks = list(jobs), [(fn, dict(kwargs)) for kwargs in jobs.values()]
    if processes == 1 or len(tasks) < 2:
        return {key: fn(**kwargs) for key, (_, kwargs) in zip(keys, tasks)}
    _check_picklable(fn)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    ctx = multiprocessing.get_context("spawn")  # a fresh interpreter: no forked thread or RNG state
    with ProcessPoolExecutor(max_workers=min(processes, len(tasks)), mp_context=ctx) as pool:
        return dict(zip(keys, pool.map(_call, tasks)))
