"""nnbook.demos.cnn: the figures are pure functions; the NumPy CNN trains exactly like its PyTorch twin."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from nnbook.demos import cnn as D
from nnbook.models.cnn import lenet


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


@pytest.mark.parametrize("args", [(7, 3, 2, 1, 1), (5, 3, 1, 0, 2), (1, 1, 1, 0, 1), (12, 5, 4, 3, 2)])
def test_output_size_figure_states_the_formula(args):
    fig = D.output_size_figure(*args)
    from nnbook.scratch.conv import output_size

    assert fig._suptitle.get_text().endswith(f"= {output_size(*args)}")


def test_output_size_figure_explains_an_impossible_setting():
    fig = D.output_size_figure(2, 7, 1, 0, 1)
    assert "no output" in fig.axes[0].texts[0].get_text()


def test_kernels_sum_to_zero_and_ignore_constant_brightness():
    maps = D.apply_kernels(np.full((2, 64), 0.4), D.KERNELS, padding="valid")
    assert maps.shape == (2, 4, 6, 6) and np.abs(maps).max() < 1e-12


def test_figures_draw():
    rng = np.random.default_rng(0)
    images, y = rng.random((20, 64)), np.arange(20) % 10
    model = lenet((8, 8), 16)
    D.kernel_maps_figure(images[0])
    D.pooling_figure()
    D.feature_maps_figure(model, images[0], "t")
    D.confusion_figure(np.eye(10, dtype=int) * 3, "t")
    D.misclassified_figure(images, y, (y + 1) % 10, "t")
    D.misclassified_figure(images, y, y, "t")
    D.augmentation_figure(images, n=4, **D.AUGMENT)


def test_numpy_cnn_trains_exactly_like_its_torch_twin():
    rng = np.random.default_rng(0)
    X, y = rng.random((70, 1, 8, 8)), rng.integers(0, 10, 70)
    net = D.numpy_cnn(np.random.default_rng(1), channels=4)
    twin = D.torch_twin(net)
    h_np = D.train_numpy(net, X, y, epochs=2, lr=0.1, batch_size=16, rng=np.random.default_rng(2))
    h_pt = D.train_torch_same(twin, X, y, epochs=2, lr=0.1, batch_size=16, rng=np.random.default_rng(2))
    np.testing.assert_allclose(h_np["loss"], h_pt["loss"], rtol=1e-10)
    np.testing.assert_allclose(twin[4].weight.detach().numpy(), net.layers[4].W, atol=1e-12)


def test_full_batches_drop_only_the_incomplete_one():
    batches = D.full_batches(70, 16, np.random.default_rng(0))
    assert [len(b) for b in batches] == [16] * 4
    assert len(np.unique(np.concatenate(batches))) == 64


def test_train_lenet_is_reproducible():
    rng = np.random.default_rng(0)
    data = (rng.random((40, 64)).astype(np.float32), rng.integers(0, 10, 40))
    a, _ = D.train_lenet(data, seed=3, epochs=2, augment=D.AUGMENT, channels=(4, 4), hidden=8)
    b, _ = D.train_lenet(data, seed=3, epochs=2, augment=D.AUGMENT, channels=(4, 4), hidden=8)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))


def test_best_kernel_match_finds_a_kernel_up_to_sign_scale_and_offset():
    rng = np.random.default_rng(0)
    weights = rng.standard_normal((5, 1, 3, 3))
    weights[3, 0] = -2.5 * D.KERNELS["vertical line"] + 0.7  # flipped, scaled and shifted: still a perfect match
    match = D.best_kernel_match(weights)
    assert set(match) == set(D.KERNELS)
    assert abs(match["vertical line"] - 1.0) < 1e-12
    assert all(0.0 <= v <= 1.0 + 1e-12 for v in match.values())


def test_random_kernel_matches_are_a_distribution_below_one():
    chance = D.random_kernel_matches(32, (3, 3), draws=50, rng=np.random.default_rng(1))
    for values in chance.values():
        assert values.shape == (50,) and (values > 0.3).all() and (values < 1.0).all() and values.std() > 0.01


def test_train_lenet_rejects_bad_regularisation():
    data = (np.zeros((4, 64), dtype=np.float32), np.arange(4))
    with pytest.raises(ValueError, match="label_smoothing"):
        D.train_lenet(data, seed=0, epochs=1, label_smoothing=1.0)
    with pytest.raises(ValueError, match="weight_decay"):
        D.train_lenet(data, seed=0, epochs=1, weight_decay=-0.1)


def test_label_smoothing_changes_training():
    rng = np.random.default_rng(0)
    data = (rng.random((40, 64)).astype(np.float32), rng.integers(0, 10, 40))
    a, ha = D.train_lenet(data, seed=3, epochs=2, channels=(4, 4), hidden=8, label_smoothing=0.0)
    b, hb = D.train_lenet(data, seed=3, epochs=2, channels=(4, 4), hidden=8, label_smoothing=0.1)
    assert ha["loss"][0] != hb["loss"][0]
    assert not all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))


def test_tta_probabilities_average_the_softmax_over_moved_copies():
    rng = np.random.default_rng(0)
    X = rng.random((6, 64)).astype(np.float32)
    torch.manual_seed(0)
    model = lenet((4, 4), 8).eval()
    plain = torch.softmax(model(torch.as_tensor(X)), dim=1).detach().numpy()
    np.testing.assert_allclose(D.tta_probabilities(model, X, copies=0), plain, rtol=1e-6)
    p3 = D.tta_probabilities(model, X, copies=3, seed=1)
    np.testing.assert_allclose(p3.sum(axis=1), 1.0, rtol=1e-6)
    np.testing.assert_array_equal(p3, D.tta_probabilities(model, X, copies=3, seed=1))  # reproducible
    assert not np.allclose(p3, plain)  # the copies count
    # by hand: the mean of the softmax over the image and the copies drawn from the same generator
    gen = torch.Generator().manual_seed(1)
    copies = [D.random_affine(torch.as_tensor(X), 8.0, 1.0, generator=gen) for _ in range(3)]
    by_hand = np.mean([plain] + [torch.softmax(model(c), dim=1).detach().numpy() for c in copies], axis=0)
    np.testing.assert_allclose(p3, by_hand, rtol=1e-5)
    with pytest.raises(ValueError, match="copies"):
        D.tta_probabilities(model, X, copies=-1)


def test_train_lenets_in_processes_equals_training_one_after_the_other(one_torch_thread):
    rng = np.random.default_rng(0)
    data = (rng.random((40, 64)).astype(np.float32), rng.integers(0, 10, 40))
    jobs = {s: dict(train=data, seed=s, epochs=2, augment=D.AUGMENT, channels=(4, 4), hidden=8) for s in (0, 1)}
    parallel = D.train_lenets(jobs, processes=2)
    assert list(parallel) == [0, 1]
    for s, job in jobs.items():
        alone, history = D.train_lenet(**job)
        assert all(torch.equal(p, q) for p, q in zip(alone.parameters(), parallel[s][0].parameters()))
        np.testing.assert_array_equal(history["loss"], parallel[s][1]["loss"])
    with pytest.raises(ValueError, match="processes"):
        D.train_lenets(jobs, processes=0)
