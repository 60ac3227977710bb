import pytest

from nnbook.scratch.core import sgd_step
from nnbook.scratch.layers import Dense
from nnbook.source import show_source, source_of


def test_source_of_is_the_running_code():
    src = source_of(sgd_step)
    assert src.startswith("# nnbook/scratch/core.py\ndef sgd_step(")
    assert "p -= lr * grads[name]" in src


def test_methods_are_dedented():
    assert source_of(Dense.backward).splitlines()[1].startswith("def backward(")


def test_show_source_is_a_python_block():
    md = show_source(sgd_step).data
    assert md.startswith("```python\n# nnbook/scratch/core.py") and md.endswith("```")


def test_source_of_rejects_builtins():
    with pytest.raises(TypeError, match="function, method or class"):
        source_of(len)
