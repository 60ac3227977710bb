from pathlib import Path

from nnbook import notebooks

ROOT = Path(__file__).resolve().parent.parent


def _fake_project(tmp: Path) -> Path:
    (tmp / "nnbook").mkdir()
    (tmp / "nnbook" / "a.py").write_text("x = 1\n")
    (tmp / "requirements.lock").write_text("numpy==2.0\n")
    return tmp


def test_cache_is_kept_while_the_package_is_unchanged_and_cleared_after(tmp_path):
    root = _fake_project(tmp_path)
    build = root / "_build"
    assert notebooks.guard_cache(build, root)  # first build: nothing to keep
    (build / ".jupyter_cache").mkdir()
    (build / ".doctrees").mkdir()
    assert not notebooks.guard_cache(build, root)
    assert (build / ".jupyter_cache").is_dir()
    (root / "nnbook" / "a.py").write_text("x = 2\n")
    assert notebooks.guard_cache(build, root)
    assert not (build / ".jupyter_cache").exists() and not (build / ".doctrees").exists()


def test_fingerprint_covers_package_data(tmp_path):
    root = _fake_project(tmp_path)
    before = notebooks.package_fingerprint(root)
    (root / "nnbook" / "terms.yml").write_text("terms: []\n")
    assert notebooks.package_fingerprint(root) != before


def test_export_writes_ipynb_and_manifest(tmp_path):
    src = ROOT / "book" / "ch00_introduction.md"
    manifest = notebooks.export([src], tmp_path)
    assert (tmp_path / "book" / "ch00_introduction.ipynb").is_file()
    assert manifest["notebooks"]["book/ch00_introduction.ipynb"]["gpu_cells"] == 0
