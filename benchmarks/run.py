"""`make bench`: the book's execution budget, its accuracy claims, its from-scratch speed and its grader.

    .venv/bin/python -m benchmarks.run                       # every section (what `make bench` runs)
    .venv/bin/python -m benchmarks.run --section notebooks --notebooks 'book/ch01*' 'book/ch02*'
    .venv/bin/python -m benchmarks.run --section claims --claims LSTM --seeds 0 1 2
    .venv/bin/python -m benchmarks.run --section grading --merge   # add one section to the last results

Sections: book (a cold `jupyter-book build` and an unchanged rebuild), notebooks (every chapter and
exercise master in a fresh kernel: time, slowest cells, GPU-only cells, peak memory), claims (headline
accuracies over seeds), speed (NumPy against PyTorch), grading (nnbook against nbgrader). When the
book section runs too, the chapters' times come from its cold build (each chapter executed once, in
a fresh kernel, by jupyter-cache) and only the slowest chapter and the chapters over budget are
executed again, alone, for their slowest cells and peak memory.

Writes benchmarks/results.json and benchmarks/results.md (or ``--out``) and exits non-zero, naming each
miss, when a budget or a target is missed. Nothing here is a test: the numbers depend on the machine
and its load.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.measure import ROOT, check_kernel, execute_notebook, run_measured

SECTIONS = ("book", "notebooks", "claims", "speed", "grading")  # run in this order: notebooks reuse the book build
CHAPTER_BUDGET_S = 60.0
SLOW_CHAPTER_BUDGET_S = 90.0  # the RBM/DBN and GAN chapters
SLOW_CHAPTERS = ("ch11_", "ch12_")
BOOK_COLD_BUDGET_S = 8 * 60.0
REBUILD_BUDGET_S = 30.0
SUITE_BUDGET_S = 20 * 60.0
PEAK_MEMORY_METHOD = (
    "Peak memory is the largest maximum resident set size of any single process in the measured "
    "command's tree (the notebook's kernel, the grader's workers), read with "
    "`getrusage(RUSAGE_CHILDREN)` in a fresh helper process after the command exits; it is not the sum "
    "of processes running at the same time."
)


def budget_for(rel: str) -> float:
    """The execution budget of one notebook (``book/ch12_gan.md``, ``exercises/ch11_energy.md``, ...)."""
    return SLOW_CHAPTER_BUDGET_S if any(f"/{p}" in f"/{rel}" for p in SLOW_CHAPTERS) else CHAPTER_BUDGET_S


def select_notebooks(root: Path, patterns: list[str] | None = None) -> list[str]:
    """The book's chapters and the exercise masters (paths relative to ``root``) matching any of ``patterns``
    (shell globs such as ``book/ch0[12]*``); every one when ``patterns`` is empty. Unknown patterns are an error."""
    from nnbook.notebooks import find_notebooks

    rels = [p.resolve().relative_to(root.resolve()).as_posix() for p in find_notebooks(root)]
    if not patterns:
        return rels
    chosen = [r for r in rels if any(fnmatch.fnmatch(r, pat) for pat in patterns)]
    unmatched = [pat for pat in patterns if not any(fnmatch.fnmatch(r, pat) for r in rels)]
    if unmatched:
        raise ValueError(
            f"no notebook matches {unmatched}; the notebooks are e.g. {rels[:2]} (globs relative to the repository)"
        )
    return chosen


def notebook_row(rel: str, run, *, cuda: bool) -> dict:
    """One notebook's measurement: total time, the time of its GPU-only cells, its three slowest cells."""
    cells = run.data.get("cells", [])
    gpu_s = sum(c["seconds"] for c in cells if c.get("gpu"))
    return {
        "notebook": rel,
        "seconds": run.seconds,
        "cpu_seconds": run.seconds - gpu_s,  # what the budget is for: GPU-only cells are skipped without CUDA
        "gpu_seconds": gpu_s,
        "gpu_cells": sum(1 for c in cells if c.get("gpu")),
        "gpu_ran": cuda,
        "peak_mib": run.peak_mib,
        "ok": run.returncode == 0,
        "budget_s": budget_for(rel),
        "slowest_cells": sorted(cells, key=lambda c: -c["seconds"])[:3],
        "measured": "alone",
        "error": "" if run.returncode == 0 else (run.stdout + run.stderr)[-800:],
    }


def _gpu_cell_count(path: Path) -> int:
    from nnbook.notebooks import gpu_cells, read

    return len(gpu_cells(read(path)))


def bench_notebooks(
    rels: list[str], *, root: Path = ROOT, from_build: dict[str, float] | None = None, cuda: bool = False
) -> dict:
    """Execute each notebook of ``rels`` in a fresh kernel (exported to .ipynb, run from its folder).

    ``from_build`` maps chapters to their execution time in the cold book build: those are not executed
    again, except the slowest and any over its budget (and, with CUDA, any with GPU-only cells, to time them).
    The build executes two notebooks at a time, so a chapter run again is held to its budget by the run alone.
    """
    from nnbook.notebooks import export

    from_build = from_build or {}
    reuse = {r: s for r, s in from_build.items() if r in rels and not (cuda and _gpu_cell_count(root / r))}
    again = {r for r, s in reuse.items() if s > budget_for(r)}
    if reuse:
        again.add(max(reuse, key=reuse.get))
    run_alone = [r for r in rels if r not in reuse or r in again]
    out_dir = Path(tempfile.mkdtemp(prefix="nnbook-bench-nb-"))
    rows = {}
    try:
        export([root / r for r in run_alone], out_dir, root=root, student_versions=False)
        for r in run_alone:
            ipynb = out_dir / Path(r).with_suffix(".ipynb")
            row = notebook_row(r, execute_notebook(ipynb, ipynb.parent), cuda=cuda)
            if r in reuse:  # executed twice: kept for the record, but the budget is held against the run
                row["build_seconds"] = reuse[r]  # alone, as the build runs two notebooks at a time
            rows[r] = row
            gpu = f", GPU-only cells {row['gpu_seconds']:.1f} s" if row["gpu_cells"] and cuda else ""
            print(
                f"  {r}: {row['seconds']:.1f} s, peak {row['peak_mib']:.0f} MiB{gpu}{'' if row['ok'] else ' FAILED'}",
                flush=True,
            )
    finally:
        shutil.rmtree(out_dir, ignore_errors=True)
    for r, s in reuse.items():
        if r not in rows:
            rows[r] = {
                "notebook": r,
                "seconds": s,
                "cpu_seconds": s,
                "gpu_seconds": 0.0,
                "gpu_cells": _gpu_cell_count(root / r),  # skipped in the build: reused only without CUDA
                "gpu_ran": False,
                "peak_mib": None,
                "ok": True,
                "budget_s": budget_for(r),
                "slowest_cells": [],
                "measured": "cold book build",
                "error": "",
            }
    ordered = [rows[r] for r in rels if r in rows]
    return {"rows": ordered, "total_s": sum(r["seconds"] for r in ordered)}


def copy_sources(root: Path, dest: Path) -> None:
    """The files of the repository at ``root`` as git sees them (tracked and untracked, not ignored), plus
    the vendored JavaScript; a folder that is not a git repository is copied whole."""
    try:
        files = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
    except subprocess.CalledProcessError:
        shutil.copytree(root, dest, dirs_exist_ok=True)
        return
    for f in files:
        if (root / f).is_file():
            (dest / f).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root / f, dest / f)
    if (root / "book" / "_vendor").exists() and not (dest / "book" / "_vendor").exists():
        shutil.copytree(root / "book" / "_vendor", dest / "book" / "_vendor")


def chapter_times(build_root: Path) -> dict[str, float]:
    """Each notebook's execution time recorded by jupyter-cache during a build of ``build_root``."""
    from jupyter_cache import get_cache

    cache_dir = build_root / "_build" / ".jupyter_cache"
    if not cache_dir.exists():
        return {}
    base = build_root.resolve()
    out = {}
    for rec in get_cache(cache_dir).list_cache_records():
        path = Path(rec.uri).resolve()
        if path.is_relative_to(base) and "execution_seconds" in (rec.data or {}):
            out[path.relative_to(base).as_posix()] = float(rec.data["execution_seconds"])
    return out


def bench_book(root: Path = ROOT) -> dict:
    """A cold build of a copy of ``root`` as `make book` runs it (fresh execution cache: the notebooks
    executed two at a time by ``nnbook.notebooks prefill``, then `jupyter-book build`), then an unchanged
    rebuild. The chapters' times come from that build, where two notebooks share the two cores."""
    tmp = Path(tempfile.mkdtemp(prefix="nnbook-bench-book-"))
    try:
        copy_sources(root, tmp)
        jb = str(Path(sys.executable).parent / "jupyter-book")
        prefill = [sys.executable, "-m", "nnbook.notebooks", "prefill", str(tmp), "2"]
        cmd = [jb, "build", str(tmp), "--warningiserror", "--keep-going"]
        filled = run_measured(prefill, cwd=tmp)
        cold = run_measured(cmd, cwd=tmp)
        chapters = chapter_times(tmp)
        warm = run_measured(cmd, cwd=tmp)
        cold_s = filled.seconds + cold.seconds
        print(f"  cold build {cold_s:.0f} s (prefill {filled.seconds:.0f} s), rebuild {warm.seconds:.1f} s", flush=True)
        return {
            "cold_s": cold_s,
            "prefill_s": filled.seconds,
            "cold_ok": cold.returncode == 0,
            "cold_peak_mib": max(filled.peak_mib, cold.peak_mib),
            "rebuild_s": warm.seconds,
            "rebuild_ok": warm.returncode == 0,
            "chapters": chapters,
            "error": "" if cold.returncode == 0 else (cold.stdout + cold.stderr)[-1500:],
        }
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def bench_claims(seeds, names: list[str] | None = None, jobs: int = 2) -> dict:
    """Every claim (or those whose name contains one of ``names``) over ``seeds``, ``jobs`` tasks at a time."""
    from benchmarks.claims import CLAIMS, measure_claims

    chosen = [c for c in CLAIMS if not names or any(n.lower() in c.name.lower() for n in names)]
    if not chosen:
        raise ValueError(f"no claim matches {names}; the claims are {[c.name for c in CLAIMS]}")
    rows = measure_claims(chosen, seeds, jobs=jobs)
    for row in rows:
        print(f"  {row['claim']}: {row.get('mean', row.get('error'))}", flush=True)
    return {"rows": rows, "jobs": jobs}


def bench_speed() -> dict:
    from benchmarks.speed import PAIRS, measure_pair

    rows = [measure_pair(p) for p in PAIRS]
    for r in rows:
        print(f"  {r['pair']}: ratio {r.get('ratio', r.get('error'))}", flush=True)
    return {"rows": rows}


def bench_grading(n: int = 30, with_nbgrader: bool = True) -> dict:
    from benchmarks.grading import bench_grading as run

    out = run(n, with_nbgrader=with_nbgrader)
    print(f"  nnbook grade: {out['nnbook']['per_submission']:.2f} s per submission", flush=True)
    return out


def misses(results: dict) -> list[str]:
    """Every budget or target that was missed, in words."""
    out = []
    nb = results.get("notebooks")
    if nb:
        for r in nb["rows"]:
            seconds = r.get("cpu_seconds", r["seconds"])
            if not r["ok"]:
                out.append(f"notebook {r['notebook']} failed to execute")
            elif seconds > r["budget_s"]:
                out.append(f"notebook {r['notebook']} took {seconds:.0f} s (budget {r['budget_s']:.0f} s)")
    book = results.get("book")
    if book:
        if not book["cold_ok"]:
            out.append("the cold book build failed")
        if book["cold_s"] > BOOK_COLD_BUDGET_S:
            out.append(f"cold book build took {book['cold_s']:.0f} s (budget {BOOK_COLD_BUDGET_S:.0f} s)")
        if not book.get("rebuild_ok", True):
            out.append("the unchanged rebuild failed")
        if book["rebuild_s"] > REBUILD_BUDGET_S:
            out.append(f"unchanged rebuild took {book['rebuild_s']:.0f} s (budget {REBUILD_BUDGET_S:.0f} s)")
    for r in results.get("claims", {}).get("rows", []):
        if "error" in r:
            out.append(f"claim '{r['claim']}' could not be measured: {r['error']}")
        elif not r["met"]:
            out.append(f"claim '{r['claim']}': mean {100 * r['mean']:.2f} % below its target {100 * r['target']:.1f} %")
    for r in results.get("speed", {}).get("rows", []):
        if "error" in r:
            out.append(f"speed '{r['pair']}' could not be measured: {r['error']}")
        elif not r["met"]:
            out.append(
                f"speed '{r['pair']}': NumPy/PyTorch {r['ratio']:.1f}x (target {r['target_ratio']:.0f}x), "
                f"gradient difference {r['max_grad_diff']:.1e}"
            )
    g = results.get("grading")
    if g:
        if not g["nnbook"]["ok"]:
            out.append("nnbook grade failed on the benchmark class")
        elif g["nnbook"].get("graded") != g["submissions"]:
            out.append(f"nnbook grade graded {g['nnbook'].get('graded')} of {g['submissions']} submissions")
        if "nbgrader" in g and (not g["nbgrader"]["ok"] or g["nbgrader"]["graded"] != g["submissions"]):
            out.append(
                f"nbgrader autograde graded {g['nbgrader']['graded']} of {g['submissions']} submissions: no comparison"
            )
    if results.get("suite_s", 0) > SUITE_BUDGET_S:
        out.append(f"the suite took {results['suite_s']:.0f} s (budget {SUITE_BUDGET_S:.0f} s)")
    return out


def _section_times(results: dict) -> str:
    times = results.get("section_s", {})
    dates = results.get("section_dates", {})
    parts = [f"{s} {times[s] / 60:.1f} min ({dates.get(s, results['date'])})" for s in SECTIONS if s in times]
    return f"Each section: {', '.join(parts)}. " if parts else ""


def _first_line(cell: dict) -> str:
    line = cell.get("first_line", "").strip().replace("|", "\\|").replace("`", "'")
    return f" `{line[:40]}`" if line else ""


def _mib(x) -> str:
    return "–" if x is None else f"{x:.0f}"


def report(results: dict) -> str:
    """results.md: one table per section."""
    sections = [s for s in SECTIONS if s in results]
    L = [
        "# Benchmark results",
        "",
        f"Measured {results['date']} on {results['machine']} by `python -m benchmarks.run` "
        f"(sections: {', '.join(sections)}; {results['suite_s'] / 60:.1f} min; CUDA {'present' if results.get('cuda') else 'absent'}). "
        + _section_times(results)
        + "A shared machine: expect tens of per cent of noise in every time.",
        "",
    ]
    miss = results["misses"]
    L += ["**All budgets and targets met.**" if not miss else "**Misses:**", ""] + [f"- {m}" for m in miss] + [""]
    if "book" in results:
        b = results["book"]
        L += [
            "## The HTML book",
            "",
            f"- cold build (fresh execution cache): {b['cold_s']:.0f} s (budget {BOOK_COLD_BUDGET_S:.0f} s), "
            f"{'succeeded' if b['cold_ok'] else 'FAILED'}; peak memory {b['cold_peak_mib']:.0f} MiB",
            f"- unchanged rebuild: {b['rebuild_s']:.1f} s (budget {REBUILD_BUDGET_S:.0f} s), "
            f"{'succeeded' if b.get('rebuild_ok', True) else 'FAILED'}",
        ]
        if results.get("cuda"):
            L.append(
                "- CUDA was present: the cold build also ran the GPU-only cells, which the CPU budget does not include"
            )
        L.append("")
    if "notebooks" in results:
        nb = results["notebooks"]
        L += [
            "## Notebook execution",
            "",
            "Each notebook in a fresh kernel, one BLAS thread. *measured*: `alone` (executed by itself, with cell "
            "times and peak memory) or `cold book build` (its execution time in the book section's build).",
            "",
            "| notebook | seconds | budget | measured | peak MiB | slowest cells (index: s) |",
            "|---|---:|---:|---|---:|---|",
        ]
        for r in nb["rows"]:
            cells = ", ".join(f"#{c['index']}: {c['seconds']:.1f}{_first_line(c)}" for c in r["slowest_cells"])
            secs = f"{r['seconds']:.1f}" + ("" if r["ok"] else " (failed)")
            if "build_seconds" in r:
                secs += f" (build {r['build_seconds']:.1f})"
            L.append(
                f"| `{r['notebook']}` | {secs} | {r['budget_s']:.0f} | {r['measured']} | {_mib(r['peak_mib'])} | {cells} |"
            )
        ok_rows = [r for r in nb["rows"] if r["ok"]] or nb["rows"]
        slowest = max(ok_rows, key=lambda r: r["seconds"])
        L += [
            "",
            f"All {len(nb['rows'])} notebooks: {nb['total_s']:.0f} s "
            f"(book: {sum(r['seconds'] for r in nb['rows'] if r['notebook'].startswith('book/')):.0f} s, "
            f"exercise masters: {sum(r['seconds'] for r in nb['rows'] if r['notebook'].startswith('exercises/')):.0f} s). "
            f"Slowest: `{slowest['notebook']}`, {slowest['seconds']:.1f} s, "
            f"peak memory {_mib(slowest['peak_mib'])} MiB (kernel included).",
            "",
        ]
        gpu = [r for r in nb["rows"] if r["gpu_cells"]]
        if gpu:
            L += ["GPU-only cells (tagged `gpu`, skipped without CUDA and not counted against the CPU budget):", ""]
            for r in gpu:
                what = f"ran on CUDA in {r['gpu_seconds']:.1f} s" if r["gpu_ran"] else "skipped (no CUDA)"
                L.append(f"- `{r['notebook']}`: {r['gpu_cells']} cell(s), {what}")
            L.append("")
    if "claims" in results:
        L += [
            "## Headline accuracies (test split, mean over seeds)",
            "",
            f"Each claim calls the package function its chapter calls (`calls` in benchmarks/claims.py). Computed "
            f"{results['claims'].get('jobs', 1)} (chapter, seed) task(s) at a time, each seeded and single-threaded: "
            "side by side changes no accuracy.",
            "",
            "| claim | chapter | mean | spread (sd) | per seed | target | |",
            "|---|---|---:|---:|---|---:|---|",
        ]
        for r in results["claims"]["rows"]:
            if "error" in r:
                L.append(
                    f"| {r['claim']} | {r['chapter']} | – | – | {r['error'][:80]} | {100 * r['target']:.1f} % | missing |"
                )
            else:
                per = ", ".join(f"{100 * a:.1f}" for a in r["accuracies"])
                L.append(
                    f"| {r['claim']} | {r['chapter']} | {100 * r['mean']:.2f} % | {100 * r['std']:.2f} | {per} | "
                    f"{100 * r['target']:.1f} % | {'met' if r['met'] else 'MISSED'} |"
                )
        L.append("")
    if "speed" in results:
        L += [
            "## From scratch (NumPy) against PyTorch, float64, one thread",
            "",
            "| work | NumPy ms | PyTorch ms | ratio | target | max gradient difference |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for r in results["speed"]["rows"]:
            if "error" in r:
                L.append(f"| {r['pair']} | – | – | – | – | {r['error'][:80]} |")
            else:
                L.append(
                    f"| {r['pair']} | {r['numpy_ms']:.3f} | {r['torch_ms']:.3f} | {r['ratio']:.2f} | ≤ {r['target_ratio']:.0f} | {r['max_grad_diff']:.1e} |"
                )
        L.append("")
    if "grading" in results:
        g = results["grading"]
        L += [
            f"## Grading {g['submissions']} chapter-1 submissions",
            "",
            "| grader | seconds | per submission | peak MiB |",
            "|---|---:|---:|---:|",
            f"| `nnbook grade` (2 workers, sandboxed kernels) | {g['nnbook']['seconds']:.1f} | {g['nnbook']['per_submission']:.2f} | {g['nnbook']['peak_mib']:.0f} |",
        ]
        if "nbgrader" in g:
            from benchmarks.nbgrader_compare import NBGRADER_VERSION

            n = g["nbgrader"]
            L += [
                f"| nbgrader {NBGRADER_VERSION} `autograde` (sequential) | "
                f"{n['seconds']:.1f} | {n['per_submission']:.2f} | {n['peak_mib']:.0f} |",
                "",
                f"nnbook / nbgrader time ratio: {g['ratio_nnbook_over_nbgrader']:.2f}. nbgrader graded {n['graded']} submissions "
                "from the same answers, converted to its format by `benchmarks/nbgrader_compare.py`.",
            ]
        L.append("")
    if "notebooks" in results or "grading" in results or "book" in results:
        L += ["## How peak memory is measured", "", PEAK_MEMORY_METHOD, ""]
    return "\n".join(L)


ROW_KEYS = {"notebooks": "notebook", "claims": "claim", "speed": "pair"}
"""The field that names a row of each section with rows (what --merge matches rows by)."""


def merge(previous: dict, new: dict) -> dict:
    """``new`` with the sections of ``previous`` that it did not run (their results, times, dates and
    failures kept), so that sections run one at a time add up to one results file; in a section both
    ran, the new rows replace the previous rows of the same name and the others are kept."""
    merged = {**new, "section_s": dict(new["section_s"]), "section_dates": dict(new["section_dates"])}
    for s, key in ROW_KEYS.items():  # a section run for some rows only (--claims, --notebooks) keeps the others
        if s in new and s in previous and "rows" in new[s] and "rows" in previous[s]:
            fresh = {r[key]: r for r in new[s]["rows"]}
            rows = [fresh.pop(r[key], r) for r in previous[s]["rows"]] + list(fresh.values())
            merged[s] = {**previous[s], **new[s], "rows": rows}
    errors = dict(new.get("errors", {}))
    kept = [s for s in previous.get("sections", []) if s in SECTIONS and s not in new["sections"]]
    for s in kept:
        if s in previous:
            merged[s] = previous[s]
        if s in previous.get("errors", {}):
            errors[s] = previous["errors"][s]
        merged["section_s"][s] = previous.get("section_s", {}).get(s, 0.0)
        merged["section_dates"][s] = previous.get("section_dates", {}).get(s, previous.get("date", "?"))
    if errors:
        merged["errors"] = errors
    merged["sections"] = [s for s in SECTIONS if s in new["sections"] or s in kept]
    merged["suite_s"] = sum(merged["section_s"].values())
    return merged


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--section",
        "--only",
        dest="sections",
        action="append",
        help=f"a section, or several separated by commas, from {SECTIONS}; repeatable (default: all)",
    )
    ap.add_argument("--notebooks", nargs="+", metavar="GLOB", help="notebooks section: only these (e.g. 'book/ch01*')")
    ap.add_argument("--claims", nargs="+", metavar="NAME", help="claims section: only claims whose name contains one")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument(
        "--jobs",
        type=int,
        default=2,
        help="claims section: tasks side by side (accuracies only; default 2, one per core)",
    )
    ap.add_argument("--submissions", type=int, default=30, help="grading section: class size (default 30)")
    ap.add_argument("--no-nbgrader", action="store_true", help="grading section: skip the nbgrader comparison")
    ap.add_argument("--out", default=str(ROOT / "benchmarks"), help="folder for results.md and results.json")
    ap.add_argument(
        "--merge",
        action="store_true",
        help="keep the other sections of an earlier results.json in --out (sections run one at a time)",
    )
    args = ap.parse_args(argv)
    asked = [s for arg in (args.sections or [",".join(SECTIONS)]) for s in arg.split(",") if s]
    unknown = sorted(set(asked) - set(SECTIONS))
    if unknown:
        ap.error(f"unknown section(s) {unknown}; choose from {SECTIONS}")
    sections = [s for s in SECTIONS if s in asked]
    try:
        notebooks = select_notebooks(ROOT, args.notebooks) if "notebooks" in sections else []
        if "claims" in sections and args.claims:
            from benchmarks.claims import CLAIMS

            if not any(n.lower() in c.name.lower() for c in CLAIMS for n in args.claims):
                raise ValueError(f"no claim matches {args.claims}; the claims are {[c.name for c in CLAIMS]}")
    except ValueError as exc:
        ap.error(str(exc))
    # as `make bench` (the Makefile exports these): one BLAS/OpenMP thread in every child process
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("MKL_NUM_THREADS", "1")
    from nnbook.runtime import has_cuda

    if {"book", "notebooks"} & set(sections):
        try:
            check_kernel()
        except RuntimeError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    t0 = time.perf_counter()
    results: dict = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "sections": sections,
        "cuda": bool(has_cuda()),
        "section_s": {},
        "section_dates": {},
    }
    runners = {
        "book": lambda: bench_book(ROOT),
        "notebooks": lambda: bench_notebooks(
            notebooks, from_build=results.get("book", {}).get("chapters"), cuda=results["cuda"]
        ),
        "claims": lambda: bench_claims(args.seeds, args.claims, args.jobs),
        "speed": bench_speed,
        "grading": lambda: bench_grading(args.submissions, not args.no_nbgrader),
    }
    for name in sections:
        print(f"[{name}]", flush=True)
        t = time.perf_counter()
        try:
            results[name] = runners[name]()
        except Exception as exc:  # noqa: BLE001 - one broken section is a miss, not the end of the run
            results.setdefault("errors", {})[name] = f"{type(exc).__name__}: {exc}"
            print(f"  section {name} failed: {exc}", flush=True)
        results["section_s"][name] = time.perf_counter() - t
        results["section_dates"][name] = time.strftime("%Y-%m-%d %H:%M")
    results["suite_s"] = time.perf_counter() - t0
    out = Path(args.out)
    if args.merge and (out / "results.json").exists():
        results = merge(json.loads((out / "results.json").read_text()), results)
    results["misses"] = [f"section {k} failed: {v}" for k, v in results.get("errors", {}).items()] + misses(results)
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=1, default=float) + "\n")
    (out / "results.md").write_text(report(results) + "\n")
    print(f"wrote {out / 'results.md'}")
    for m in results["misses"]:
        print(f"MISS: {m}")
    return 1 if results["misses"] else 0


if __name__ == "__main__":
    sys.exit(main())
