import numpy as np
import pytest

from nnbook import data


def test_digits_split_is_fixed_stratified_and_disjoint():
    Xtr, ytr = data.load_digits("train")
    Xte, yte = data.load_digits("test")
    Xall, yall = data.load_digits("all")
    assert Xtr.shape == (1347, 64) and Xte.shape == (450, 64) and len(Xall) == 1797
    assert Xtr.min() >= 0 and Xtr.max() <= 1
    assert set(np.unique(ytr)) == set(range(10)) == set(np.unique(yte))
    # the same call gives the same split, and train and test share no image index
    np.testing.assert_array_equal(data.load_digits("test")[0], Xte)
    rows = {r.tobytes() for r in Xall}
    assert len({r.tobytes() for r in Xtr} | {r.tobytes() for r in Xte}) <= len(rows)
    # stratified: every class is 25 % +- one image in the test set
    counts_all = np.bincount(yall)
    assert np.all(np.abs(np.bincount(yte) - 0.25 * counts_all) <= 1)


def test_digits_unflattened_and_unscaled():
    X, _ = data.load_digits("all", flatten=False, scale=False)
    assert X.shape == (1797, 8, 8) and X.max() == 16


@pytest.mark.parametrize("bad", ["training", "", None, 1])
def test_digits_bad_split(bad):
    with pytest.raises(ValueError, match="split must be 'train', 'test' or 'all'"):
        data.load_digits(bad)


@pytest.mark.parametrize(
    "gate,y", [("and", [0, 0, 0, 1]), ("OR", [0, 1, 1, 1]), ("xor", [0, 1, 1, 0]), ("nand", [1, 1, 1, 0])]
)
def test_truth_tables(gate, y):
    X, t = data.truth_table(gate)
    assert X.shape == (4, 2)
    op = {"and": np.logical_and, "or": np.logical_or, "xor": np.logical_xor, "nand": lambda a, b: ~np.logical_and(a, b)}
    np.testing.assert_array_equal(t, op[gate.lower()](X[:, 0] > 0, X[:, 1] > 0).astype(int))
    np.testing.assert_array_equal(t, y)


def test_truth_table_unknown():
    with pytest.raises(ValueError, match="unknown logic gate 'xnor'"):
        data.truth_table("xnor")


@pytest.mark.parametrize("s", [0, 1, 7])
def test_blobs_are_separable_with_margin(s):
    X, y = data.blobs(60, margin=0.4, seed=s)
    assert X.shape == (60, 2) and set(y) == {0, 1}
    d = (X[:, 0] + X[:, 1]) / np.sqrt(2)
    assert d[y == 1].min() >= 0.2 and d[y == 0].max() <= -0.2
    np.testing.assert_array_equal(X, data.blobs(60, margin=0.4, seed=s)[0])


@pytest.mark.parametrize(
    "kw,msg",
    [({"n": 1}, "n must be"), ({"n": 2.5}, "n must be"), ({"margin": -1}, "margin"), ({"spread": 0}, "spread")],
)
def test_blobs_bad_arguments(kw, msg):
    with pytest.raises(ValueError, match=msg):
        data.blobs(**kw)


def test_pixel_digits():
    X, y = data.pixel_digits()
    assert X.shape[1] == 12 and set(np.unique(X)) <= {0.0, 1.0}
    # 2 templates per digit and their 12 one-pixel flips; the two 'one' templates differ in one
    # pixel, so two of their flips coincide
    assert np.bincount(y).tolist() == [26, 24]
    for img, label in zip(X, y):
        dist = {c: min(np.sum(img != t.ravel()) for t in data.PIXEL_TEMPLATES[c]) for c in (0, 1)}
        assert dist[label] <= 1 < dist[1 - label]
    assert len({r.tobytes() for r in X}) == len(X)  # no duplicates
    X0, y0 = data.pixel_digits(noise=0)
    assert len(X0) == 4 and sorted(y0.tolist()) == [0, 0, 1, 1]


@pytest.mark.parametrize("bad", [-1, 3, 1.5, True])
def test_pixel_digits_bad_noise(bad):
    with pytest.raises(ValueError, match="noise must be 0, 1 or 2"):
        data.pixel_digits(bad)


def test_digits_splits_and_subsample():
    d = data.digits_splits()
    assert (len(d.y_train), len(d.y_val), len(d.y_test)) == (1077, 270, 450)
    Xs, ys = data.subsample(*d.train, 100)
    assert len(Xs) == 100 and set(ys) == set(range(10))
    with pytest.raises(ValueError, match="n must be"):
        data.subsample(*d.train, 0)
    with pytest.raises(ValueError, match="val_fraction"):
        data.digits_splits(1.5)
