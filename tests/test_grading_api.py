"""Where the grading names live: each module of nnbook.grading exports (``__all__``) only what it
defines, and every ``from nnbook.grading.<module> import name`` in the repository takes the name from
the module that defines it, not from one that happens to import it. The package itself,
``nnbook.grading``, is the one place that gathers names: the notebook helpers the docs describe."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest

import nnbook.grading

ROOT = Path(__file__).resolve().parent.parent
SEARCHED = ["nnbook", "tests", "benchmarks", "exercises", "docs", "book"]
MODULES = sorted(
    f"nnbook.grading.{m.name}" for m in pkgutil.iter_modules(nnbook.grading.__path__) if m.name != "__main__"
)


def defines(module_name: str, name: str) -> bool:
    """True when ``name`` is a submodule of ``module_name``, or is made there: a function or class
    whose ``__module__`` it is, or a name assigned at its top level."""
    module = importlib.import_module(module_name)
    if importlib.util.find_spec(f"{module_name}.{name}") if hasattr(module, "__path__") else False:
        return True
    obj = inspect.unwrap(getattr(module, name))  # a cached function is its wrapped function
    if inspect.isfunction(obj) or inspect.isclass(obj):
        return obj.__module__ == module_name
    tree = ast.parse(inspect.getsource(module))
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and any(
            isinstance(t, ast.Name) and t.id == name for t in targets
        ):
            return True
    return False


def grading_imports(path: Path) -> list[tuple[str, str, int]]:
    """(module, name, line) of each ``from nnbook.grading.<module> import name`` in a Python file."""
    try:
        tree = ast.parse(path.read_text())
    except (SyntaxError, UnicodeDecodeError):
        return []
    return [
        (node.module, alias.name, node.lineno)
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("nnbook.grading.")
        for alias in node.names
    ]


@pytest.mark.parametrize("module_name", MODULES)
def test_a_grading_module_exports_only_what_it_defines(module_name):
    exported = getattr(importlib.import_module(module_name), "__all__", [])
    borrowed = [n for n in exported if not defines(module_name, n)]
    assert not borrowed, f"{module_name}.__all__ re-exports {borrowed}: import them from where they are defined"


def test_the_package_exports_the_notebook_helpers():
    assert sorted(nnbook.grading.__all__) == sorted(
        ["check", "public_test", "hidden_test", "assert_close", "typical_mistake"]
    )
    assert nnbook.grading.grade.__all__ == ["grade_submission"]


def test_names_are_imported_from_the_module_that_defines_them():
    files = [
        p for d in SEARCHED for p in (ROOT / d).rglob("*.py") if "_vendor" not in p.parts and "_build" not in p.parts
    ]
    wrong = [
        f"{p.relative_to(ROOT)}:{line}: {name} from {module}"
        for p in files
        for module, name, line in grading_imports(p)
        if not defines(module, name)
    ]
    assert not wrong, "names imported from a module that does not define them:\n" + "\n".join(wrong)


def test_the_check_sees_a_re_export():
    # checks.py imports compare from nnbook.grading.compare: taking it from checks is what the test refuses
    assert not defines("nnbook.grading.checks", "compare")
    assert defines("nnbook.grading.compare", "compare")
    assert defines("nnbook.grading.compare", "RTOL")
