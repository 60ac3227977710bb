"""The project's entry points agree with each other: README, Makefile, CI, lab settings, pins."""

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_ci_runs_exactly_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    assert "make book" in readme and "make test" in readme
    commands = [l.strip() for l in (ROOT / ".ci/run").read_text().splitlines() if l.strip() and not l.startswith("#")]
    assert commands[-1] == "make test"


def test_pins_that_matter():
    lock = (ROOT / "requirements.lock").read_text().splitlines()
    pins = dict(l.split("==", 1) for l in lock if "==" in l)
    assert pins["torch"] == "2.13.0"
    assert pins["jupyter-book"].startswith("1.")
    assert "torchvision" not in pins
    # every requirement is pinned exactly
    assert all("==" in l for l in lock if l and not l.startswith("#")), [l for l in lock if l and "==" not in l]


def test_lab_opens_text_notebooks_as_notebooks():
    overrides = json.loads((ROOT / "scripts/lab-overrides.json").read_text())
    viewers = overrides["@jupyterlab/docmanager-extension:plugin"]["defaultViewers"]
    assert viewers["markdown"] == "Jupytext Notebook"
    labext = Path(sys.prefix) / "share/jupyter/labextensions"
    assert (labext / "jupyterlab-jupytext").is_dir(), "jupytext's JupyterLab extension is not installed"
    assert (labext / "@jupyter-widgets/jupyterlab-manager").is_dir(), (
        "the ipywidgets JupyterLab extension is not installed"
    )


def test_vendored_javascript_is_pinned_by_hash():
    spec = json.loads((ROOT / "js/vendor.json").read_text())
    for pkg in spec["packages"]:
        assert re.fullmatch(r"\d+\.\d+\.\d+", pkg["version"])
        assert pkg["integrity"].startswith("sha512-")
