"""The grader's side inside a sandboxed kernel: a guard against reaching outside the sandbox, and
``call``, which runs one hidden-test case and writes back only plain data.

Nothing the kernel writes is trusted: the grader decodes it strictly (nnbook.grading.plain) and
compares it with the reference in its own process. The guard (a PEP 578 audit hook, which cannot
be removed once installed) keeps honest mistakes and ordinary cheating out: file access outside
the sandbox, processes, sockets, ctypes, the garbage collector's object lists.
"""
from __future__ import annotations

import json
import os
import sys

_STATE: dict = {}

DENIED_EVENTS = ("ctypes.", "socket.", "gc.get_", "subprocess.", "os.exec", "os.posix_spawn", "os.spawn",
                 "os.fork", "os.forkpty", "os.system", "os.killpg", "os.link", "os.symlink", "pty.",
                 "sqlite3.", "webbrowser.", "sys.remote_exec")
DENIED_IMPORTS = {"ctypes", "_ctypes", "_posixsubprocess", "_xxsubinterpreters", "_testcapi",
                  "_testinternalcapi", "_socket", "socket", "mmap", "resource"}
WRITE_EVENTS = {"os.chdir", "os.mkdir", "os.remove", "os.rmdir", "os.rename", "os.chmod", "os.chown",
                "os.truncate", "os.utime", "shutil.rmtree", "shutil.copyfile", "shutil.copytree",
                "shutil.move", "shutil.chown", "os.setxattr", "os.removexattr"}
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


class SandboxViolation(PermissionError):
    """An operation the grading sandbox does not allow."""


def _inside(path: str, roots: tuple[str, ...]) -> bool:
    return any(path == r or path.startswith(r.rstrip(os.sep) + os.sep) for r in roots)


def _real(path) -> str | None:
    if isinstance(path, int) or path is None:
        return None
    try:
        return os.path.realpath(os.fsdecode(path))
    except (TypeError, ValueError):
        return None


def _hook(event: str, args: tuple) -> None:
    s = _STATE
    if event == "open":
        path, mode, flags = (tuple(args) + (None, None, None))[:3]
        real = _real(path)
        if real is None:
            return
        write = bool((flags or 0) & _WRITE_FLAGS) or bool(mode and any(c in str(mode) for c in "wax+"))
        if _inside(real, s["write"]) or (not write and _inside(real, s["read"])):
            return
        raise SandboxViolation(f"the grading sandbox does not allow {'writing' if write else 'reading'} {os.fsdecode(path)}")
    if event in ("os.listdir", "os.scandir"):
        real = _real(args[0] if args else None)
        if real is not None and not _inside(real, s["read"]):
            raise SandboxViolation(f"the grading sandbox does not allow listing {real}")
        return
    if event in WRITE_EVENTS:
        for a in args[:2]:
            real = _real(a) if isinstance(a, (str, bytes, os.PathLike)) else None
            if real is not None and not _inside(real, s["write"]):
                raise SandboxViolation(f"the grading sandbox does not allow {event} on {real}")
        return
    if event == "os.kill":
        if args and args[0] != os.getpid():
            raise SandboxViolation("the grading sandbox does not allow signalling other processes")
        return
    if event == "import":
        if args and args[0] in DENIED_IMPORTS:
            raise SandboxViolation(f"the grading sandbox does not allow importing {args[0]}")
        return
    if event.startswith(DENIED_EVENTS):
        raise SandboxViolation(f"the grading sandbox does not allow {event}")


def _cut(blocked_modules: tuple[str, ...]) -> None:
    """Remove the already-imported modules that would bypass the hook, from everywhere a student can
    name them (the hook then refuses to import them again)."""
    for name in blocked_modules:
        mod = sys.modules.pop(name, None)
        if mod is None:
            continue
        for other in list(sys.modules.values()):
            try:
                attrs = vars(other)
            except TypeError:
                continue
            for key, value in list(attrs.items()):
                if value is mod or getattr(value, "__module__", None) == name:
                    try:
                        attrs[key] = None
                    except TypeError:
                        pass


def install(sandbox: str, read_roots: list[str], preload: list[str] = ()) -> None:
    """Import ``preload``, then guard the kernel: reads only under ``read_roots`` and the sandbox,
    writes only in the sandbox, no processes, sockets or native-code escapes."""
    import importlib

    from IPython import get_ipython

    import nnbook.grading.plain as plain

    for name in preload:
        try:
            importlib.import_module(name)
        except Exception:  # a missing optional module is the student's problem, not the guard's
            pass
    sandbox = os.path.realpath(sandbox)
    _STATE.update(
        ns=get_ipython().user_ns,
        plain=plain,
        write=(sandbox, "/dev/null"),
        read=tuple(os.path.realpath(r) for r in read_roots) + (sandbox, "/dev/null", "/dev/urandom"),
        open=os.open, write_fd=os.write, close=os.close, dumps=json.dumps,
    )
    try:  # exit() and quit() would end the kernel; in grading they do nothing
        get_ipython().ask_exit = lambda *a, **k: None
    except Exception:
        pass
    os.chdir(sandbox)
    _cut(("_posixsubprocess", "_ctypes", "ctypes"))
    sys.addaudithook(_hook)


def _error(e: BaseException) -> dict:
    stub = isinstance(e, NotImplementedError) or (isinstance(e, TypeError) and "'ellipsis'" in str(e))
    kind = "not attempted" if stub else "error"
    return {"error": f"{type(e).__name__}: {str(e)[:300]}", "kind": kind}


def call(kind: str, name: str, payload: str, out: str) -> None:
    """Run one case (kind 'call': ``name(*args)``; kind 'value': the variable ``name``) and write
    {"value": plain data} or {"error": ...} to ``out`` (a fresh file)."""
    s = _STATE
    try:
        if name not in s["ns"]:
            raise NameError(f"{name!r} is not defined")
        obj = s["ns"][name]
        result = obj(*s["plain"].decode(payload)) if kind == "call" else obj
        if result is Ellipsis:
            raise NotImplementedError("the answer is still `...`")
        try:
            reply = {"value": s["plain"]._to_tree(result)}
        except s["plain"].NotPlainData as e:
            reply = {"error": f"returned {str(e)[:200]}", "kind": "not plain data"}
    except KeyboardInterrupt:
        raise
    except BaseException as e:  # SystemExit too: the student's function must not end the kernel
        reply = _error(e)
    data = s["dumps"](reply, allow_nan=False).encode()
    fd = s["open"](out, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        s["write_fd"](fd, data)
    finally:
        s["close"](fd)


def dump_specs(out: str) -> None:
    """Write the hidden tests registered by the master (run as the reference) to ``out``."""
    from nnbook.grading.checks import _HIDDEN

    specs = [{"qid": h.qid, "points": h.points, "call": h.call, "value": h.value,
              "inputs": [list(args) for args in h.inputs], "rtol": h.rtol, "atol": h.atol} for h in _HIDDEN]
    with open(out, "w") as f:
        f.write(_STATE["plain"].encode(specs))
