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


import torch  # noqa: E402


def test_random_shift_moves_pixels_and_keeps_shape():
    img = np.zeros((1, 8, 8))
    img[0, 3, 4] = 1.0
    out = data.random_shift(np.repeat(img, 500, axis=0), 1, generator=torch.Generator().manual_seed(0))
    assert out.shape == (500, 8, 8)
    pos = {tuple(np.argwhere(o.numpy())[0]) for o in out}
    assert pos == {(3 + dy, 4 + dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1)} - {(3, 4)}  # all eight moves, never none
    flat = data.random_shift(img.reshape(1, 64), 2, generator=torch.Generator().manual_seed(1))
    assert flat.shape == (1, 64) and flat.sum() == 1.0
    edge = np.zeros((1, 8, 8))
    edge[0, 0, :] = 1.0  # a row on the border can fall off the image
    outs = data.random_shift(np.repeat(edge, 200, axis=0), 1, generator=torch.Generator().manual_seed(0))
    assert {float(o.sum()) for o in outs} == {0.0, 7.0, 8.0}  # up, sideways, down


def test_random_shift_p_and_zero_and_errors():
    X = np.random.default_rng(0).random((300, 64))
    np.testing.assert_array_equal(data.random_shift(X, 0).numpy(), X.astype(np.float32))
    np.testing.assert_array_equal(data.random_shift(X, 1, p=0.0).numpy(), X.astype(np.float32))
    moved = (
        (data.random_shift(X, 1, p=0.5, generator=torch.Generator().manual_seed(0)).numpy() != X.astype(np.float32))
        .any(1)
        .mean()
    )
    assert 0.45 < moved < 0.55  # p is the fraction of images moved
    every = (data.random_shift(X, 2, generator=torch.Generator().manual_seed(0)).numpy() != X.astype(np.float32)).any(1)
    assert every.all()  # p = 1: no image stays in place
    with pytest.raises(ValueError, match=r"shape \(n, 8, 8\) or \(n, 64\)"):
        data.random_shift(np.zeros((2, 10)))
    with pytest.raises(ValueError, match="max_shift"):
        data.random_shift(X, 8)
    with pytest.raises(ValueError, match="probability"):
        data.random_shift(X, 1, p=1.5)


def test_digits_splits_and_subsample():
    d = data.digits_splits()
    assert (len(d.y_train), len(d.y_val), len(d.y_test)) == (1077, 270, 450)
    Xs, ys = data.subsample(*d.train, 100)
    assert len(Xs) == 100 and set(ys) == set(range(10))
    with pytest.raises(ValueError, match="n must be"):
        data.subsample(*d.train, 0)
    with pytest.raises(ValueError, match="val_fraction"):
        data.digits_splits(1.5)
