"""One name, one meaning: a public name used by two modules of nnbook must be the same object.

Every module of the package is imported; its public names are ``__all__`` (or, without it, the names
not starting with "_") whose objects come from nnbook, plus the module's own name. Two different objects
under one name fail the test unless the name is on ``ALLOWED`` with the reason it may mean two things.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import types
from collections import defaultdict

import nnbook

# name -> why two objects may share it. Keep this short: renaming is almost always better.
ALLOWED: dict[str, str] = {
    "Sequential": "keras_style.Sequential stacks torch layers the Keras way; scratch.core.Sequential stacks NumPy layers",
    "main": "cli.main and grading.launch.main are the entry points of two console scripts",
    "energy": "kept on purpose: demos.energy is chapter 11's demo module (energy-based models) and "
    "scratch.hopfield.energy the Hopfield energy E(s); a module and a function, never imported under one name",
}


def _modules() -> list[types.ModuleType]:
    mods = [nnbook]
    for info in pkgutil.walk_packages(nnbook.__path__, prefix="nnbook."):
        if info.name.rsplit(".", 1)[-1] != "__main__":  # running it would start a command
            mods.append(importlib.import_module(info.name))
    return mods


def _from_nnbook(obj) -> bool:
    if isinstance(obj, types.ModuleType):
        return obj.__name__.startswith("nnbook")
    if inspect.isfunction(obj) or inspect.isclass(obj):
        return (getattr(obj, "__module__", "") or "").startswith("nnbook")
    return not inspect.isbuiltin(obj) and not inspect.ismodule(obj)


def public_names() -> dict[str, dict[int, tuple[object, list[str]]]]:
    """name -> {id(object): (object, [modules that expose it under that name])}."""
    seen: dict[str, dict[int, tuple[object, list[str]]]] = defaultdict(dict)

    def add(name: str, obj: object, where: str) -> None:
        entry = seen[name].setdefault(id(obj), (obj, []))
        entry[1].append(where)

    for mod in _modules():
        add(mod.__name__.rsplit(".", 1)[-1], mod, f"{mod.__name__} (the module)")
        names = getattr(mod, "__all__", None)
        if names is None:
            names = [n for n in vars(mod) if not n.startswith("_")]
        for name in names:
            obj = getattr(mod, name)
            if _from_nnbook(obj) and not isinstance(obj, (int, float, str, bool, type(None))):
                add(name, obj, mod.__name__)
    return seen


def _clash(name: str, objs: list[object]) -> bool:
    """Two meanings, except: modules of parallel subpackages (``demos.losses`` draws what
    ``scratch.losses`` computes), and a module with the object it is named for, defined in it."""
    modules = [o for o in objs if isinstance(o, types.ModuleType)]
    others = [o for o in objs if not isinstance(o, types.ModuleType)]
    if len(others) > 1 and not all(not callable(o) and _equal(o, others[0]) for o in others):  # equal constants agree
        return True
    return bool(others) and any(getattr(others[0], "__module__", None) != m.__name__ for m in modules)


def _equal(a, b) -> bool:
    try:
        return bool(a == b)
    except Exception:
        return False


def clashes() -> dict[str, list[str]]:
    return {
        name: [f"{type(obj).__name__} in {', '.join(where)}" for obj, where in objs.values()]
        for name, objs in public_names().items()
        if _clash(name, [o for o, _ in objs.values()])
    }


def test_one_public_name_means_one_thing():
    found = {name: where for name, where in clashes().items() if name not in ALLOWED}
    assert not found, "public names with two meanings:\n" + "\n".join(f"  {n}: {w}" for n, w in sorted(found.items()))


def test_the_allow_list_is_still_needed():
    assert set(ALLOWED) <= set(clashes()), (
        f"no longer clashing, remove from ALLOWED: {sorted(set(ALLOWED) - set(clashes()))}"
    )


def test_the_check_sees_a_clash(monkeypatch):
    # break it once: a second, different "least_squares" must be reported
    from nnbook.scratch import regression

    monkeypatch.setattr(regression, "least_squares", regression.max_stable_lr)
    assert "least_squares" in clashes()
