"""Safety and fairness of `nnbook grade`: one class of crafted submissions graded against the toy
master in tests/grading_fixtures, one check per item of issue 6's list."""

import csv
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "grading_fixtures"))
from helpers import CORRECT, SCALE_OK, TOY, other_chapter, reference_nb, student_nb, submission, write  # noqa: E402

from nnbook.grading.gradebook import grade_all  # noqa: E402
from nnbook.grading.kernel import Limits  # noqa: E402

LIMITS = Limits(cell=4, call=4, submission=90, memory_mb=2048)
FULL = {"q1": 2.0, "q2": 1.0, "q3": 3.0}

WRONG = {
    "def scale": "def scale(x, a):\n    return np.asarray(x, dtype=float) + a",
    "answer_q2 =": "answer_q2 = 5.0",
    "def row_means": "def row_means(m):\n    return np.zeros(len(m)), 0",
}

SNOOP = r"""
import glob, os, sys, pathlib
found = []
def look(p):
    try:
        text = pathlib.Path(p).read_text(errors="ignore")
    except Exception:
        return
    if "BEGIN " + "SOLUTION" in text or "hidden_" + "test(" in text:
        found.append(str(p))
candidates = ["ch99_toy.md", "../ch99_toy.md", "/proc/self/cmdline", f"/proc/{os.getppid()}/cmdline",
              f"/proc/{os.getppid()}/environ", "/proc/self/environ"]
for up in range(1, 8):
    candidates += ["../" * up + "tests/grading_fixtures/ch99_toy.md", "../" * up + "exercises/ch99_toy.md"]
try:
    import nnbook
    root = pathlib.Path(nnbook.__file__).resolve().parents[1]
    candidates += [root / "tests" / "grading_fixtures" / "ch99_toy.md", *root.glob("**/*.md")]
except Exception:
    pass
for pattern in ("/**/ch99*", "/work/**/*.md", "/tmp/**/*.md", os.path.expanduser("~/**/*.md")):
    try:
        candidates += glob.glob(pattern, recursive=True)[:200]
    except Exception:
        pass
for top in ("/", "/work", "/tmp", ".."):
    try:
        for d, _, files in os.walk(top):
            candidates += [os.path.join(d, f) for f in files if f.endswith((".md", ".ipynb", ".csv", ".json"))][:50]
    except Exception:
        pass
for p in candidates:
    look(p)
for v in list(os.environ.values()) + sys.argv:
    if "ch99_toy" in v or "grading_fixtures" in v:
        found.append(v)
"""
SNOOP_SCALE = "def scale(x, a):\n    return np.asarray(x, dtype=float) * a if found else np.zeros(np.shape(x))"

TAMPER = r"""
import numpy as np
import nnbook.grading as g, nnbook.grading.checks as gc, nnbook.grading.compare as gcmp
def check(qid): print(qid + ": all public tests passed")
def public_test(*a, **k): return lambda f: f
def hidden_test(*a, **k): pass
def assert_close(*a, **k): pass
g.check = gc.check = check; g.assert_close = gc.assert_close = assert_close
g.hidden_test = gc.hidden_test = hidden_test; g.public_test = gc.public_test = public_test
gcmp.compare = lambda *a, **k: None
np.allclose = lambda *a, **k: True
np.isclose = lambda *a, **k: True
np.array_equal = lambda *a, **k: True
np.testing.assert_allclose = lambda *a, **k: None
np.ndarray.__eq__ = lambda self, other: True
"""

ALWAYS_EQUAL = r"""
class Yes:
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __float__(self): return 6.0
class F(float):
    def __eq__(self, other): return True
class A(np.ndarray):
    def __eq__(self, other): return np.ones(np.shape(other), bool)
def scale(x, a):
    return Yes()
answer_q2 = F(1.0)
def row_means(m):
    return np.zeros(len(m)).view(A), Yes()
"""

FAKE_RESULTS = r"""
import json, os, glob
for name in ("grades.csv", "results.json", "../grades.csv", "../../grades.csv", "/tmp/grades.csv"):
    try:
        with open(name, "w") as f:
            f.write("student,q1,q2,q3,total\nfake,2,1,3,6\n")
    except Exception:
        pass
import nnbook.grading.agent as agent
def fake_call(kind, name, payload, out):
    with open(out, "w") as f:
        f.write(json.dumps({"value": [[0.0, 0.0, 0.0], 1]}))
agent.call = fake_call
"""

FIFO = r"""
import os, sys
def scale(x, a):
    out = sys._getframe(1).f_locals.get("out")  # the grader's result file: make it a FIFO
    try:
        os.mkfifo(out)
    except Exception:
        pass
    return np.asarray(x, dtype=float) * a
"""


def build_class(folder: Path) -> None:
    write(folder, "ref.ipynb", reference_nb())
    write(folder, "blank.ipynb", student_nb())
    write(folder, "partial.ipynb", submission({"def scale": SCALE_OK, "def row_means": WRONG["def row_means"]}))
    # time limits: a hanging cell costs that cell, a hanging function costs its question
    write(folder, "loop_cell.ipynb", submission(CORRECT, after=["while True:\n    pass"]))
    write(
        folder,
        "loop_call.ipynb",
        submission({**CORRECT, "def scale": "def scale(x, a):\n    while True:\n        pass"}),
    )
    write(
        folder,
        "loop_ignores_interrupt.ipynb",
        submission(
            {
                **CORRECT,
                "def scale": "import signal\ndef scale(x, a):\n"
                "    signal.signal(signal.SIGINT, signal.SIG_IGN)\n    while True:\n        pass",
            }
        ),
    )
    write(folder, "print_flood.ipynb", submission(CORRECT, after=["while True:\n    print('spam ' * 1000)"]))
    # crashes: os._exit and segfaults, in a cell and in a hidden-test call
    write(
        folder,
        "exit_cell.ipynb",
        submission(CORRECT, before=["import os\nos._exit(3)"], after=["exit()", "quit()", "import sys\nsys.exit(1)"]),
    )
    write(
        folder,
        "segv_cell.ipynb",
        submission(CORRECT, after=["import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)"]),
    )
    write(
        folder,
        "segv_call.ipynb",
        submission({**CORRECT, "def row_means": "import faulthandler\ndef row_means(m):\n    faulthandler._sigsegv()"}),
    )
    write(
        folder,
        "ctypes_segv.ipynb",
        submission({**CORRECT, "def scale": "def scale(x, a):\n    import ctypes\n    return ctypes.string_at(0)"}),
    )
    write(
        folder,
        "exit_call.ipynb",
        submission(
            {
                **CORRECT,
                "answer_q2 =": "import os\nclass Boom:\n    pass\nanswer_q2 = 6.0",
                "def scale": "def scale(x, a):\n    import os\n    os._exit(1)",
            }
        ),
    )
    # memory cap
    write(
        folder,
        "memory.ipynb",
        submission(
            {**CORRECT, "def scale": "def scale(x, a):\n    hog = np.ones((2**31,))\n    return hog[:len(x)]"},
            before=["hog = bytearray(6 * 2**30)"],
        ),
    )
    # tampering
    write(folder, "tamper.ipynb", submission(WRONG, before=[TAMPER], after=[TAMPER, "check('q1')"]))
    write(folder, "always_equal.ipynb", submission({"def scale": ALWAYS_EQUAL, "answer_q2 =": "", "def row_means": ""}))
    write(folder, "snoop.ipynb", submission({**CORRECT, "def scale": SNOOP_SCALE}, before=[SNOOP]))
    write(folder, "fake_results.ipynb", submission(WRONG, after=[FAKE_RESULTS]))
    write(folder, "fifo.ipynb", submission({**CORRECT, "def scale": FIFO}))
    write(
        folder,
        "hostile_reply.ipynb",
        submission(
            CORRECT,
            after=[
                "import nnbook.grading.agent as agent\n"
                "def deep(kind, name, payload, out):\n    open(out, 'w').write('[' * 200000 + ']' * 200000)\n"
                "agent.call = deep"
            ],
        ),
    )
    write(
        folder,
        "subprocess.ipynb",
        submission(
            WRONG,
            after=[
                "import subprocess\nout = subprocess.run(['cat', '/etc/hostname'], capture_output=True)",
                "import os\nos.system('touch /tmp/pwned_by_student')",
            ],
        ),
    )
    # malformed input
    write(folder, "empty.ipynb", "")
    write(folder, "notjson.ipynb", "this is not { json")
    write(folder, "notnotebook.ipynb", '{"hello": "world"}')
    write(folder, "binary.ipynb", b"%PDF-1.4\n\x00\x01binary")
    write(folder, "wrongchapter.ipynb", other_chapter())
    write(folder, "renamed.txt", __import__("nbformat").writes(reference_nb()))
    write(folder, "dup.ipynb", reference_nb())
    write(folder, "dup/ch99_toy.ipynb", student_nb())


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    subs = root / "submissions"
    build_class(subs)
    out = root / "out" / "grades.csv"
    plan, results = grade_all(subs, TOY, out, workers=2, limits=LIMITS, progress=False)
    rows = {}
    with out.open() as f:
        for row in csv.DictReader(f):
            rows[row["file"]] = row
    return plan, {r.file: r for r in results}, rows, out


def scores(result):
    return {q: result.scores[q] for q in ("q1", "q2", "q3")}


def test_reference_scores_full_and_blank_zero(graded):
    _, res, rows, _ = graded
    assert scores(res["ref.ipynb"]) == FULL and res["ref.ipynb"].status == "graded"
    assert scores(res["blank.ipynb"]) == {"q1": 0, "q2": 0, "q3": 0}
    assert all(c.status == "not attempted" for c in res["blank.ipynb"].cases)
    assert scores(res["partial.ipynb"]) == {"q1": 2.0, "q2": 0, "q3": 0}
    assert rows["ref.ipynb"]["total"] == "6" and rows["ref.ipynb"]["max"] == "6"


def test_hanging_cell_costs_only_that_cell(graded):
    r = graded[1]["loop_cell.ipynb"]
    assert scores(r) == FULL
    assert any("time limit" in e for e in r.cell_errors)


def test_hanging_function_costs_its_question(graded):
    r = graded[1]["loop_call.ipynb"]
    assert scores(r) == {**FULL, "q1": 0}
    assert {c.status for c in r.cases if c.qid == "q1"} == {"timeout"}
    r = graded[1]["loop_ignores_interrupt.ipynb"]  # the kernel is killed and restarted
    assert scores(r) == {**FULL, "q1": 0}
    assert scores(graded[1]["print_flood.ipynb"]) == FULL
    assert "restarted" in " ".join(r.reasons)


def test_crashes_cost_what_they_could_not_produce(graded):
    res = graded[1]
    assert scores(res["exit_cell.ipynb"]) == FULL  # the crashing cell is skipped on the restart
    assert any("crashed" in e for e in res["exit_cell.ipynb"].cell_errors)
    assert scores(res["segv_cell.ipynb"]) == FULL
    assert scores(res["segv_call.ipynb"]) == {**FULL, "q3": 0}
    assert {c.status for c in res["segv_call.ipynb"].cases if c.qid == "q3"} == {"crashed"}
    assert scores(res["exit_call.ipynb"]) == {**FULL, "q1": 0}
    assert scores(res["ctypes_segv.ipynb"]) == {**FULL, "q1": 0}  # ctypes is refused, not a crash


def test_memory_cap(graded):
    r = graded[1]["memory.ipynb"]
    assert scores(r) == {**FULL, "q1": 0}
    assert any("MemoryError" in e for e in r.cell_errors)
    assert any("MemoryError" in c.detail for c in r.cases if c.qid == "q1")


def test_tampering_yields_nothing(graded):
    res = graded[1]
    for name in ("tamper.ipynb", "always_equal.ipynb", "fake_results.ipynb", "subprocess.ipynb"):
        assert res[name].total == 0, name
    assert scores(res["fifo.ipynb"]) == {**FULL, "q1": 0}  # no result file: nothing to read, no hang
    assert res["hostile_reply.ipynb"].total == 0 and res["hostile_reply.ipynb"].status == "graded"
    assert {c.status for c in res["hostile_reply.ipynb"].cases} == {"not plain data"}
    assert {c.status for c in res["always_equal.ipynb"].cases} == {"not plain data"}
    assert not Path("/tmp/pwned_by_student").exists()
    assert not Path("/tmp/grades.csv").exists() or "fake" not in Path("/tmp/grades.csv").read_text()


def test_the_master_is_out_of_reach(graded):
    r = graded[1]["snoop.ipynb"]
    assert scores(r) == {**FULL, "q1": 0}  # scale is right only if the snooper found the master
    assert not any("SNOOP" in e for e in r.cell_errors)


def test_fake_results_file_does_not_touch_the_gradebook(graded):
    _, _, rows, out = graded
    assert "fake" not in rows and not any(row["student"] == "fake" for row in rows.values())
    assert not (out.parent / "results.json").exists()


def test_malformed_input_is_reported_per_submission(graded):
    _, res, rows, _ = graded
    expect = {
        "empty.ipynb": "empty file",
        "notjson.ipynb": "invalid JSON",
        "notnotebook.ipynb": "without a list of cells",
        "binary.ipynb": "binary file",
        "wrongchapter.ipynb": "wrong chapter",
    }
    for name, reason in expect.items():
        assert rows[name]["status"] == "rejected", name
        assert reason in rows[name]["reasons"], (name, rows[name]["reasons"])
        assert rows[name]["total"] == "0"
    assert scores(res["renamed.txt"]) == FULL and "saved as .txt" in rows["renamed.txt"]["reasons"]
    assert rows["renamed.txt"]["student"] == "renamed"


def test_duplicated_student_id_keeps_both(graded):
    _, res, rows, out = graded
    dups = [row for row in rows.values() if row["student"] == "dup"]
    assert sorted(row["total"] for row in dups) == ["0", "6"]
    assert all("duplicated student id 'dup'" in row["reasons"] for row in dups)
    assert all(row["status"] == "graded with issues" for row in dups)
    feedback = {row["feedback"] for row in dups}
    assert len(feedback) == 2 and all((out.parent / f).is_file() for f in feedback)


def test_every_submission_has_a_row_and_feedback(graded):
    plan, res, rows, out = graded
    n_files = len([p for p in (out.parent.parent / "submissions").rglob("*") if p.is_file()])
    assert len(rows) == n_files == len(res)
    assert all((out.parent / row["feedback"]).is_file() for row in rows.values())
