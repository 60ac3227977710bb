"""The benchmark suite's bookkeeping: budgets, misses, the results table, which notebooks it runs and how
it measures them, and the conversion of a master for nbgrader. No wall-clock time is asserted."""

import importlib
import json
import re
import shutil
import sys
from pathlib import Path

import nbformat
import pytest

from benchmarks import run
from benchmarks.claims import CLAIMS
from benchmarks.measure import Run, execute_notebook
from benchmarks.nbgrader_compare import _blockify, _strip_solutions, nbgrader_source
from nnbook.notebooks import ROOT


def test_slow_chapters_get_the_larger_budget():
    assert run.budget_for("book/ch12_gan.md") == 90 and run.budget_for("exercises/ch11_energy.md") == 90
    assert run.budget_for("book/ch03_forward.md") == 60 and run.budget_for("book/ch01_perceptron.md") == 60


def test_misses_name_each_missed_budget_and_target():
    results = {
        "notebooks": {
            "rows": [
                {"notebook": "book/ch01.ipynb", "ok": True, "seconds": 75.0, "budget_s": 60.0},
                {"notebook": "book/ch02.ipynb", "ok": False, "seconds": 1.0, "budget_s": 60.0},
                {"notebook": "book/ch03.ipynb", "ok": True, "seconds": 10.0, "budget_s": 60.0},
            ]
        },
        "claims": {
            "rows": [
                {"claim": "CNN", "met": False, "mean": 0.99, "target": 0.995},
                {"claim": "LSTM", "error": "ImportError: no rnn"},
                {"claim": "MLP", "met": True, "mean": 0.98, "target": 0.97},
            ]
        },
        "suite_s": 100.0,
    }
    m = run.misses(results)
    assert len(m) == 4
    assert "ch01.ipynb took 75 s" in m[0] and "ch02.ipynb failed" in m[1]
    assert "'CNN': mean 99.00 % below its target 99.5 %" in m[2] and "'LSTM' could not be measured" in m[3]


def test_one_line_solutions_become_nbgrader_blocks_and_markers_vanish_from_the_reference():
    src = "x = 1  ### SOLUTION\ny = 2"
    assert _blockify(src) == "### BEGIN SOLUTION\nx = 1\n### END SOLUTION\ny = 2"
    assert (
        _strip_solutions("def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION")
        == "def f():\n    return 1"
    )


def test_nbgrader_source_has_one_graded_test_cell_per_question_with_the_masters_points(tmp_path):
    import jupytext

    nb = jupytext.read(ROOT / "exercises" / "ch01_perceptron.md")
    path = tmp_path / "m.ipynb"
    nbformat.write(nb, path)
    out = nbgrader_source(path)
    graded = [c.metadata["nbgrader"] for c in out.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert [g["grade_id"] for g in graded] == ["q1_hidden", "q2_hidden", "q3_hidden", "q4_hidden", "q5_hidden"]
    assert sum(g["points"] for g in graded) == 10
    assert not any("hidden" in c.metadata.get("tags", []) for c in out.cells)
    assert all("### SOLUTION" not in c.source for c in out.cells)


def _nb_row(name, seconds, budget=60.0, ok=True, gpu_seconds=0.0):
    return {
        "notebook": name,
        "ok": ok,
        "seconds": seconds,
        "cpu_seconds": seconds - gpu_seconds,
        "gpu_seconds": gpu_seconds,
        "gpu_cells": int(gpu_seconds > 0),
        "gpu_ran": gpu_seconds > 0,
        "budget_s": budget,
        "peak_mib": None,
        "slowest_cells": [],
        "measured": "cold book build",
    }


def test_gpu_only_cells_do_not_count_against_the_cpu_budget():
    rows = [_nb_row("book/ch07.md", 100.0, gpu_seconds=50.0), _nb_row("book/ch09.md", 100.0, gpu_seconds=30.0)]
    m = run.misses({"notebooks": {"rows": rows}})
    assert m == ["notebook book/ch09.md took 70 s (budget 60 s)"]


def test_book_misses_name_the_failed_or_slow_build():
    book = {"cold_s": 500.0, "cold_ok": True, "rebuild_s": 31.0, "rebuild_ok": False}
    m = run.misses({"book": book})
    assert m == [
        "cold book build took 500 s (budget 480 s)",
        "the unchanged rebuild failed",
        "unchanged rebuild took 31 s (budget 30 s)",
    ]
    assert run.misses({"book": {"cold_s": 400.0, "cold_ok": True, "rebuild_s": 29.0, "rebuild_ok": True}}) == []


def test_grading_misses_name_an_incomplete_grading_or_comparison():
    g = {
        "submissions": 30,
        "nnbook": {"ok": True, "graded": 29},
        "nbgrader": {"ok": True, "graded": 30},
    }
    assert run.misses({"grading": g}) == ["nnbook grade graded 29 of 30 submissions"]
    g["nnbook"]["graded"] = 30
    g["nbgrader"]["graded"] = 12
    assert run.misses({"grading": g}) == ["nbgrader autograde graded 12 of 30 submissions: no comparison"]
    g["nbgrader"]["graded"] = 30
    assert run.misses({"grading": g}) == []


def test_speed_misses_name_the_ratio_and_the_gradient_difference():
    rows = [
        {"pair": "conv2d", "met": False, "ratio": 3.4, "target_ratio": 3.0, "max_grad_diff": 1e-13},
        {"pair": "LSTM", "error": "ImportError: x"},
        {"pair": "MLP", "met": True, "ratio": 0.7, "target_ratio": 3.0, "max_grad_diff": 1e-16},
    ]
    m = run.misses({"speed": {"rows": rows}})
    assert m == [
        "speed 'conv2d': NumPy/PyTorch 3.4x (target 3x), gradient difference 1.0e-13",
        "speed 'LSTM' could not be measured: ImportError: x",
    ]


def test_the_report_has_one_table_per_section_and_lists_every_miss():
    results = {
        "date": "2026-12-02 00:00",
        "machine": "test",
        "cuda": False,
        "suite_s": 60.0,
        "book": {"cold_s": 300.0, "cold_ok": True, "cold_peak_mib": 700.0, "rebuild_s": 9.0, "rebuild_ok": True},
        "notebooks": {
            "rows": [
                {
                    **_nb_row("book/ch01.md", 20.0),
                    "measured": "alone",
                    "peak_mib": 300.0,
                    "slowest_cells": [{"index": 4, "seconds": 11.5}],
                },
                _nb_row("book/ch02.md", 75.0),
                {**_nb_row("book/ch07.md", 30.0), "gpu_cells": 2, "gpu_ran": False},
            ],
            "total_s": 125.0,
        },
        "claims": {
            "rows": [
                {
                    "claim": "LSTM",
                    "chapter": "ch10_rnn",
                    "target": 0.98,
                    "accuracies": [0.99, 0.98, 0.985],
                    "mean": 0.985,
                    "std": 0.005,
                    "met": True,
                },
                {"claim": "DBN", "chapter": "ch11_energy", "target": 0.98, "error": "ValueError: no"},
            ]
        },
    }
    results["misses"] = run.misses(results)
    md = run.report(results)
    assert "**Misses:**" in md and "- notebook book/ch02.md took 75 s (budget 60 s)" in md
    assert "- claim 'DBN' could not be measured: ValueError: no" in md
    assert "| `book/ch01.md` | 20.0 | 60 | alone | 300 | #4: 11.5 |" in md
    assert "| `book/ch02.md` | 75.0 | 60 | cold book build | – |  |" in md
    assert "- `book/ch07.md`: 2 cell(s), skipped (no CUDA)" in md
    assert "All 3 notebooks: 125 s (book: 125 s, exercise masters: 0 s)." in md
    assert "| LSTM | ch10_rnn | 98.50 % | 0.50 | 99.0, 98.0, 98.5 | 98.0 % | met |" in md
    assert "| DBN | ch11_energy | – | – | ValueError: no | 98.0 % | missing |" in md
    assert "cold build (fresh execution cache): 300 s" in md and "getrusage(RUSAGE_CHILDREN)" in md
    assert "## Grading" not in md and "## From scratch" not in md  # sections not run have no table
    results["misses"] = []
    assert "**All budgets and targets met.**" in run.report(results)


def test_notebooks_are_selected_by_glob_and_an_unknown_glob_is_an_error():
    chosen = run.select_notebooks(ROOT, ["book/ch0[12]_*", "exercises/ch01_*"])
    assert chosen == ["book/ch01_perceptron.md", "book/ch02_activations.md", "exercises/ch01_perceptron.md"]
    everything = run.select_notebooks(ROOT)
    assert "book/ch12_gan.md" in everything and "exercises/ch12_gan.md" in everything
    assert not any("/student/" in r for r in everything)
    with pytest.raises(ValueError, match=r"no notebook matches \['book/ch99\*'\]"):
        run.select_notebooks(ROOT, ["book/ch99*"])


def test_with_a_book_build_only_the_slowest_and_the_over_budget_chapters_run_again(monkeypatch):
    executed = []

    def fake_execute(ipynb, workdir):
        executed.append(ipynb.name)
        cells = [{"index": 1, "seconds": 2.0, "gpu": False}, {"index": 2, "seconds": 3.0, "gpu": True}]
        return Run(10.0, 123.0, 0, data={"cells": cells})

    monkeypatch.setattr(run, "execute_notebook", fake_execute)
    rels = [
        "book/ch01_perceptron.md",
        "book/ch02_activations.md",
        "book/ch03_forward.md",
        "book/ch07_training.md",
        "exercises/ch01_perceptron.md",
    ]
    build = {r: t for r, t in zip(rels[:4], [20.0, 70.0, 50.0, 30.0])}
    out = run.bench_notebooks(rels, from_build=build)
    rows = {r["notebook"]: r for r in out["rows"]}
    assert [r["notebook"] for r in out["rows"]] == rels
    # ch02 is over budget (and slowest), the master is not in the book: both executed; ch01, ch03 taken from the build
    assert sorted(executed) == ["ch01_perceptron.ipynb", "ch02_activations.ipynb"]
    assert (
        rows["book/ch01_perceptron.md"]["measured"] == "cold book build"
        and rows["book/ch01_perceptron.md"]["seconds"] == 20.0
    )
    ch02 = rows["book/ch02_activations.md"]
    assert ch02["measured"] == "alone" and ch02["build_seconds"] == 70.0 and ch02["peak_mib"] == 123.0
    assert ch02["cpu_seconds"] == 7.0  # held to its budget by the run alone (10 s less the 3 s GPU-only cell)
    assert rows["exercises/ch01_perceptron.md"]["cpu_seconds"] == 7.0  # 10 s less the 3 s GPU-only cell
    assert [c["index"] for c in ch02["slowest_cells"]] == [2, 1]
    assert rows["book/ch03_forward.md"]["gpu_cells"] == 0 and rows["book/ch07_training.md"]["gpu_cells"] == 1
    assert run.misses({"notebooks": out}) == []
    slow = {"notebooks": {"rows": [{**ch02, "cpu_seconds": 61.0}]}}
    assert run.misses(slow) == ["notebook book/ch02_activations.md took 61 s (budget 60 s)"]
    executed.clear()  # with CUDA the build also ran ch07's GPU-only cell: ch07 runs alone, its GPU time apart
    rows = {r["notebook"]: r for r in run.bench_notebooks(rels, from_build=build, cuda=True)["rows"]}
    assert sorted(executed) == ["ch01_perceptron.ipynb", "ch02_activations.ipynb", "ch07_training.ipynb"]
    assert rows["book/ch07_training.md"]["gpu_ran"] and rows["book/ch07_training.md"]["gpu_seconds"] == 3.0


def _pair(name, ratio):
    return {
        "pair": name,
        "met": ratio <= 3,
        "ratio": ratio,
        "target_ratio": 3.0,
        "numpy_ms": ratio,
        "torch_ms": 1.0,
        "max_grad_diff": 0.0,
    }


def test_main_exits_non_zero_and_names_each_miss(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(run, "bench_speed", lambda: {"rows": [_pair("conv2d", 4.0)]})
    assert run.main(["--section", "speed", "--out", str(tmp_path)]) == 1
    assert "MISS: speed 'conv2d': NumPy/PyTorch 4.0x" in capsys.readouterr().out
    saved = json.loads((tmp_path / "results.json").read_text())
    assert (
        saved["sections"] == ["speed"]
        and saved["misses"]
        and "NumPy/PyTorch 4.0x" in (tmp_path / "results.md").read_text()
    )

    def broken():
        raise RuntimeError("no torch")

    monkeypatch.setattr(run, "bench_speed", broken)
    assert run.main(["--only", "speed", "--out", str(tmp_path)]) == 1
    assert "MISS: section speed failed: RuntimeError: no torch" in capsys.readouterr().out

    monkeypatch.setattr(run, "bench_speed", lambda: {"rows": [_pair("MLP", 1.0)]})
    assert run.main(["--section", "speed", "--out", str(tmp_path)]) == 0


def test_unknown_sections_are_refused_with_the_known_ones(capsys):
    with pytest.raises(SystemExit) as exc:
        run.main(["--section", "notebooks,bok"])
    assert (
        exc.value.code == 2
        and "unknown section(s) ['bok']; choose from ('book', 'notebooks'" in capsys.readouterr().err
    )


@pytest.mark.parametrize("claim", CLAIMS, ids=[c.name for c in CLAIMS])
def test_each_claim_calls_a_package_function_that_its_chapter_calls(claim):
    if claim.calls is None:
        pytest.xfail(f"{claim.chapter} has no package function holding its settings yet: the claim restates them")
    module, name = claim.calls.rsplit(".", 1)
    assert callable(getattr(importlib.import_module(module), name))
    chapter = (ROOT / "book" / f"{claim.chapter}.md").read_text()
    called = f"{name}(" in chapter or re.search(rf"run_seeded\(\s*[\w.]*\b{name}\b", chapter)  # or runs it per seed
    assert called, f"{claim.chapter} does not call {name}"


def test_peak_memory_includes_the_notebook_kernel(tmp_path):
    nb = nbformat.v4.new_notebook(
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    )
    nb.cells = [nbformat.v4.new_code_cell("import numpy as np\nbig = np.ones(300 * 2**20 // 8)\nbig.sum()")]
    path = tmp_path / "big.ipynb"
    nbformat.write(nb, path)
    measured = execute_notebook(path, tmp_path)
    assert measured.returncode == 0, measured.stderr[-2000:]
    assert measured.peak_mib > 300  # the kernel's 300 MiB array, not only the client process
    assert [c["index"] for c in measured.data["cells"]] == [0]


@pytest.mark.skipif(
    not (ROOT / "book" / "_vendor").is_dir(), reason="run `make env` first: vendored JavaScript missing"
)
def test_the_book_section_builds_cold_then_rebuilds_from_the_cache(tmp_path):
    from conftest import book_build_lock

    src = tmp_path / "src"
    (src / "book").mkdir(parents=True)
    shutil.copy(ROOT / "_config.yml", src / "_config.yml")
    shutil.copy(ROOT / "book" / "references.bib", src / "book" / "references.bib")
    shutil.copytree(ROOT / "book" / "_vendor", src / "book" / "_vendor")
    (src / "_toc.yml").write_text("format: jb-book\nroot: book/page\n")
    header = Path(ROOT / "book" / "ch01_perceptron.md").read_text().split("---")[1]
    counter = tmp_path / "executions.txt"
    (src / "book" / "page.md").write_text(
        f"---{header}---\n\n# A page\n\n```{{code-cell}} ipython3\n"
        f"with open({str(counter)!r}, 'a') as fh:\n    fh.write('ran\\n')\n```\n"
    )
    with book_build_lock():
        out = run.bench_book(src)
    assert out["cold_ok"] and out["rebuild_ok"], out["error"]
    assert list(out["chapters"]) == ["book/page.md"] and out["chapters"]["book/page.md"] > 0
    assert (
        counter.read_text() == "ran\n"
    )  # executed once, by the prefill: the build and the rebuild took it from the cache
    assert 0 < out["prefill_s"] <= out["cold_s"]
    assert run.misses({"book": {**out, "cold_s": 1.0, "rebuild_s": 1.0}}) == []


def test_a_kernel_of_another_environment_is_refused(monkeypatch):
    from benchmarks import measure

    monkeypatch.setattr(measure, "kernel_python", lambda name="python3": "/elsewhere/.venv/bin/python")
    with pytest.raises(RuntimeError, match=r"runs /elsewhere/.venv/bin/python, not this environment's Python"):
        measure.check_kernel()
    monkeypatch.setattr(measure, "kernel_python", lambda name="python3": str(Path(sys.executable).parent / "python"))
    measure.check_kernel()


def test_a_claim_is_met_by_its_mean_over_seeds_and_an_error_in_any_seed_makes_it_missing():
    from benchmarks.claims import Claim, summarise

    c = Claim("x", "ch00", 0.9, lambda s: 0.0)
    row = summarise(c, [0, 1, 2], [0.95, 0.85, 0.91])
    assert row["met"] and abs(row["mean"] - 0.9033333) < 1e-6 and abs(row["std"] - 0.05033223) < 1e-6
    assert not summarise(c, [0, 1], [0.95, 0.84])["met"]
    row = summarise(c, [0, 1], [0.95, "ValueError: bad"])
    assert row["error"] == "ValueError: bad" and "mean" not in row
    assert run.misses({"claims": {"rows": [row]}}) == ["claim 'x' could not be measured: ValueError: bad"]


def test_claims_of_one_chapter_and_seed_run_together_once(monkeypatch):
    from benchmarks import claims as C

    calls = []

    def fake(name, acc):
        def f(seed):
            calls.append((name, seed))
            if name == "broken":
                raise ImportError("no such function")
            return acc + seed / 100

        return f

    fakes = [
        C.Claim("a", "ch01", 0.9, fake("a", 0.9)),
        C.Claim("b", "ch01", 0.95, fake("b", 0.9)),
        C.Claim("broken", "ch02", 0.9, fake("broken", 0.0)),
    ]
    monkeypatch.setattr(C, "CLAIMS", fakes)
    rows = C.measure_claims(fakes[:2] + fakes[2:], seeds=(0, 1), jobs=1)
    assert sorted(calls) == sorted([("a", 0), ("a", 1), ("b", 0), ("b", 1), ("broken", 0), ("broken", 1)])
    assert [r["claim"] for r in rows] == ["a", "b", "broken"]
    assert rows[0]["accuracies"] == [0.9, 0.91] and rows[0]["met"] and not rows[1]["met"]
    assert rows[2]["error"] == "ImportError: no such function"


def test_a_speed_pair_misses_on_a_gradient_difference_and_reports_a_broken_setup():
    from benchmarks.speed import Pair, measure_pair

    same = Pair("same work", lambda: (lambda: None, lambda: None, lambda: 1e-9), target_ratio=1e9)
    row = measure_pair(same, repeats=2, inner=1)
    assert row["max_grad_diff"] == 1e-9 and not row["met"]  # fast enough, but gradients differ by more than 1e-10

    def broken():
        raise ImportError("no conv")

    assert measure_pair(Pair("conv", broken)) == {"pair": "conv", "error": "ImportError: no conv"}


def test_sections_run_one_at_a_time_merge_into_one_results_file(tmp_path, monkeypatch):
    monkeypatch.setattr(run, "bench_speed", lambda: {"rows": [_pair("conv2d", 4.0)]})
    claim = {
        "claim": "MLP",
        "chapter": "ch06",
        "target": 0.95,
        "accuracies": [0.96],
        "mean": 0.96,
        "std": 0.0,
        "met": True,
    }
    monkeypatch.setattr(run, "bench_claims", lambda seeds, names, jobs: {"rows": [claim], "jobs": jobs})
    assert run.main(["--section", "speed", "--out", str(tmp_path)]) == 1
    assert run.main(["--section", "claims", "--out", str(tmp_path), "--merge"]) == 1  # the speed miss is kept
    saved = json.loads((tmp_path / "results.json").read_text())
    assert saved["sections"] == ["claims", "speed"] and saved["speed"]["rows"][0]["ratio"] == 4.0
    assert set(saved["section_dates"]) == {"claims", "speed"}
    md = (tmp_path / "results.md").read_text()
    assert "## Headline accuracies" in md and "## From scratch" in md and "NumPy/PyTorch 4.0x" in md
    monkeypatch.setattr(run, "bench_speed", lambda: {"rows": [_pair("conv2d", 1.0)]})
    assert run.main(["--section", "speed", "--out", str(tmp_path), "--merge"]) == 0  # the new run replaces the old
    assert run.main(["--section", "claims", "--out", str(tmp_path)]) == 0  # without --merge: only this section
    assert json.loads((tmp_path / "results.json").read_text())["sections"] == ["claims"]


def test_a_run_of_some_claims_merges_row_by_row():
    def claim(name, acc):
        return {"claim": name, "accuracies": [acc]}

    previous = {
        "sections": ["claims"],
        "claims": {"rows": [claim("MLP", 0.96), claim("DBN", 0.97)], "jobs": 2},
        "section_s": {"claims": 60.0},
        "section_dates": {"claims": "then"},
    }
    new = {
        "sections": ["claims"],
        "claims": {"rows": [claim("DBN", 0.99), claim("GAN", 0.98)], "jobs": 2},
        "section_s": {"claims": 30.0},
        "section_dates": {"claims": "now"},
    }
    merged = run.merge(previous, new)
    assert merged["claims"]["rows"] == [claim("MLP", 0.96), claim("DBN", 0.99), claim("GAN", 0.98)]
