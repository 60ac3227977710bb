"""Kernel launcher for the grader: OS limits, the guard, then an IPython kernel in this process.

Run as ``python -I path/to/launch.py CONFIG.json -f CONNECTION_FILE`` (as a file, so nothing of
nnbook, NumPy or ctypes is imported before the limits apply). CONFIG.json (written by the grader
in a folder the kernel cannot write) gives the limits, the sandbox folder, what the kernel may
read, the modules to import first and whether ctypes may load. In order:

1. resource limits (memory, CPU seconds, file size, processes, no core dumps);
2. without ctypes, ``import ctypes`` is made to fail for good;
3. the master's modules are imported (NumPy, Matplotlib, PyTorch: trusted code, before the guard);
4. the guard (``nnbook.grading.agent.guard``, a PEP 578 audit hook) is installed;
5. only then is ipykernel imported, and with it IPython and any configuration: the IPython and
   Jupyter configuration folders point at an empty read-only folder of the grader's.
"""

from __future__ import annotations

import importlib
import json
import os
import resource
import sys


def limit(memory_mb: int, cpu_s: int = 0, file_mb: int = 256, nproc: int = 0) -> None:
    """Cap the address space, CPU time, size of files written, processes and core dumps."""
    if memory_mb > 0:
        resource.setrlimit(resource.RLIMIT_AS, (memory_mb * 2**20, memory_mb * 2**20))
    if cpu_s > 0:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s + 5))
    resource.setrlimit(resource.RLIMIT_FSIZE, (file_mb * 2**20, file_mb * 2**20))
    if nproc > 0:
        resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def main(argv: list[str]) -> None:
    with open(argv[0], encoding="utf-8") as f:
        config = json.load(f)
    limit(config["memory_mb"], config.get("cpu_s", 0), config.get("file_mb", 256), config.get("nproc", 0))
    if not config.get("allow_ctypes", False):
        sys.modules["ctypes"] = sys.modules["_ctypes"] = None  # "import ctypes" now fails
    for name in config.get("preload", []):
        try:
            importlib.import_module(name)
        except Exception:  # a missing optional module is the student's problem, not the guard's
            pass
    from nnbook.grading import agent

    if config.get("python_guard", True):
        agent.guard(config["sandbox"], config["read_roots"], config.get("extra_modules", []))
    if config.get("own_pid_namespace"):  # our parent is the sandbox's init (PID 1); it dies with the grader
        os.environ.pop("JPY_PARENT_PID", None)
    # the configuration folder is read-only: name it, or IPython would make a writable temporary one
    sys.argv = [sys.argv[0], *argv[1:], "--HistoryManager.enabled=False", f"--ipython-dir={os.environ['IPYTHONDIR']}"]
    from ipykernel import kernelapp

    kernelapp.launch_new_instance()


if __name__ == "__main__":
    main(sys.argv[1:])
