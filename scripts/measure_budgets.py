"""Measure the book's time budgets and write them to docs/budgets.md.

Usage: .venv/bin/python scripts/measure_budgets.py [--rebuild]

Times the execution of every notebook of book/ and exercises/ (each in a fresh kernel, as nbval
and the book build run them) and, with --rebuild, an unchanged `jupyter-book build` (run
`make book` once before, so the execution cache is warm). Numbers depend on the machine and
its load; they are reported, never asserted in tests.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from nbclient import NotebookClient

from nnbook.notebooks import ROOT, find_notebooks, read


def time_notebook(path: Path) -> float:
    nb = read(path)
    client = NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    return time.perf_counter() - start


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rebuild", action="store_true", help="also time an unchanged `jupyter-book build`")
    ap.add_argument("--out", default=str(ROOT / "docs" / "budgets.md"))
    args = ap.parse_args()
    rows = []
    for path in find_notebooks(ROOT):
        seconds = time_notebook(path)
        rel = path.relative_to(ROOT).as_posix()
        rows.append((rel, seconds))
        print(f"{rel}: {seconds:.1f} s", flush=True)
    lines = [
        "# Measured budgets",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPU cores, Python {platform.python_version()}; "
        "measured with `scripts/measure_budgets.py` (a shared machine: expect noise of tens of per cent).",
        "",
        "| notebook | execution time (s) | budget |",
        "|---|---:|---|",
    ]
    lines += [f"| `{rel}` | {s:.1f} | {'ok' if s < 60 else 'OVER 60 s'} |" for rel, s in rows]
    total = sum(s for _, s in rows)
    lines += ["", f"All {len(rows)} notebooks together: {total:.0f} s of execution."]
    if args.rebuild:
        jb = Path(sys.executable).parent / "jupyter-book"
        start = time.perf_counter()
        res = subprocess.run(
            [str(jb), "build", str(ROOT), "--warningiserror", "--keep-going"], capture_output=True, text=True
        )
        dt = time.perf_counter() - start
        status = "succeeded" if res.returncode == 0 else f"FAILED (exit {res.returncode})"
        lines += ["", f"Unchanged `make book` rebuild (execution cache warm): {dt:.0f} s, build {status}."]
        print(f"rebuild: {dt:.1f} s ({status})")
    Path(args.out).write_text("\n".join(lines) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
