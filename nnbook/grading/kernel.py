"""A sandboxed kernel for one submission: a fresh temporary directory as its working directory and
home, a minimal environment, a memory cap, time limits per execution, restart after a hang or crash."""

from __future__ import annotations

import json
import os
import queue
import secrets
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from jupyter_client import KernelManager

import nnbook
from nnbook.grading import plain
from nnbook.grading.isolation import Isolation, probe, python_roots

PACKAGE_DIR = Path(nnbook.__file__).resolve().parent
LAUNCHER = Path(__file__).resolve().with_name("launch.py")


@dataclass
class Limits:
    """Time limits in seconds, the kernel's memory cap and file-size cap in MiB, its process cap."""

    cell: float = 30.0
    call: float = 10.0
    submission: float = 300.0
    startup: float = 60.0
    memory_mb: int = 4096
    max_restarts: int = 25  # each restart replays the notebook; the submission time limit bounds them too
    file_mb: int = 256
    processes: int = 64  # threads count too; enforced by the OS per sandbox (its own user namespace)

    @property
    def cpu_seconds(self) -> int:
        """CPU time of one kernel process (the OS kills it beyond): the whole submission's budget."""
        return int(self.submission + self.startup) + 10


@dataclass
class Exec:
    """The outcome of one execution: 'ok', 'error', 'timeout' or 'dead' (kernel must restart)."""

    status: str
    error: str = ""


class _LaunchingKernelManager(KernelManager):
    """Starts the kernel through our launcher, inside the OS sandbox when there is one."""

    launch_cmd: list[str] = []
    isolation: Isolation | None = None

    def format_kernel_cmd(self, extra_arguments=None):
        return [*self.launch_cmd, "-f", self.connection_file]

    def write_connection_file(self, **kwargs) -> None:
        """Written readable by its owner only: a kernel run as another user must own it."""
        super().write_connection_file(**kwargs)
        if self.isolation is not None:
            self.isolation.hand_over(Path(self.connection_file))


def read_roots() -> list[str]:
    """Where a sandboxed kernel may read: the Python installation and nnbook's own package."""
    roots = set(python_roots()) | {str(PACKAGE_DIR)}
    roots.update(["/usr/lib", "/usr/lib64", "/usr/share/zoneinfo", "/usr/share/fonts", "/etc/localtime"])
    return sorted(roots)


def _empty_config_dirs(conf: Path) -> None:
    """IPython and Jupyter configuration folders with nothing in them (read-only for the kernel)."""
    for d in (
        "ipython/profile_default/startup",
        "ipython/profile_default/security",
        "ipython/profile_default/log",
        "ipython/profile_default/pid",
        "jupyter",
        "mpl",
    ):
        (conf / d).mkdir(parents=True, exist_ok=True)
    (conf / "ipython/README").write_text("IPython folder of a grading kernel: read-only, no configuration.\n")
    (conf / "ipython/profile_default/startup/README").write_text("Empty on purpose: no startup files in grading.\n")


class Sandbox:
    """One kernel in a fresh folder (a new one on every restart), isolated by the OS where it can
    be (see nnbook.grading.isolation) and guarded in Python in any case; ``close`` removes it all."""

    def __init__(
        self,
        limits: Limits,
        preload: list[str] = (),
        files: dict[str, bytes] | None = None,
        allow_ctypes: bool = False,
        isolation: Isolation | None = None,
        python_guard: bool = True,
    ):
        self.limits = limits
        self.python_guard = python_guard  # False only in tests that check the OS layer on its own
        self.preload = list(preload)
        self.allow_ctypes = allow_ctypes  # PyTorch needs ctypes to load; NumPy does not
        self.isolation = isolation if isolation is not None else probe()
        self.files = dict(files or {})
        self.root = Path(tempfile.mkdtemp(prefix="nnbook-grade-"))
        self.conf = self.root / "conf"
        _empty_config_dirs(self.conf)
        self.work = self.run_dir = None
        self.km = self.kc = None
        self.restarts = 0
        self.starts = 0

    # -- life cycle -------------------------------------------------------------------------------
    def _fresh_folders(self) -> None:
        """A new, empty sandbox folder (and socket folder) for each kernel; the old ones are removed."""
        for old in (self.work, self.run_dir):
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
        self.starts += 1
        self.work = self.root / f"work-{self.starts}"
        self.run_dir = self.root / f"run-{self.starts}"
        for d in (self.work, self.work / "tmp", self.run_dir):
            d.mkdir()
        for name, data in self.files.items():
            (self.work / name).write_bytes(data)
        # a root grader's kernel runs as nobody (see nnbook.grading.isolation): its folders are its own
        self.isolation.hand_over(self.work, self.work / "tmp", self.run_dir, *(self.work / n for n in self.files))

    def _env(self) -> dict[str, str]:
        w, c = str(self.work), str(self.conf)
        return {
            "PATH": "/usr/bin:/bin",
            "HOME": w,
            "TMPDIR": str(self.work / "tmp"),
            "LANG": "C.UTF-8",
            "MPLBACKEND": "Agg",
            "MPLCONFIGDIR": os.path.join(w, ".mpl"),
            "IPYTHONDIR": os.path.join(c, "ipython"),
            "JUPYTER_RUNTIME_DIR": str(self.run_dir),
            "JUPYTER_CONFIG_DIR": os.path.join(c, "jupyter"),
            "JUPYTER_DATA_DIR": os.path.join(c, "jupyter"),
            "JUPYTER_PLATFORM_DIRS": "1",
            "JUPYTER_CONFIG_PATH": os.path.join(c, "jupyter"),
            "JUPYTER_PATH": os.path.join(c, "jupyter"),
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
            "PYTHONHASHSEED": "0",
            "PYTHONNOUSERSITE": "1",
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        }

    def _launch_cmd(self) -> list[str]:
        lim = self.limits
        config = {
            "sandbox": str(self.work),
            "read_roots": read_roots() + [str(self.conf), str(self.run_dir)],
            "preload": self.preload,
            "allow_ctypes": self.allow_ctypes,
            "memory_mb": lim.memory_mb,
            "cpu_s": lim.cpu_seconds,
            "file_mb": lim.file_mb,
            "nproc": lim.processes if self.isolation.active else 0,
            "own_pid_namespace": self.isolation.active,
            "python_guard": self.python_guard,
        }
        path = self.conf / f"launch-{self.starts}.json"
        path.write_text(json.dumps(config), encoding="utf-8")
        path.chmod(0o644)  # readable by a kernel run as nobody, writable by none of them
        cmd = [sys.executable, "-I", str(LAUNCHER), str(path)]
        return self.isolation.wrap(
            cmd,
            read_only=[*python_roots(), str(PACKAGE_DIR), str(self.conf)],
            writable=[str(self.work), str(self.run_dir)],
            cwd=str(self.work),
        )

    def start(self) -> None:
        self._fresh_folders()
        km = _LaunchingKernelManager(connection_file=str(self.run_dir / f"kernel-{secrets.token_hex(4)}.json"))
        km.launch_cmd = self._launch_cmd()
        km.isolation = self.isolation
        if self.isolation.active:  # a signal to the process group would also stop bwrap itself
            km.kernel_spec.interrupt_mode = "message"
        km.transport = "ipc"  # Unix sockets in the run folder: no TCP port open to other users
        km.ip = str(self.run_dir / "k")
        km.start_kernel(cwd=str(self.work), env=self._env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        kc = km.client()
        kc.start_channels()
        self.km, self.kc = km, kc
        try:
            kc.wait_for_ready(timeout=self.limits.startup)
        except RuntimeError as e:
            raise RuntimeError(f"the grading kernel did not start: {e}") from None
        code = (
            f"import nnbook.grading.agent as _nnbook_agent; _nnbook_agent.install({str(self.work)!r}, "
            f"{self.python_guard!r}); del _nnbook_agent"
        )
        r = self.execute(code, self.limits.startup)
        if r.status != "ok":
            raise RuntimeError(f"could not set up the grading kernel: {r.status} {r.error}")

    def stop(self) -> None:
        if self.kc is not None:
            self.kc.stop_channels()
        if self.km is not None:
            try:
                self.km.shutdown_kernel(now=True)
            except Exception:  # already dead
                pass
        self.km = self.kc = None

    def restart(self) -> None:
        """A new kernel in a new, empty folder: nothing the old one wrote survives."""
        self.restarts += 1
        self.stop()
        self.start()

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- running code -----------------------------------------------------------------------------
    def _drain(self, budget: float = 0.1) -> None:
        """Discard pending output, for at most ``budget`` seconds (a print loop never ends)."""
        end = time.monotonic() + budget
        while time.monotonic() < end:
            try:
                self.kc.get_iopub_msg(timeout=0)
            except queue.Empty:
                return
            except ValueError:  # a message that fails its signature check: discarded like the rest
                continue

    def _wait(self, msg_id: str, timeout: float) -> dict | None:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            try:
                msg = self.kc.get_shell_msg(timeout=min(0.2, left))
            except queue.Empty:
                self._drain()
                if not self.km.is_alive():
                    return {"status": "dead"}
                continue
            if msg.get("parent_header", {}).get("msg_id") == msg_id:
                self._drain()
                return msg["content"]

    def execute(self, code: str, timeout: float) -> Exec:
        """Run ``code``; on timeout interrupt it, and if the kernel does not answer, mark it dead."""
        if self.km is None or not self.km.is_alive():
            return Exec("dead", "the kernel is not running")
        msg_id = self.kc.execute(code, store_history=False, allow_stdin=False, stop_on_error=False)
        reply = self._wait(msg_id, timeout)
        if reply is None:
            try:
                self.km.interrupt_kernel()
            except Exception:
                pass
            late = self._wait(msg_id, 3.0)
            if late is None or late.get("status") == "dead":
                self.stop()  # it ignores the interrupt: kill it; the grader restarts a fresh one
                return Exec("dead", f"time limit of {timeout:.0f} s exceeded; the kernel did not stop")
            return Exec("timeout", f"time limit of {timeout:.0f} s exceeded")
        if reply.get("status") == "dead":
            self.stop()
            return Exec("dead", "the kernel died (crash, os._exit or out of memory)")
        if reply.get("status") == "ok":
            return Exec("ok")
        return Exec("error", f"{reply.get('ename', 'Error')}: {reply.get('evalue', '')}"[:500])

    def call(self, kind: str, name: str, args: list, timeout: float) -> tuple[str, object]:
        """One hidden-test case in the kernel (``kind``: 'call', 'arguments' or 'value', as
        ``Spec.kind``). Returns ('value', plain data) or (failure kind, message)."""
        out = self.work / "tmp" / f".nnbook-{secrets.token_hex(16)}.json"
        payload = plain.encode(list(args))
        code = (
            f"__import__('nnbook.grading.agent', fromlist=['call']).call({kind!r}, {name!r}, {payload!r}, {str(out)!r})"
        )
        r = self.execute(code, timeout)
        if r.status in ("timeout", "dead"):
            return ("timeout" if r.status == "timeout" or "time limit" in r.error else "crashed"), r.error
        try:  # never follow a link, never block on a FIFO the student put there
            fd = os.open(out, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            return "error", r.error or "no result came back"
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                os.close(fd)
                return "error", "the result is not a regular file"
            with os.fdopen(fd, "rb") as f:
                text = f.read(plain.MAX_BYTES + 1)
            os.unlink(out)
            reply = plain.decode_reply(text)
        except RecursionError:
            return "not plain data", "the result is nested too deeply to be read as plain data"
        except Exception as e:  # whatever the kernel wrote, it costs only this case
            return "not plain data", f"the result could not be read as plain data: {type(e).__name__}"
        if "value" in reply:
            return "value", reply["value"]
        return reply.get("kind", "error"), reply.get("error", "")
