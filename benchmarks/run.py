"""`make bench`: the book's execution budget, its accuracy claims, its from-scratch speed and its grader.

    .venv/bin/python -m benchmarks.run [--only notebooks,book,claims,speed,grading] [--seeds 0 1 2]

Writes benchmarks/results.json and benchmarks/results.md and exits non-zero, naming each miss, when a
budget or a target is missed. Nothing here is a test: the numbers depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.measure import ROOT, execute_notebook, run_measured

SECTIONS = ("notebooks", "book", "claims", "speed", "grading")
CHAPTER_BUDGET_S = 60.0
SLOW_CHAPTER_BUDGET_S = 90.0  # the RBM/DBN and GAN chapters
SLOW_CHAPTERS = ("ch11_", "ch12_")
BOOK_COLD_BUDGET_S = 8 * 60.0
REBUILD_BUDGET_S = 30.0
SUITE_BUDGET_S = 20 * 60.0


def budget_for(rel: str) -> float:
    return SLOW_CHAPTER_BUDGET_S if any(f"/{p}" in f"/{rel}" for p in SLOW_CHAPTERS) else CHAPTER_BUDGET_S


def bench_notebooks() -> dict:
    """Execute every notebook of book/ and exercises/ (masters and student versions) in a fresh kernel."""
    from nnbook.notebooks import export, find_notebooks

    out_dir = Path(tempfile.mkdtemp(prefix="nnbook-bench-nb-"))
    try:
        export(find_notebooks(ROOT), out_dir)
        rows = []
        for ipynb in sorted(out_dir.rglob("*.ipynb")):
            rel = ipynb.relative_to(out_dir).as_posix()
            run = execute_notebook(ipynb, ipynb.parent)
            cells = sorted(run.data.get("cells", []), key=lambda c: -c["seconds"])[:3]
            rows.append(
                {
                    "notebook": rel,
                    "seconds": run.seconds,
                    "peak_mib": run.peak_mib,
                    "ok": run.returncode == 0,
                    "budget_s": budget_for(rel),
                    "slowest_cells": cells,
                    "error": "" if run.returncode == 0 else run.stderr[-500:],
                }
            )
            print(f"  {rel}: {run.seconds:.1f} s, peak {run.peak_mib:.0f} MiB", flush=True)
        return {"rows": rows, "total_s": sum(r["seconds"] for r in rows)}
    finally:
        shutil.rmtree(out_dir, ignore_errors=True)


def bench_book() -> dict:
    """A cold `jupyter-book build` of a copy of the repository, then an unchanged rebuild."""
    tmp = Path(tempfile.mkdtemp(prefix="nnbook-bench-book-"))
    try:
        files = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        for f in files:
            if (ROOT / f).is_file():
                (tmp / f).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(ROOT / f, tmp / f)
        if (ROOT / "book" / "_vendor").exists():
            shutil.copytree(ROOT / "book" / "_vendor", tmp / "book" / "_vendor")
        jb = str(Path(sys.executable).parent / "jupyter-book")
        cmd = [jb, "build", str(tmp), "--warningiserror", "--keep-going"]
        cold = run_measured(cmd, cwd=tmp)
        warm = run_measured(cmd, cwd=tmp)
        return {
            "cold_s": cold.seconds,
            "cold_ok": cold.returncode == 0,
            "cold_peak_mib": cold.peak_mib,
            "rebuild_s": warm.seconds,
            "rebuild_ok": warm.returncode == 0,
            "error": "" if cold.returncode == 0 else (cold.stdout + cold.stderr)[-1500:],
        }
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def bench_claims(seeds) -> dict:
    from benchmarks.claims import CLAIMS, measure_claim

    rows = []
    for claim in CLAIMS:
        t0 = time.perf_counter()
        row = measure_claim(claim, seeds)
        row["seconds"] = time.perf_counter() - t0
        rows.append(row)
        print(f"  {claim.name}: {row.get('mean', row.get('error'))}", flush=True)
    return {"rows": rows}


def bench_speed() -> dict:
    from benchmarks.speed import PAIRS, measure_pair

    rows = [measure_pair(p) for p in PAIRS]
    for r in rows:
        print(f"  {r['pair']}: ratio {r.get('ratio', r.get('error'))}", flush=True)
    return {"rows": rows}


def bench_grading() -> dict:
    from benchmarks.grading import bench_grading as run

    return run(30, with_nbgrader=True)


def misses(results: dict) -> list[str]:
    """Every budget or target that was missed, in words."""
    out = []
    nb = results.get("notebooks")
    if nb:
        for r in nb["rows"]:
            if not r["ok"]:
                out.append(f"notebook {r['notebook']} failed to execute")
            elif r["seconds"] > r["budget_s"] and "/student/" not in f"/{r['notebook']}":
                out.append(f"notebook {r['notebook']} took {r['seconds']:.0f} s (budget {r['budget_s']:.0f} s)")
    book = results.get("book")
    if book:
        if not book["cold_ok"]:
            out.append("the cold book build failed")
        if book["cold_s"] > BOOK_COLD_BUDGET_S:
            out.append(f"cold book build took {book['cold_s']:.0f} s (budget {BOOK_COLD_BUDGET_S:.0f} s)")
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
    if g and not g["nnbook"]["ok"]:
        out.append("nnbook grade failed on the benchmark class")
    if results.get("suite_s", 0) > SUITE_BUDGET_S:
        out.append(f"the suite took {results['suite_s']:.0f} s (budget {SUITE_BUDGET_S:.0f} s)")
    return out


def report(results: dict) -> str:
    """results.md: one table per section."""
    L = [
        "# Benchmark results",
        "",
        f"Measured {results['date']} on {results['machine']} by `make bench` "
        f"({results['suite_s'] / 60:.1f} min). A shared machine: expect tens of per cent of noise in every time.",
        "",
    ]
    miss = results["misses"]
    L += ["**All budgets and targets met.**" if not miss else "**Misses:**", ""] + [f"- {m}" for m in miss] + [""]
    if "notebooks" in results:
        nb = results["notebooks"]
        L += [
            "## Notebook execution",
            "",
            "| notebook | seconds | budget | peak MiB | slowest cells (s) |",
            "|---|---:|---:|---:|---|",
        ]
        for r in nb["rows"]:
            cells = ", ".join(f"#{c['index']} {c['seconds']:.1f}" for c in r["slowest_cells"])
            L.append(
                f"| `{r['notebook']}` | {r['seconds']:.1f}{'' if r['ok'] else ' (failed)'} | {r['budget_s']:.0f} | {r['peak_mib']:.0f} | {cells} |"
            )
        slowest = max(nb["rows"], key=lambda r: r["seconds"])
        L += [
            "",
            f"All notebooks: {nb['total_s']:.0f} s. Slowest: `{slowest['notebook']}`, {slowest['seconds']:.1f} s, "
            f"peak memory {slowest['peak_mib']:.0f} MiB (kernel included).",
            "",
        ]
    if "book" in results:
        b = results["book"]
        L += [
            "## The HTML book",
            "",
            f"- cold build (fresh execution cache): {b['cold_s']:.0f} s (budget {BOOK_COLD_BUDGET_S:.0f} s), "
            f"{'succeeded' if b['cold_ok'] else 'FAILED'}; peak memory {b['cold_peak_mib']:.0f} MiB",
            f"- unchanged rebuild: {b['rebuild_s']:.1f} s (budget {REBUILD_BUDGET_S:.0f} s)",
            "",
        ]
    if "claims" in results:
        L += [
            "## Headline accuracies (test split, mean over seeds)",
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
            "## Grading 30 chapter-1 submissions",
            "",
            "| grader | seconds | per submission | peak MiB |",
            "|---|---:|---:|---:|",
            f"| `nnbook grade` (2 workers, sandboxed kernels) | {g['nnbook']['seconds']:.1f} | {g['nnbook']['per_submission']:.2f} | {g['nnbook']['peak_mib']:.0f} |",
        ]
        if "nbgrader" in g:
            n = g["nbgrader"]
            L += [
                f"| nbgrader {__import__('benchmarks.nbgrader_compare', fromlist=['x']).NBGRADER_VERSION} `autograde` (sequential) | "
                f"{n['seconds']:.1f} | {n['per_submission']:.2f} | {n['peak_mib']:.0f} |",
                "",
                f"nnbook / nbgrader time ratio: {g['ratio_nnbook_over_nbgrader']:.2f}. nbgrader graded {n['graded']} submissions "
                "from the same answers, converted to its format by `benchmarks/nbgrader_compare.py`.",
            ]
        L.append("")
    return "\n".join(L)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", default=",".join(SECTIONS), help=f"comma-separated sections from {SECTIONS}")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--out", default=str(ROOT / "benchmarks"))
    args = ap.parse_args(argv)
    sections = [s for s in args.only.split(",") if s]
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        ap.error(f"unknown section(s) {sorted(unknown)}; choose from {SECTIONS}")
    t0 = time.perf_counter()
    results: dict = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "sections": sections,
    }
    try:
        import torch

        results["cuda"] = bool(torch.cuda.is_available())
    except ImportError:
        results["cuda"] = False
    for name in sections:
        print(f"[{name}]", flush=True)
        results[name] = {
            "notebooks": bench_notebooks,
            "book": bench_book,
            "claims": lambda: bench_claims(args.seeds),
            "speed": bench_speed,
            "grading": bench_grading,
        }[name]()
    results["suite_s"] = time.perf_counter() - t0
    results["misses"] = misses(results)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=1, default=float) + "\n")
    (out / "results.md").write_text(report(results) + "\n")
    print(f"wrote {out / 'results.md'}")
    for m in results["misses"]:
        print(f"MISS: {m}")
    return 1 if results["misses"] else 0


if __name__ == "__main__":
    sys.exit(main())
