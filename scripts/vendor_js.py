"""Fetch the book's pinned JavaScript from the npm registry and unpack it for the HTML build.

Usage: python scripts/vendor_js.py [--dest book/_vendor]
Uses only the standard library and the machine's ``npm`` (``npm pack``: one tarball, no
dependencies, no install scripts). Each tarball's sha512 must match js/vendor.json.
"""

from __future__ import annotations

import argparse
import base64
import fnmatch
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def integrity(path: Path) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dest", default=str(ROOT / "book/_vendor"))
    args = ap.parse_args()
    spec = json.loads((ROOT / "js/vendor.json").read_text())
    dest = Path(args.dest)
    if shutil.which("npm") is None:
        print(
            "error: 'npm' is needed to fetch the book's JavaScript (MathJax comes from PyPI); install Node.js and npm",
            file=sys.stderr,
        )
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        for pkg in spec["packages"]:
            ref = f"{pkg['name']}@{pkg['version']}"
            out = subprocess.run(
                ["npm", "pack", ref, "--json", "--pack-destination", tmp], capture_output=True, text=True
            )
            if out.returncode != 0:
                print(f"error: 'npm pack {ref}' failed:\n{out.stderr}", file=sys.stderr)
                return 1
            tarball = Path(tmp) / json.loads(out.stdout)[0]["filename"]
            got = integrity(tarball)
            if got != pkg["integrity"]:
                print(
                    f"error: {ref} has integrity {got}, expected {pkg['integrity']} (js/vendor.json)", file=sys.stderr
                )
                return 1
            with tarfile.open(tarball) as tar:
                for member in tar.getmembers():
                    for pattern, target in pkg["files"].items():
                        if member.isfile() and fnmatch.fnmatch(member.name, pattern):
                            base = ROOT / pkg["root"] if "root" in pkg else dest
                            to = base / target / Path(member.name).name if target.endswith("/") else base / target
                            to.parent.mkdir(parents=True, exist_ok=True)
                            to.write_bytes(tar.extractfile(member).read())
            print(f"vendored {ref}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
