"""The ``nnbook`` command: information about the set-up, notebook export, and (with
``nnbook.grading``) releasing and grading exercises. ``nnbook --help`` lists the commands."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _info(args: argparse.Namespace) -> int:
    import platform

    import numpy as np
    import torch

    from nnbook import __version__
    from nnbook.runtime import device

    print(f"nnbook {__version__}")
    print(f"python {platform.python_version()}, numpy {np.__version__}, torch {torch.__version__}")
    print(f"device: {device()} (CUDA available: {torch.cuda.is_available()})")
    return 0


def _export(args: argparse.Namespace) -> int:
    from nnbook.notebooks import ROOT, export, find_notebooks

    sources = [Path(p) for p in args.notebooks] or find_notebooks(ROOT)
    missing = [str(p) for p in sources if not p.is_file()]
    if missing:
        print(f"error: no such notebook file(s): {', '.join(missing)}", file=sys.stderr)
        return 2
    manifest = export([p.resolve() for p in sources], Path(args.out).resolve())
    gpu = sum(n["gpu_cells"] for n in manifest["notebooks"].values())
    print(f"wrote {len(manifest['notebooks'])} notebooks to {args.out} ({gpu} GPU cell(s))")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nnbook",
        description="Companion tool of the nnbook neural-networks textbook.",
        epilog="Run 'nnbook COMMAND --help' for the options of one command.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("info", help="show versions and the compute device in use")
    p.set_defaults(func=_info)

    p = sub.add_parser("export", help="convert the book's text notebooks (MyST Markdown) to .ipynb")
    p.add_argument("out", help="output folder for the .ipynb files")
    p.add_argument("notebooks", nargs="*", help="text notebooks to convert (default: all of book/ and exercises/)")
    p.set_defaults(func=_export)

    # grading's commands are part of the tool: a broken import must fail loudly, not hide them
    from nnbook.grading.cli import add_commands

    add_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    return int(args.func(args) or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
