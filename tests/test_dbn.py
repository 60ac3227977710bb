import numpy as np
import pytest

from nnbook.scratch import dbn
from nnbook.scratch import rbm as R
from nnbook.scratch.core import Sequential
from nnbook.scratch.layers import Dense
from nnbook.scratch.optim import SGD, Adam
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
    hist = dbn.train_classifier(net, X, y, optimiser=SGD(0.5), epochs=30, rng=rng, val=(X, y))
    assert hist["loss"][-1] < 0.5 * hist["loss"][0]
    assert hist["val_accuracy"][-1] == 1.0 and len(hist["val_loss"]) == 30
    rand = dbn.random_classifier(64, [16], 3, rng)
    assert [layer.W.shape for layer in rand.layers] == [layer.W.shape for layer in net.layers]


def test_dropout_layers_train_noisy_and_evaluate_deterministic():
    X, y = small_data()
    rng = np.random.default_rng(0)
    stack = [RBM.create(64, 16, rng, std=0.5), RBM.create(16, 8, rng, std=0.5)]
    for net in (
        dbn.classifier_from_rbms(stack, 3, rng, dropout=0.3),
        dbn.random_classifier(64, [16, 8], 3, rng, dropout=0.3),
    ):
        kinds = [type(layer).__name__ for layer in net]
        assert kinds == ["Dense", "Dropout", "Dense", "Dropout", "Dense"]
        dbn.set_training(net, True)
        assert not np.allclose(net(X), net(X))  # units dropped at random
        dbn.train_classifier(net, X, y, optimiser=Adam(1e-2), epochs=2, rng=rng)
        assert dbn.classifier_accuracy(net, X, y) == dbn.classifier_accuracy(net, X, y)
        np.testing.assert_array_equal(net(X), net(X))  # training ends in evaluation mode
    assert len(dbn.classifier_from_rbms(stack, 3, rng)) == 3  # no dropout layers without dropout
    with pytest.raises(ValueError, match="dropout"):
        dbn.random_classifier(64, [16], 3, rng, dropout=1.0)


def test_early_stopping_restores_the_best_epoch():
    """Validation labels that disagree with the training labels: the validation loss rises while the
    network learns, so training stops early and ends with the weights of its best epoch."""
    X, y = small_data()
    y_val = (y + 1) % 3

    def run(**kw):
        rng = np.random.default_rng(1)
        net = dbn.random_classifier(64, [16], 3, rng)
        return net, dbn.train_classifier(net, X, y, optimiser=SGD(0.5), rng=rng, val=(X, y_val), **kw)

    net, hist = run(epochs=50, patience=3)
    best = int(np.argmin(hist["val_loss"]))
    assert len(hist["val_loss"]) == best + 4 < 50  # three epochs without improvement, then stop
    ref, _ = run(epochs=best + 1)  # the same run, stopped by hand after the best epoch
    for name, p in net.params.items():
        np.testing.assert_array_equal(p, ref.params[name])
    with pytest.raises(ValueError, match="val"):
        dbn.train_classifier(net, X, y, optimiser=SGD(0.1), epochs=1, rng=np.random.default_rng(0), patience=3)


def test_generate_digits_clamps_the_requested_labels():
    X, y = small_data(90)
    rng = np.random.default_rng(0)
    stack = dbn.pretrain_stack(X, [16], rng, epochs=100, lr=0.2)
    top = dbn.train_labelled_rbm(stack[0].hidden_probs(X), y, 32, rng, n_classes=3, epochs=300, lr=0.2)
    assert top.n_visible == 19 and top.n_classes == 3
    requested = np.array([0, 1, 2] * 20)
    out = dbn.generate_digits(stack, top, requested, rng, steps=30)
    assert out.shape == (60, 64) and out.min() >= 0 and out.max() <= 1
    # the generated images mostly carry the requested class's block of pixels (chance: 1 in 3;
    # 0.67-0.88 over eight seeds with softmax labels)
    blocks = np.stack([out[:, :20].mean(1), out[:, 20:40].mean(1), out[:, 40:].mean(1)], axis=1)
    assert np.mean(blocks.argmax(1) == requested) >= 0.6
    # without the last mean-field step the sampled features go down: same shape, noisier images
    sampled = dbn.generate_digits(stack, top, requested, np.random.default_rng(1), steps=30, mean_field=False)
    again = dbn.generate_digits(stack, top, requested, np.random.default_rng(1), steps=30)
    assert sampled.shape == again.shape and not np.allclose(sampled, again)
    with pytest.raises(TypeError, match="mean_field"):
        dbn.generate_digits(stack, top, requested, rng, steps=1, mean_field="no")


def test_generation_keeps_the_label_clamped():
    """A hand-made top RBM whose label biases favour label 0 strongly: a free label would jump to 0
    at the first Gibbs step and every image would show feature 0; a clamped one keeps the request."""
    W = np.zeros((3, 6))
    for j in range(3):
        W[j, j] = W[j, 3 + j] = 5.0  # hidden unit j links feature j and label j
    top = dbn.LabelledRBM(W, np.array([-2.0, -2, -2, 10, -10, -10]), np.full(3, -6.0), 3)
    requested = np.array([0, 1, 2] * 20)
    out = dbn.generate_digits([], top, requested, np.random.default_rng(0), steps=100)  # no lower layers
    assert out.shape == (60, 3)
    for k in range(3):
        assert np.mean(out[requested == k].argmax(axis=1) == k) >= 0.8


def test_optimiser_and_weight_decay_follow_the_heavy_ball_update():
    from nnbook.scratch.losses import softmax_cross_entropy_grad

    X, y = small_data(30)
    rng = np.random.default_rng(0)
    net = dbn.random_classifier(64, [8], 3, rng)
    ref = {n: p.copy() for n, p in net.params.items()}
    lr, mu, wd = 0.3, 0.8, 0.01
    # one batch holding every example, so the shuffle does not change the gradient
    dbn.train_classifier(
        net, X, y, optimiser=SGD(lr, momentum=mu), epochs=3, rng=rng, batch_size=len(X), weight_decay=wd
    )
    copy = dbn.random_classifier(64, [8], 3, np.random.default_rng(1))
    for n, p in copy.params.items():
        p[...] = ref[n]
    v = {n: np.zeros_like(p) for n, p in ref.items()}
    for _ in range(3):
        z, cache = copy.forward(X)
        _, g = copy.backward(cache, softmax_cross_entropy_grad(z, y))
        for n, p in copy.params.items():
            grad = g[n] + (wd * p if n.endswith(".W") else 0.0)  # weight decay on weights, not biases
            v[n] = mu * v[n] + grad
            p -= lr * v[n]
    for n, p in net.params.items():
        np.testing.assert_allclose(p, copy.params[n], rtol=1e-12, atol=1e-14)
    with pytest.raises(ValueError, match="weight_decay"):
        dbn.train_classifier(net, X, y, optimiser=SGD(0.1), epochs=1, rng=rng, weight_decay=-1.0)


# --- the label units of the top RBM form one softmax group -----------------------------------------


def random_labelled_rbm(n_features: int, n_classes: int, n_hidden: int, seed: int) -> dbn.LabelledRBM:
    rng = np.random.default_rng(seed)
    n = n_features + n_classes
    return dbn.LabelledRBM(rng.normal(size=(n_hidden, n)), rng.normal(size=n), rng.normal(size=n_hidden), n_classes)


def test_label_probabilities_sum_to_one_and_samples_are_one_hot():
    top = random_labelled_rbm(5, 4, 6, 0)
    rng = np.random.default_rng(1)
    h = (rng.random((500, 6)) < 0.5).astype(float)
    p = top.visible_probs(h)
    np.testing.assert_allclose(p[:, 5:].sum(axis=1), 1.0, rtol=1e-12)
    assert np.all((p[:, :5] > 0) & (p[:, :5] < 1))
    v = top.sample_visible(h, rng)
    assert set(np.unique(v)) <= {0.0, 1.0}
    np.testing.assert_array_equal(v[:, 5:].sum(axis=1), 1.0)  # exactly one label unit on
    # Gibbs steps, and so CD training, go through the same sampler
    v2, _ = R.gibbs_step(top, v, rng)
    np.testing.assert_array_equal(v2[:, 5:].sum(axis=1), 1.0)


def test_label_samples_follow_the_softmax():
    top = random_labelled_rbm(2, 3, 2, 3)
    h = np.tile([1.0, 0.0], (40_000, 1))
    v = top.sample_visible(h, np.random.default_rng(0))
    np.testing.assert_allclose(v[:, 2:].mean(axis=0), top.visible_probs(h[:1])[0, 2:], atol=0.01)


@pytest.mark.parametrize("seed", range(5))
def test_label_conditionals_equal_brute_force_enumeration(seed):
    """p(label | features) and p(label | h) summed over the allowed joint states, one-hot labels only."""
    top = random_labelled_rbm(3, 4, 3, seed)
    H = R.binary_states(3)
    labels = np.eye(4)
    features = R.binary_states(3)
    for x in features:
        V = np.hstack([np.tile(x, (4, 1)), labels])  # x with each possible label
        log_joint = R.log_marginal_brute_force(top, V)  # log sum_h exp(-E(x, e_k, h)), one per label
        expected = np.exp(log_joint - log_joint.max())
        np.testing.assert_allclose(top.label_probs(x)[0], expected / expected.sum(), rtol=1e-10)
    h = H[seed % len(H)]
    V = top.visible_states()
    assert len(V) == 2**3 * 4 and np.all(V[:, 3:].sum(axis=1) == 1)
    weights = np.exp(-top.energy(V, np.repeat(h[None], len(V), 0)))
    np.testing.assert_allclose(top.visible_probs(h)[0], weights / weights.sum() @ V, rtol=1e-10)


def test_labelled_rbm_partition_function_sums_over_one_hot_labels_only():
    top = random_labelled_rbm(3, 3, 2, 7)
    V = top.visible_states()
    p = np.exp(-top.free_energy(V) - R.log_partition(top))
    np.testing.assert_allclose(p.sum(), 1.0, rtol=1e-12)
    plain = R.RBM(top.W, top.b, top.c)  # the same weights with Bernoulli label units: a different Z
    assert R.log_partition(plain) > R.log_partition(top) + 1e-3


def test_trained_top_rbm_classifies_its_training_data():
    X, y = small_data(90)
    rng = np.random.default_rng(0)
    stack = dbn.pretrain_stack(X, [16], rng, epochs=50, lr=0.2)
    top = dbn.train_labelled_rbm(stack[0].hidden_probs(X), y, 32, rng, n_classes=3, epochs=100, lr=0.1)
    assert isinstance(top.copy(), dbn.LabelledRBM) and top.copy().n_classes == 3
    p = top.label_probs(stack[0].hidden_probs(X))
    assert np.mean(p.argmax(axis=1) == y) > 0.9


def test_labelled_rbm_rejects_bad_label_groups():
    with pytest.raises(ValueError, match="n_classes"):
        dbn.LabelledRBM(np.zeros((2, 4)), np.zeros(4), np.zeros(2), 4)
    with pytest.raises(ValueError, match="n_classes"):
        dbn.LabelledRBM(np.zeros((2, 4)), np.zeros(4), np.zeros(2), 1)


def test_fine_tune_is_cosine_adam_with_weight_decay_and_augmentation():
    from nnbook.scratch.optim import cosine_lr

    X, y = small_data()

    def run(**kw):
        rng = np.random.default_rng(0)
        net = dbn.random_classifier(64, [16], 3, rng, dropout=0.2)
        return net, dbn.fine_tune(net, X, y, rng, epochs=20, **kw)

    net, hist = run()
    np.testing.assert_allclose(hist["lr"], [cosine_lr(5e-3, e, 20) for e in range(20)])
    assert hist["loss"][-1] < hist["loss"][0] and dbn.classifier_accuracy(net, X, y) == 1.0
    same = dbn.train_classifier(  # what fine_tune says it is
        dbn.random_classifier(64, [16], 3, rng := np.random.default_rng(0), dropout=0.2),
        X,
        y,
        optimiser=Adam(5e-3),
        epochs=20,
        rng=rng,
        batch_size=32,
        weight_decay=1e-4,
        cosine=True,
    )
    np.testing.assert_array_equal(hist["loss"], same["loss"])
    calls = []
    run(augment=lambda images: calls.append(1) or images)
    assert len(calls) == 20


def test_cosine_schedule_and_augmentation_each_epoch():
    from nnbook.scratch.optim import cosine_lr

    X, y = small_data()

    def run(**kw):
        rng = np.random.default_rng(3)
        net = dbn.random_classifier(64, [8], 3, rng)
        opt = Adam(1e-2)
        hist = dbn.train_classifier(net, X, y, optimiser=opt, epochs=5, rng=rng, **kw)
        return net, hist

    _, hist = run(cosine=True)
    np.testing.assert_allclose(hist["lr"], [cosine_lr(1e-2, e, 5) for e in range(5)])
    _, flat = run()
    np.testing.assert_array_equal(flat["lr"], [1e-2] * 5)

    seen = []
    plain, _ = run()
    same, _ = run(augment=lambda images: seen.append(images) or images)  # an augmentation that changes nothing
    assert len(seen) == 5 and all(s is X for s in seen)  # called once per epoch, on the training images
    for name, p in plain.params.items():
        np.testing.assert_array_equal(p, same.params[name])
    moved, _ = run(augment=lambda images: np.roll(images, 1, axis=1))
    assert not np.allclose(moved.params["0.W"], plain.params["0.W"])  # training sees what augment returns
    with pytest.raises(TypeError, match="augment"):
        run(augment="shift")
