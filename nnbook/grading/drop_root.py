"""Run a program as an unprivileged user: ``python -I drop_root.py UID GID PROGRAM [ARGS...]``.

Used between the two bubblewrap layers of a root grader (see nnbook.grading.isolation): Linux
exempts a process whose real uid is 0 from the process limit (RLIMIT_NPROC), also inside a user
namespace that maps it, so the kernel must really run as another user. Run as a file with ``-I``,
so nothing but the standard library is imported while the process still has the right to switch.
"""

from __future__ import annotations

import os
import sys


def drop_to(uid: int, gid: int) -> None:
    """Give up root for good: no supplementary groups, then the group, then the user."""
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    if 0 in os.getresuid() or 0 in os.getresgid():
        raise SystemExit(f"drop_root: still root after switching to uid {uid}, gid {gid}")


def main(argv: list[str]) -> None:
    if len(argv) < 3:
        raise SystemExit("usage: python -I drop_root.py UID GID PROGRAM [ARGS...]")
    drop_to(int(argv[0]), int(argv[1]))
    os.execv(argv[2], argv[2:])


if __name__ == "__main__":
    main(sys.argv[1:])
