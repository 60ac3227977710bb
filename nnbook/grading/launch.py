"""Kernel launcher for the grader: set resource limits, then become an IPython kernel.

Run as ``python -m nnbook.grading.launch MEMORY_MB -f CONNECTION_FILE``; the limits apply to the
kernel process (and anything it starts), not to the grader.
"""
from __future__ import annotations

import os
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
    os.execv(sys.executable, [sys.executable, "-m", "ipykernel_launcher", *argv[1:],
                              "--HistoryManager.enabled=False"])


if __name__ == "__main__":
    main(sys.argv[1:])
