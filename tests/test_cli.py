import subprocess
import sys

import pytest

from nnbook.cli import main


def test_help_lists_commands():
    out = subprocess.run([sys.executable, "-m", "nnbook.cli", "--help"], capture_output=True, text=True)
    assert out.returncode == 0
    assert "info" in out.stdout and "export" in out.stdout


def test_no_command_prints_help_and_fails(capsys):
    assert main([]) == 2
    assert "usage: nnbook" in capsys.readouterr().out


def test_unknown_command_is_rejected(capsys):
    with pytest.raises(SystemExit) as e:
        main(["frobnicate"])
    assert e.value.code == 2
    assert "invalid choice: 'frobnicate'" in capsys.readouterr().err


def test_info(capsys):
    assert main(["info"]) == 0
    assert "device:" in capsys.readouterr().out


def test_export_missing_file(tmp_path, capsys):
    assert main(["export", str(tmp_path), "no/such/notebook.md"]) == 2
    assert "no such notebook file" in capsys.readouterr().err


def test_help_lists_the_grading_commands():
    out = subprocess.run([sys.executable, "-m", "nnbook.cli", "--help"], capture_output=True, text=True)
    assert all(cmd in out.stdout for cmd in ("release", "grade"))


def test_a_broken_grading_import_is_not_swallowed(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def broken(name, *args, **kwargs):
        if name == "nnbook.grading.cli":
            raise ImportError("simulated: a dependency of grading is missing")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", broken)
    with pytest.raises(ImportError, match="simulated"):
        main(["info"])


def test_import_nnbook_has_no_side_effects():
    code = (
        "import matplotlib, copy; before = copy.deepcopy(dict(matplotlib.rcParams));"
        "import nnbook, nnbook.runtime; after = dict(matplotlib.rcParams);"
        "changed = [k for k in before if before[k] != after[k]]; assert not changed, changed;"
        "from IPython.testing.globalipapp import start_ipython; ip = start_ipython();"
        "import importlib; importlib.reload(nnbook);"
        "assert 'gpu' not in ip.magics_manager.magics['cell'], 'import registered %%gpu';"
        "ip.run_line_magic('load_ext', 'nnbook'); assert 'gpu' in ip.magics_manager.magics['cell'];"
        "assert matplotlib.rcParams['axes.spines.top'] is False;"
        # glued NumPy scalars must reach myst-nb as plain numbers, or `{glue:text}`x:.1f`` cannot format them
        "import numpy as np; fmt = ip.display_formatter.formatters['text/plain'];"
        "assert fmt(np.float64(77.5)) == '77.5' and fmt(np.int64(3)) == '3' and fmt(np.bool_(True)) == 'True'"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr


def test_lazy_names_resolve():
    import nnbook

    assert callable(nnbook.seed) and callable(nnbook.device) and {"seed", "device"} <= set(dir(nnbook))
