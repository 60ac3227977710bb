import numpy as np
import pytest

from nnbook.scratch import dbn
from nnbook.scratch.core import Sequential
from nnbook.scratch.layers import Dense
from nnbook.scratch.rbm import RBM


def small_data(n=60, seed=0):
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 3
    X = (rng.random((n, 64)) < 0.1).astype(float)
    X[:, :20] += y[:, None] == 0
    X[:, 20:40] += y[:, None] == 1
    X[:, 40:] += y[:, None] == 2
    return np.clip(X, 0, 1), y


def test_pretrain_stack_shapes_and_reuse_of_first_layer():
    X, _ = small_data()
    rng = np.random.default_rng(0)
    first = RBM.create(64, 16, rng)
    stack = dbn.pretrain_stack(X, [16, 8], rng, epochs=2, first=first)
    assert stack[0] is first and stack[1].W.shape == (8, 16)
    with pytest.raises(ValueError, match="expected"):
        dbn.pretrain_stack(X, [10], rng, epochs=1, first=first)


def test_classifier_copies_rbm_weights_into_dense_layers():
    rng = np.random.default_rng(0)
    stack = [RBM.create(64, 16, rng, std=0.5), RBM.create(16, 8, rng, std=0.5)]
    net = dbn.classifier_from_rbms(stack, 3, rng)
    assert isinstance(net, Sequential) and all(isinstance(layer, Dense) for layer in net.layers)
    np.testing.assert_array_equal(net.layers[0].W, stack[0].W)
    np.testing.assert_array_equal(net.layers[1].b, stack[1].c)
    X, _ = small_data()
    # the hidden layers compute exactly the RBMs' p(h | v)
    h = net.layers[1](net.layers[0](X))
    np.testing.assert_allclose(h, stack[1].hidden_probs(stack[0].hidden_probs(X)), rtol=1e-12)
    net.layers[0].W += 1.0
    assert not np.allclose(net.layers[0].W, stack[0].W)  # fine-tuning does not touch the RBM


def test_fine_tuning_learns_the_small_problem():
    X, y = small_data()
    rng = np.random.default_rng(0)
    stack = dbn.pretrain_stack(X, [16], rng, epochs=5)
    net = dbn.classifier_from_rbms(stack, 3, rng)
    hist = dbn.train_classifier(net, X, y, epochs=30, lr=0.5, rng=rng, val=(X, y))
    assert hist["loss"][-1] < 0.5 * hist["loss"][0]
    assert hist["val_accuracy"][-1] == 1.0
    assert hist["lr"][0] == 0.5 and hist["lr"][-1] < 0.05  # annealed towards 0
    rand = dbn.random_classifier(64, [16], 3, rng)
    assert [layer.W.shape for layer in rand.layers] == [layer.W.shape for layer in net.layers]


def test_shift_images_moves_pixels_and_fills_zeros():
    X = np.arange(1, 65, dtype=float).reshape(1, 64)
    rng = np.random.default_rng(0)
    seen = set()
    for _ in range(40):
        out = dbn.shift_images(X, rng).reshape(8, 8)
        img = X.reshape(8, 8)
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                ref = np.zeros((8, 8))
                ref[max(0, dy) : 8 + min(0, dy), max(0, dx) : 8 + min(0, dx)] = img[
                    max(0, -dy) : 8 - max(0, dy), max(0, -dx) : 8 - max(0, dx)
                ]
                if np.array_equal(out, ref):
                    seen.add((dy, dx))
    assert len(seen) == 9  # every shift in {-1, 0, 1}^2 occurs and matches a zero-filled shift


def test_generate_digits_clamps_the_requested_labels():
    X, y = small_data(90)
    rng = np.random.default_rng(0)
    stack = dbn.pretrain_stack(X, [16], rng, epochs=100, lr=0.2)
    top = dbn.train_labelled_rbm(stack[0].hidden_probs(X), y, 32, rng, n_classes=3, epochs=300, lr=0.2)
    assert top.n_visible == 19 and top.n_classes == 3
    requested = np.array([0, 1, 2] * 4)
    out = dbn.generate_digits(stack, top, requested, rng, steps=30)
    assert out.shape == (12, 64) and out.min() >= 0 and out.max() <= 1
    # the generated images mostly carry the requested class's block of pixels
    blocks = np.stack([out[:, :20].mean(1), out[:, 20:40].mean(1), out[:, 40:].mean(1)], axis=1)
    assert np.sum(blocks.argmax(1) == requested) >= 10


def test_momentum_and_weight_decay_follow_the_heavy_ball_update():
    from nnbook.scratch.losses import softmax_cross_entropy_grad

    X, y = small_data(30)
    rng = np.random.default_rng(0)
    net = dbn.random_classifier(64, [8], 3, rng)
    ref = {n: p.copy() for n, p in net.params.items()}
    lr, mu, wd = 0.3, 0.8, 0.01
    # one batch holding every example, so the shuffle does not change the gradient
    dbn.train_classifier(
        net, X, y, epochs=3, lr=lr, rng=rng, batch_size=len(X), anneal=False, momentum=mu, weight_decay=wd
    )
    copy = dbn.random_classifier(64, [8], 3, np.random.default_rng(1))
    for n, p in copy.params.items():
        p[...] = ref[n]
    v = {n: np.zeros_like(p) for n, p in ref.items()}
    for _ in range(3):
        z, cache = copy.forward(X)
        _, g = copy.backward(cache, softmax_cross_entropy_grad(z, y))
        for n, p in copy.params.items():
            grad = g[n] + (wd * p if n.endswith(".W") else 0.0)
            v[n] = mu * v[n] + grad
            p -= lr * v[n]
    for n, p in net.params.items():
        np.testing.assert_allclose(p, copy.params[n], rtol=1e-12, atol=1e-14)
    with pytest.raises(ValueError, match="momentum"):
        dbn.train_classifier(net, X, y, epochs=1, lr=0.1, rng=rng, momentum=1.0)
    with pytest.raises(ValueError, match="weight_decay"):
        dbn.train_classifier(net, X, y, epochs=1, lr=0.1, rng=rng, weight_decay=-1.0)
