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

DENIED_EVENTS = (
    "ctypes.",
    "socket.",
    "gc.get_",
    "subprocess.",
    "os.exec",
    "os.posix_spawn",
    "os.spawn",
    "os.fork",
    "os.forkpty",
    "os.system",
    "os.killpg",
    "os.link",
    "os.symlink",
    "pty.",
    "sqlite3.",
    "webbrowser.",
    "sys.remote_exec",
)
# Never importable, not even while ipykernel starts: native-code escapes, file access without audit
# events (readline's history functions, mmap, dbm), the resource limits.
DENIED_IMPORTS = {
    "ctypes",
    "_ctypes",
    "_xxsubinterpreters",
    "_testcapi",
    "_testinternalcapi",
    "mmap",
    "resource",
    "readline",
    "dbm",
    "_dbm",
    "_gdbm",
    "_sqlite3",
    "sqlite3",
    "_curses",
    "curses",
    "_tkinter",
    "tkinter",
    "_posixshmem",
    "_multiprocessing",
}
# Loaded by ipykernel itself; removed before student code runs, and not importable after.
CUT_MODULES = ("_posixsubprocess", "_ctypes", "ctypes")
# What student code may import once the kernel is ready (top-level names): the scientific packages
# below and the standard library except what reaches the network, other processes or files without
# audit events. A name outside both is refused (an allowlist: a new module is refused until added).
ALLOWED_PACKAGES = frozenset(
    """
numpy scipy sklearn matplotlib mpl_toolkits PIL torch pandas nnbook IPython ipywidgets tqdm kiwisolver
cycler pyparsing dateutil packaging fontTools contourpy joblib threadpoolctl pytz tzdata six yaml sympy
mpmath networkx jinja2 markupsafe filelock fsspec comm traitlets jupyterlab_widgets widgetsnbextension
""".split()
)
STDLIB_REFUSED = frozenset(
    """
multiprocessing ssl http urllib ftplib smtplib poplib imaplib
nntplib telnetlib xmlrpc socketserver wsgiref webbrowser ctypes readline rlcompleter mmap resource dbm
sqlite3 curses tkinter turtle turtledemo idlelib pty tty termios fcntl grp pwd spwd crypt syslog
venv ensurepip pydoc_data lib2to3 distutils code codeop pdb bdb trace tracemalloc faulthandler
""".split()
)
ALLOWED_IMPORTS = ALLOWED_PACKAGES | (
    frozenset(sys.stdlib_module_names)
    - STDLIB_REFUSED
    - frozenset(DENIED_IMPORTS)
    - frozenset(CUT_MODULES)
    - frozenset(n for n in sys.stdlib_module_names if n.startswith("_test"))
)
WRITE_EVENTS = {
    "os.chdir",
    "os.mkdir",
    "os.remove",
    "os.rmdir",
    "os.rename",
    "os.chmod",
    "os.chown",
    "os.truncate",
    "os.utime",
    "shutil.rmtree",
    "shutil.copyfile",
    "shutil.copytree",
    "shutil.move",
    "shutil.chown",
    "os.setxattr",
    "os.removexattr",
}
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


class SandboxViolation(PermissionError):
    """An operation the grading sandbox does not allow."""


class SandboxImportError(ModuleNotFoundError):
    """An import the grading sandbox does not allow (to library code, a module that is not there)."""


def _latch():
    """A one-way switch: once this generator is exhausted it stays so (nothing can restart it)."""
    yield


def _make_hook(sandbox: str, read_roots: tuple[str, ...], latch, extra_modules: tuple[str, ...] = ()):
    """The audit hook, as a closure over everything it uses.

    Students can rebind any module attribute (``os.path.realpath``, ``builtins.len``, this
    module's globals), so the hook looks nothing up at call time: it uses only values captured
    here (C functions, tuples, str methods) and resolves symbolic links itself.
    """
    import os
    import pathlib
    import stat
    import types

    _type, _len, _str, _bytes, _int, _list, _tuple = type, len, str, bytes, int, list, tuple
    _enumerate = enumerate
    _OSError, _AttributeError, _Violation, _isinstance = OSError, AttributeError, SandboxViolation, isinstance
    _ImportRefused = SandboxImportError
    _getcwd, _lstat, _readlink, _getpid, _fspath = os.getcwd, os.lstat, os.readlink, os.getpid, os.fspath
    _islink, _startswith, _split, _join, _decode = stat.S_ISLNK, str.startswith, str.split, "/".join, bytes.decode
    for f in (_getcwd, _lstat, _readlink, _getpid, _fspath, _islink):  # C functions: their code cannot be swapped
        if not isinstance(f, types.BuiltinFunctionType):
            raise RuntimeError(f"the guard needs the C function {f!r}; it was replaced before the guard")
    _copy = str.__str__  # an exact str from a str subclass (whose methods a student may override)
    _DirEntry = os.DirEntry
    _paths = (pathlib.PosixPath, pathlib.PurePosixPath)
    _tostr, _vars, _missing = pathlib.PurePath.__str__, vars, object()
    # pathlib as it is now: every attribute of its classes (public API only: vars and identity)
    _pathlib = tuple(
        (c, tuple(vars(c).items())) for c in (pathlib.PurePath, pathlib.PurePosixPath, pathlib.Path, pathlib.PosixPath)
    )

    def pathlib_intact():
        """True while no pathlib class has been changed since the guard was installed."""
        for cls, items in _pathlib:
            now = _vars(cls)
            if _len(now) != _len(items):
                return False
            for key, value in items:
                if now.get(key, _missing) is not value:
                    return False
        return True

    denied_events = _tuple(DENIED_EVENTS)
    denied_imports = frozenset(DENIED_IMPORTS)
    cut_modules = frozenset(CUT_MODULES)
    allowed_imports = ALLOWED_IMPORTS | frozenset(extra_modules)
    write_events = frozenset(WRITE_EVENTS)
    copy_events = frozenset(("shutil.copyfile", "shutil.copytree"))
    write_flags = _WRITE_FLAGS
    write_roots = (sandbox, "/dev/null")
    read_roots = read_roots + (sandbox, "/dev/null", "/dev/urandom")

    def text(path):
        """The path as an exact str, or None for a file descriptor; raise for anything we cannot trust."""
        t = _type(path)
        if t is _DirEntry:  # a C type that cannot be subclassed
            path = _fspath(path)
        elif t in _paths and pathlib_intact():
            path = _tostr(path)  # the value cached in the path, the same one open() used
        t = _type(path)
        if t is _str:
            return path
        if t is _bytes:
            return _decode(path, "utf-8", "surrogateescape")
        if t is _int or path is None:
            return None
        raise _Violation("the grading sandbox accepts file names as str, bytes or pathlib paths only")

    def resolve(p):
        """The absolute path with every symbolic link resolved (os.path.realpath, done here)."""
        todo = _split(p if _startswith(p, "/") else _getcwd() + "/" + p, "/")
        todo.reverse()
        parts, links = [], 0
        while todo:
            c = todo.pop()
            if c == "" or c == ".":
                continue
            if c == "..":
                if parts:
                    parts.pop()
                continue
            here = "/" + _join(parts + [c])
            try:
                is_link = _islink(_lstat(here).st_mode)
            except _OSError:
                is_link = False
            if not is_link:
                parts.append(c)
                continue
            links += 1
            if links > 40:
                raise _Violation("too many symbolic links")
            target = _split(_readlink(here), "/")
            if _startswith(_readlink(here), "/"):
                parts = []
            target.reverse()
            todo += target
        return "/" + _join(parts)

    def inside(p, roots):
        for r in roots:
            if p == r or _startswith(p, r + "/") or r == "/":
                return True
        return False

    def hook(event, args):
        if event == "open":
            path = args[0] if _len(args) > 0 else None
            mode = args[1] if _len(args) > 1 else None
            flags = args[2] if _len(args) > 2 else 0
            p = text(path)
            if p is None:
                return
            real = resolve(p)
            write = (_type(flags) is _int and flags & write_flags != 0) or (
                _type(mode) is _str and ("w" in mode or "a" in mode or "x" in mode or "+" in mode)
            )
            if inside(real, write_roots) or (not write and inside(real, read_roots)):
                return
            raise _Violation("the grading sandbox does not allow " + ("writing " if write else "reading ") + real)
        if event == "os.listdir" or event == "os.scandir":
            p = text(args[0]) if _len(args) > 0 else None
            if p is not None and not inside(resolve(p), read_roots):
                raise _Violation("the grading sandbox does not allow listing " + p)
            return
        if event in write_events:
            for i, a in _enumerate(args[:2]):
                p = text(a) if a is not None else None
                roots = read_roots if (i == 0 and event in copy_events) else write_roots
                if p is not None and not inside(resolve(p), roots):
                    raise _Violation("the grading sandbox does not allow " + event + " on " + p)
            return
        if event == "os.kill":
            if _len(args) == 0 or _type(args[0]) is not _int or args[0] != _getpid():
                raise _Violation("the grading sandbox does not allow signalling other processes")
            return
        if event == "import":
            name = _copy(args[0]) if _len(args) > 0 and _isinstance(args[0], _str) else ""
            top = _split(name, ".")[0]
            if name in denied_imports or top in denied_imports:
                raise _ImportRefused("the grading sandbox does not allow importing " + name)
            if latch.gi_frame is None and (
                top in cut_modules or not (top in allowed_imports or _startswith(top, "_sysconfigdata_"))
            ):
                raise _ImportRefused(
                    "the grading sandbox does not allow importing "
                    + name
                    + " (student code may import NumPy, Matplotlib, PyTorch, SciPy, scikit-learn, "
                    "pandas, nnbook and the safe parts of the standard library)"
                )
            return
        if _startswith(event, "socket.") and latch.gi_frame is not None:
            return  # asyncio's self-pipe while ipykernel starts (no student code has run yet)
        if _startswith(event, denied_events):
            raise _Violation("the grading sandbox does not allow " + event)

    return hook


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


def guard(sandbox: str, read_roots: list[str], extra_modules: list[str] = ()) -> None:
    """Install the audit hook (called by the kernel launcher before ipykernel is imported): reads
    only under ``read_roots`` and the sandbox, writes only in the sandbox, no processes, sockets or
    native-code escapes. Imports are limited to an allowlist once ``install`` has run."""
    latch = _latch()
    sandbox = os.path.realpath(sandbox)
    hook = _make_hook(sandbox, tuple(os.path.realpath(r) for r in read_roots), latch, tuple(extra_modules))
    _STATE["latch"] = latch
    sys.addaudithook(hook)  # no reference to it is kept anywhere a student could reach


def install(sandbox: str, python_guard: bool = True) -> None:
    """Get the running kernel ready for student code (the grader's first execution): remove the
    modules ipykernel loaded that would bypass the guard, and switch the import allowlist on."""
    from IPython import get_ipython

    import nnbook.grading.plain as plain

    if python_guard and "latch" not in _STATE:
        raise RuntimeError("the kernel was not started by the grader's launcher (no guard installed)")
    _STATE.update(
        ns=get_ipython().user_ns, plain=plain, open=os.open, write_fd=os.write, close=os.close, dumps=json.dumps
    )
    try:  # exit() and quit() would end the kernel; in grading they do nothing
        get_ipython().ask_exit = lambda *a, **k: None
    except Exception:
        pass
    os.chdir(os.path.realpath(sandbox))
    if not python_guard:  # tests of the OS layer on its own
        return
    _cut(CUT_MODULES)
    for _ in _STATE.pop("latch"):  # exhaust it: imports are now limited to the allowlist, for good
        pass


def _error(e: BaseException) -> dict:
    stub = isinstance(e, NotImplementedError) or (isinstance(e, TypeError) and "'ellipsis'" in str(e))
    kind = "not attempted" if stub else "error"
    return {"error": f"{type(e).__name__}: {str(e)[:300]}", "kind": kind}


def call(kind: str, name: str, payload: str, out: str) -> None:
    """Run one case (kind 'call': ``name(*args)``; 'arguments': the same call, answered by the pair
    (its result, the list of arguments as the call left them); 'value': the variable ``name``) and write
    {"value": plain data} or {"error": ...} to ``out`` (a fresh file)."""
    s = _STATE
    try:
        if name not in s["ns"]:
            raise NameError(f"{name!r} is not defined")
        obj = s["ns"][name]
        if kind == "value":
            result = obj
        else:
            args = s["plain"].decode(payload)
            result = obj(*args)
        if result is Ellipsis:
            raise NotImplementedError("the answer is still `...`")
        if kind == "arguments":
            result = [result, args]
        try:
            reply = {"value": s["plain"].to_tree(result)}
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


def _public_inputs(ns: dict, qid: str, name: str) -> list:
    """The arguments the public tests of ``qid`` call ``name`` with (recorded by running them)."""
    from nnbook.grading.checks import run_public

    seen, original = [], ns.get(name)
    if not callable(original):
        return seen

    def recorder(*args, **kwargs):
        try:
            seen.append(_STATE["dumps"](_STATE["plain"].to_tree(list(args)), sort_keys=True))
        except Exception:  # not plain data: cannot be a hidden input anyway
            pass
        return original(*args, **kwargs)

    ns[name] = recorder
    try:
        run_public(qid)
    finally:
        ns[name] = original
    return seen


def dump_specs(out: str) -> None:
    """Write the hidden tests registered by the master (run as the reference) to ``out``, each with
    the inputs its question's public tests use (so ``nnbook check`` can refuse repeats)."""
    from nnbook.grading.checks import _HIDDEN

    plain = _STATE["plain"]
    specs = []
    for h in _HIDDEN:
        h.public = _public_inputs(_STATE["ns"], h.qid, h.call) if h.call else []
        specs.append(h.to_dict())
    with open(out, "w") as f:
        f.write(plain.encode(specs))
