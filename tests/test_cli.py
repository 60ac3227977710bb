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
