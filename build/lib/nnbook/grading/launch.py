"""Kernel launcher for the grader: set resource limits, then run an IPython kernel in this process.

Run as ``python -I path/to/launch.py MEMORY_MB [--no-ctypes] -f CONNECTION_FILE`` (as a file, so
that nothing of nnbook, NumPy or ctypes is imported before the limits and the flag apply). The limits
apply to the kernel (and anything it starts), not to the grader. With ``--no-ctypes`` the kernel
never loads ctypes, so the grader's audit hook can refuse it for good (a loaded native module
could be re-created from the interpreter's cache without the hook seeing an import).
"""
from __future__ import annotations

import resource
import sys


def limit(memory_mb: int, file_mb: int = 256) -> None:
    """Cap the address space, the size of files written, and core dumps."""
    if memory_mb > 0:
        resource.setrlimit(resource.RLIMIT_AS, (memory_mb * 2**20, memory_mb * 2**20))
    resource.setrlimit(resource.RLIMIT_FSIZE, (file_mb * 2**20, file_mb * 2**20))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def main(argv: list[str]) -> None:
    limit(int(argv[0]))
    rest = argv[1:]
    if "--no-ctypes" in rest:
        rest.remove("--no-ctypes")
        sys.modules["ctypes"] = sys.modules["_ctypes"] = None  # "import ctypes" now fails
    sys.argv = [sys.argv[0], *rest, "--HistoryManager.enabled=False"]
    from ipykernel import kernelapp

    kernelapp.launch_new_instance()


if __name__ == "__main__":
    main(sys.argv[1:])
