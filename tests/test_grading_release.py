"""`nnbook release`: stubs, hidden cells removed, metadata, and refusal to leak."""

import json
import sys
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).parent / "grading_fixtures"))
from helpers import HERE, TOY  # noqa: E402

from nnbook.cli import main  # noqa: E402
from nnbook.grading.master import MasterError, read_master, strip_solutions  # noqa: E402
from nnbook.grading.release import LeakError, find_leaks, release_one, student_version  # noqa: E402

LEAKY = HERE / "leaky_master.md"


def test_strip_solutions_keeps_indentation_and_stubs():
    src = "def f(x):\n    '''doc'''\n    ### BEGIN SOLUTION\n    y = x + 1\n    return y\n    ### END SOLUTION\n"
    s = strip_solutions(src, "q4")
    assert s.source == "def f(x):\n    '''doc'''\n    raise NotImplementedError(\"q4: write your solution here\")"
    assert s.solution_lines == ["    y = x + 1", "    return y"] and not s.top_level_stub
    s = strip_solutions("answer = 0.25  ### SOLUTION\nw[0] = 3  ### SOLUTION", "q2")
    assert s.source == "answer = ...  # your answer\nw[0] = ...  # your answer"
    s = strip_solutions("def g():\n    return 42  ### SOLUTION")
    assert s.source == 'def g():\n    raise NotImplementedError("write your solution here")'
    s = strip_solutions("### BEGIN SOLUTION\nmodel = train()\n### END SOLUTION", "q1")
    assert s.top_level_stub


@pytest.mark.parametrize(
    "src, msg",
    [
        ("### BEGIN SOLUTION\nx = 1", "without ### END"),
        ("x = 1\n### END SOLUTION", "without ### BEGIN"),
        ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION", "inside another"),
        ("x = 1  # ### BEGIN SOLUTION here", "stand alone"),
        ("### SOLUTION", "ends a line of code"),
    ],
)
def test_malformed_markers_are_errors(src, msg):
    with pytest.raises(MasterError, match=msg):
        strip_solutions(src)


def test_release_of_the_toy_master(tmp_path):
    written = release_one(TOY, tmp_path, ("ipynb", "md"))
    assert [p.name for p in written] == ["ch99_toy.ipynb", "ch99_toy.md"]
    nb = nbformat.read(tmp_path / "ch99_toy.ipynb", as_version=4)
    text = json.dumps(nb)
    assert "hidden_test(" not in text and "SOLUTION" not in text and "argmax" not in text
    assert text.count("NotImplementedError") == 2 and "answer_q2 = ...  # your answer" in text
    assert nb.metadata["nnbook"]["chapter"] == "ch99_toy"
    assert nb.metadata["nnbook"]["questions"] == ["q1", "q2", "q3"]
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
    assert len(nb.cells) == len(read_master(TOY).nb.cells) - 3  # the three hidden cells
    md = (tmp_path / "ch99_toy.md").read_text()
    assert md.startswith("---\njupytext:") and "hidden_test(" not in md


def test_release_is_deterministic(tmp_path):
    release_one(TOY, tmp_path / "a")
    release_one(TOY, tmp_path / "b")
    assert (tmp_path / "a" / "ch99_toy.ipynb").read_bytes() == (tmp_path / "b" / "ch99_toy.ipynb").read_bytes()


def test_leaky_master_is_refused(tmp_path):
    with pytest.raises(LeakError) as e:
        release_one(LEAKY, tmp_path)
    msg = str(e.value)
    assert "solution text leaks" in msg and "np.asarray(x, dtype=float) * a" in msg  # the hint cell
    assert "calls hidden_test" in msg  # the untagged hidden test
    assert "hidden test text leaks" in msg  # the hidden input printed for students
    assert not list(tmp_path.iterdir())  # nothing written


def test_leak_check_sees_outputs_and_hidden_cells():
    nb, solutions, hidden = student_version(read_master(TOY))
    assert find_leaks(nb, solutions, hidden) == []
    nb.cells[3].outputs = [nbformat.v4.new_output("stream", text="result = np.asarray(x, dtype=float) * a")]
    nb.cells[4].metadata["tags"] = ["hidden"]
    leaks = find_leaks(nb, solutions, hidden)
    assert any("cell 3: solution text" in x for x in leaks) and any(
        "cell 4: a cell tagged 'hidden'" in x for x in leaks
    )


def test_cli_release(tmp_path, capsys):
    assert main(["release", str(TOY), "--out", str(tmp_path / "ok")]) == 0
    assert (tmp_path / "ok" / "ch99_toy.ipynb").is_file()
    assert main(["release", str(LEAKY), "--out", str(tmp_path / "bad")]) == 1
    err = capsys.readouterr().err
    assert "would leak" in err and "leaky_master.md" in err
    assert main(["release", "no/such/master.md", "--out", str(tmp_path)]) == 2


def test_export_adds_the_student_versions_for_nbval(tmp_path):
    from nnbook.notebooks import export

    root = tmp_path / "repo"
    (root / "exercises").mkdir(parents=True)
    master = root / "exercises" / "ch99_toy.md"
    master.write_text(TOY.read_text())
    manifest = export([master], tmp_path / "out", root=root)
    assert set(manifest["notebooks"]) == {"exercises/ch99_toy.ipynb", "exercises/student/ch99_toy.ipynb"}
    student = nbformat.read(tmp_path / "out" / "exercises" / "student" / "ch99_toy.ipynb", as_version=4)
    assert student.metadata["nnbook"]["chapter"] == "ch99_toy"
    (root / "exercises" / "ch98_leaky.md").write_text(LEAKY.read_text())
    with pytest.raises(LeakError):
        export([root / "exercises" / "ch98_leaky.md"], tmp_path / "out2", root=root)
