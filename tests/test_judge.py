import numpy as np
import pytest

from nnbook.data import load_digits
from nnbook.models.judge import judge_predict


def test_judge_classifies_unseen_test_digits():
    X, y = load_digits("test")
    assert np.mean(judge_predict(X) == y) >= 0.97


def test_judge_is_deterministic_and_rejects_bad_shapes():
    X, _ = load_digits("test", flatten=False)
    np.testing.assert_array_equal(judge_predict(X[:20]), judge_predict(X[:20].reshape(20, 64)))
    with pytest.raises(ValueError, match=r"\(n, 8, 8\)"):
        judge_predict(np.zeros((3, 7, 7)))


def test_judge_proba_matches_predict():
    from nnbook.models.judge import judge_proba

    X, _ = load_digits("test")
    p = judge_proba(X[:50])
    assert p.shape == (50, 10)
    np.testing.assert_allclose(p.sum(1), 1.0, rtol=1e-5)
    assert (p.argmax(1) == judge_predict(X[:50])).all()
