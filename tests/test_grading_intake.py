"""Intake and report without a kernel: private reads, odd notebooks, duplicates, atomic writes,
escaped feedback (issue 11, items 3 and 4)."""

import copy
import json
import os
import sys
import threading
from pathlib import Path

import nbformat
import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent / "grading_fixtures"))
from helpers import student_nb  # noqa: E402

from nnbook.grading.feedback import escape, write_atomic  # noqa: E402
from nnbook.grading.gradebook import mark_duplicates  # noqa: E402
from nnbook.grading.intake import Submission, load_submission, read_private  # noqa: E402
from nnbook.grading.scoring import Result  # noqa: E402


def test_read_private_never_blocks_or_follows(tmp_path):
    fifo = tmp_path / "fifo.ipynb"
    os.mkfifo(fifo)
    with pytest.raises(OSError, match="not a regular file"):
        read_private(fifo)  # returns at once: opened without blocking
    target = tmp_path / "real.ipynb"
    target.write_text("{}")
    (tmp_path / "link.ipynb").symlink_to(target)
    with pytest.raises(OSError):
        read_private(tmp_path / "link.ipynb")
    assert read_private(target) == b"{}"
    sub = Submission.take("x", fifo, tmp_path)
    assert sub.data is None and "not a regular file" in sub.error and sub.rel == "fifo.ipynb"


def test_a_submission_is_read_once(tmp_path):
    path = tmp_path / "a.ipynb"
    path.write_text("first")
    sub = Submission.take("a", path, tmp_path)
    path.write_text("changed by someone later")
    assert sub.data == b"first"


def test_deeply_nested_json_says_so(tmp_path):
    nb, reasons = load_submission(tmp_path / "deep.ipynb", "ch99_toy", b"[" * 100000 + b"]" * 100000)
    assert nb is None and len(reasons) == 1 and "deep.ipynb: not a notebook: JSON nested too deeply" in reasons[0]


def test_nbformat_3_is_converted(tmp_path):
    v4 = student_nb()
    v3 = nbformat.convert(copy.deepcopy(v4), 3)  # convert changes its argument
    data = json.dumps(v3).encode()
    assert b"worksheets" in data
    nb, reasons = load_submission(tmp_path / "old.ipynb", v4.metadata["nnbook"]["chapter"], data)
    assert nb is not None and nb.nbformat == 4
    assert [c.source for c in nb.cells if c.cell_type == "code"] == [
        c.source for c in v4.cells if c.cell_type == "code"
    ]
    assert any("nbformat 3" in r for r in reasons)


def test_duplicates_name_full_relative_paths():
    results = [Result("ann", "hw.ipynb", rel="ann/hw.ipynb"), Result("ann", "ann.ipynb", rel="ann.ipynb")]
    mark_duplicates(results)
    for r in results:
        assert "ann/hw.ipynb, ann.ipynb" in r.reasons[-1] and r.status == "graded with issues"


def test_write_atomic_replaces_a_fifo_without_opening_it(tmp_path):
    target = tmp_path / "grades.csv"
    os.mkfifo(target)
    done = threading.Event()
    worker = threading.Thread(target=lambda: (write_atomic(target, "a,b\n"), done.set()), daemon=True)
    worker.start()
    worker.join(10)
    assert done.is_set(), "write_atomic blocked on a FIFO"
    assert target.is_file() and target.read_text() == "a,b\n"
    assert [p.name for p in tmp_path.iterdir()] == ["grades.csv"]  # no temporary file left


@pytest.mark.parametrize(
    "text",
    [
        "**10 / 10 points**",
        "<script>alert(1)</script>",
        "[x](http://e)",
        "line\n# Feedback",
        "`code` | table |",
        "<img src=x onerror=y>",
    ],
)
def test_escape_makes_student_text_inert(text):
    out = escape(text)
    assert "\n" not in out and "<" not in out and "**" not in out and "](" not in out.replace("\\](", "")
    assert "`" not in out.replace("\\`", "") and "|" not in out.replace("\\|", "")


def test_points_split_over_the_parts_of_an_answer():
    """hidden_test(part=k): each item of a tuple result earns its own points (partial credit)."""
    from nnbook.grading.isolation import Isolation
    from nnbook.grading.kernel import Limits
    from nnbook.grading.plan import Plan
    from nnbook.grading.scoring import score_cases
    from nnbook.grading.spec import Spec

    ref = (np.array([1.0, 2.0]), 3.0)
    specs = [
        Spec("q1", 1.0, "grads", inputs=[[0]], part=0, label="dW", reference=[ref]),
        Spec("q1", 1.0, "grads", inputs=[[0]], part=1, label="db", reference=[ref]),
    ]
    plan = Plan("chX", specs, Limits(), [], isolation=Isolation("none", reason="test"))
    half = Result("s", "s.ipynb", scores={"q1": 0.0})
    score_cases(half, plan, [[("value", (np.array([1.0, 2.0]), -3.0))], [("value", (np.array([1.0, 2.0]), -3.0))]])
    assert half.scores == {"q1": 1.0}
    assert [(c.test, c.status) for c in half.cases] == [("grads -> dW", "passed"), ("grads -> db", "wrong")]
    assert half.cases[1].detail == "wrong value (sign flipped)"
    single = Result("s", "s.ipynb", scores={"q1": 0.0})
    score_cases(single, plan, [[("value", 3.0)], [("value", 3.0)]])
    assert single.scores == {"q1": 0.0} and "a tuple with an item 0" in single.cases[0].detail
    assert Spec.from_dict(specs[0].to_dict()).part == 0 and Spec.from_dict(specs[0].to_dict()).label == "dW"
    old = {k: v for k, v in specs[0].to_dict().items() if k not in ("part", "label")}
    assert Spec.from_dict(old).part is None  # a description without the newer fields still reads
