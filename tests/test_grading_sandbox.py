"""The sandboxed kernel refuses each way out we know of (one kernel for all the attempts)."""

from pathlib import Path

import pytest

from nnbook.grading.kernel import Limits, Sandbox

MASTER = str(Path(__file__).resolve().parent / "grading_fixtures" / "ch99_toy.md")
REPO = str(Path(__file__).resolve().parent.parent)

ESCAPES = {
    "open": f"open({MASTER!r}).read()",
    "os.open": f"import os; os.open({MASTER!r}, os.O_RDONLY)",
    "io.open_code": f"import io; io.open_code({MASTER!r})",
    "FileIO": f"import _io; _io.FileIO({MASTER!r})",
    "np.fromfile": f"np.fromfile({MASTER!r}, dtype=np.uint8)",
    "np.loadtxt": f"np.loadtxt({MASTER!r}, dtype=str, delimiter='\\x01')",
    "shutil.copy": f"import shutil; shutil.copy({MASTER!r}, 'copy.md')",
    "loader": f"import importlib.machinery as m; m.SourceFileLoader('x', {MASTER!r}).get_data({MASTER!r})",
    "via nnbook.__file__": "import nnbook, pathlib; (pathlib.Path(nnbook.__file__).parents[1] / 'Makefile').read_text()",
    "relative path": "open('../../../../../../../../" + MASTER.lstrip("/") + "').read()",
    "listdir": f"import os; os.listdir({REPO!r})",
    "proc": "import os; open(f'/proc/{os.getppid()}/cmdline').read()",
    "chdir": "import os; os.chdir('/')",
    "write outside": "open('/tmp/nnbook-escape.txt', 'w')",
    "symlink": f"import os; os.symlink({MASTER!r}, 'link.md')",
    "hard link": f"import os; os.link({MASTER!r}, 'link.md')",
    "subprocess": "import subprocess; subprocess.run(['cat', '/etc/hostname'])",
    "os.system": "import os; os.system('true')",
    "fork": "import os; os.fork()",
    "posix_spawn": "import os; os.posix_spawn('/bin/true', ['true'], {})",
    "multiprocessing": "import multiprocessing as mp; mp.get_context('spawn').Process(target=print).start()",
    "pickle": "import pickle; pickle.loads(b\"cposix\\nsystem\\n(S'true'\\ntR.\")",
    "kill grader": "import os; os.kill(os.getppid(), 15)",
    "socket": "import socket; socket.create_connection(('127.0.0.1', 9))",
    "ctypes": "import ctypes",
    "_ctypes from spec": "import importlib.util as u; u.module_from_spec(u.find_spec('_ctypes'))",
    "ctypes re-import": "import sys; sys.modules.pop('ctypes', None); sys.modules.pop('_ctypes', None); import ctypes",
    "gc": "import gc; gc.get_objects()",
    "sqlite": "import sqlite3; sqlite3.connect('x.db')",
    "PathLike that changes its mind": (
        "class P:\n    n = 0\n    def __fspath__(self):\n        P.n += 1\n"
        f"        return {MASTER!r} if P.n % 2 else 'ok.txt'\nopen(P()).read()"
    ),
    "pathlib slot swapped": (
        "import itertools, os, pathlib\nflip = itertools.cycle([" + repr(MASTER) + ", 'ok.txt'])\n"
        "slot = vars(pathlib.PurePath)['_str']\npathlib.PurePath._str = property(lambda self: next(flip))\n"
        "try:\n    os.open(pathlib.PurePosixPath('x'), os.O_RDONLY)\nfinally:\n    pathlib.PurePath._str = slot"
    ),
    "str subclass": f"class S(str):\n    def startswith(self, *a): return True\nopen(S({MASTER!r})).read()",
    "import by a str subclass": (
        "import importlib\nclass S(str):\n    def __eq__(self, o): return False\n    def __hash__(self): return 1\n"
        "importlib.import_module(S('_ctypes'))"
    ),
}

# Each of these patches what a naive guard would consult, then tries to read the master.
PATCHES = [
    "import nnbook.grading.agent as a\na._STATE['read'] = ('/',); a.DENIED_EVENTS = (); a.DENIED_IMPORTS = set()",
    "import nnbook.grading.agent as a\na._make_hook = lambda *x: (lambda e, args: None)",
    "import os, posixpath\nos.path.realpath = posixpath.realpath = lambda p, **k: '/dev/null'\n"
    "os.fsdecode = os.fspath = lambda p: '/dev/null'",
    "import pathlib\npathlib.PurePath.__fspath__ = lambda self: " + repr(MASTER),
]


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox(Limits(cell=10, startup=120), preload=["numpy"]) as sb:
        sb.start()
        assert sb.execute("import numpy as np", 10).status == "ok"
        yield sb


@pytest.mark.parametrize("name", list(ESCAPES))
def test_escape_is_refused(sandbox, name):
    r = sandbox.execute(ESCAPES[name], 10)
    assert r.status == "error", (name, r)
    assert "SandboxViolation" in r.error or "ImportError" in r.error or "ModuleNotFoundError" in r.error, (
        name,
        r.error,
    )


def test_the_sandbox_still_works(sandbox):
    assert (
        sandbox.execute("open('notes.txt', 'w').write('ok'); assert open('notes.txt').read() == 'ok'", 10).status
        == "ok"
    )
    assert sandbox.execute("import os; assert os.getcwd() == os.path.realpath(os.environ['HOME'])", 10).status == "ok"
    assert (
        sandbox.execute("import json, collections, statistics, math; x = np.linalg.inv(np.eye(3))", 10).status == "ok"
    )
    assert sandbox.execute("import matplotlib.pyplot as plt; plt.plot([1, 2]); plt.savefig('f.png')", 30).status == "ok"
    assert sandbox.execute("def count(x):\n    return len(x)", 10).status == "ok"
    assert sandbox.call("call", "count", [[1, 2, 3]], 10) == ("value", 3)
    assert not Path("/tmp/nnbook-escape.txt").exists()


def test_patching_the_guard_changes_nothing():
    with Sandbox(Limits(cell=10, startup=120), preload=["numpy"]) as sb:
        sb.start()
        assert sb.execute("import pathlib\npathlib.Path('ok.txt').write_text('fine')", 10).status == "ok"
        for patch in PATCHES:
            sb.execute(patch, 10)
        for attempt in (
            f"open({MASTER!r}).read()",
            "import pathlib\npathlib.Path('ok.txt').read_text()",
            f"import os; os.listdir({REPO!r})",
            "import subprocess; subprocess.run(['true'])",
        ):
            r = sb.execute(attempt, 10)
            assert r.status == "error" and ("SandboxViolation" in r.error or "TypeError" in r.error), (attempt, r)
