"""nnbook.fit and nnbook.keras_style: the training loop, its history, early stopping and errors."""
import numpy as np
import pytest
import torch
from torch import nn

from nnbook import fit as F
from nnbook.keras_style import Sequential, Trainer
from nnbook.runtime import seed


def toy(n=200, seed_=0):
    """A linearly separable two-class problem in 2-D with integer labels."""
    rng = np.random.default_rng(seed_)
    X = rng.normal(size=(n, 2))
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(np.int64)
    return X, y


def model_and_opt(lr=0.1, s=0):
    seed(s)
    model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 2))
    return model, torch.optim.SGD(model.parameters(), lr=lr)


def run(model, opt, **kw):
    kw = {"loss": "cross_entropy", "optimiser": opt, "epochs": 5, "batch_size": 32, "progress": False, "device": "cpu", **kw}
    return F.fit(model, kw.pop("data", toy()), **kw)


def test_loss_decreases_on_a_toy_problem():
    model, opt = model_and_opt()
    h = run(model, opt, epochs=30, metrics=["accuracy"])
    assert h.train["loss"][-1] < 0.5 * h.train["loss"][0]
    assert h.train["accuracy"][-1] > 0.95


def test_history_lengths_and_frame():
    model, opt = model_and_opt()
    h = run(model, opt, epochs=7, val_data=toy(50, 1), metrics=["accuracy"])
    assert len(h) == h.epochs == 7
    assert all(len(v) == 7 for v in (*h.train.values(), *h.val.values(), h.lr))
    assert set(h.val) == {"loss", "accuracy"}
    df = h.to_frame()
    assert list(df.columns) == ["loss", "accuracy", "val_loss", "val_accuracy", "lr"] and len(df) == 7
    assert h.best_epoch == 6 and not h.stopped_early


def test_progress_false_prints_nothing(capsys):
    model, opt = model_and_opt()
    run(model, opt, epochs=3, progress=False)
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""


def test_progress_true_shows_a_bar(capsys):
    model, opt = model_and_opt()
    run(model, opt, epochs=3, progress=True)
    assert "epochs" in capsys.readouterr().err


def overfitting_setup():
    """A big network on 20 noisy points: it overfits, so the validation loss rises after a while."""
    rng = np.random.default_rng(0)
    X, Xv = rng.normal(size=(20, 5)), rng.normal(size=(200, 5))
    y, yv = rng.integers(0, 2, 20), rng.integers(0, 2, 200)
    seed(0)
    model = nn.Sequential(nn.Linear(5, 256), nn.ReLU(), nn.Linear(256, 2))
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    return model, opt, (X, y), (Xv, yv)


def test_an_early_stop_ends_with_a_complete_bar_that_says_so(capsys):
    model, opt, data, val = overfitting_setup()
    h = run(model, opt, data=data, val_data=val, epochs=200, batch_size=None, early_stopping=3, progress=True)
    assert h.stopped_early
    last = capsys.readouterr().err.replace("\r", "\n").strip().splitlines()[-1]
    assert f"stopped early at {len(h)}" in last and f"{len(h)}/{len(h)}" in last and "100%" in last


def test_seed_makes_runs_identical():
    hs, ws = [], []
    for _ in range(2):
        model, opt = model_and_opt()
        model = nn.Sequential(*model[:2], nn.Dropout(0.3), model[2])  # dropout draws random numbers too
        hs.append(run(model, opt, epochs=4, seed=7).train["loss"])
        ws.append(torch.cat([p.flatten() for p in model.parameters()]))
    assert hs[0] == hs[1]
    assert torch.equal(ws[0], ws[1])
    model, opt = model_and_opt()
    assert run(model, opt, epochs=4, seed=8).train["loss"] != hs[0]


def test_early_stopping_stops_and_restores_best_weights():
    model, opt, (X, y), (Xv, yv) = overfitting_setup()
    snapshots = {}

    class Sched(torch.optim.lr_scheduler.LRScheduler):  # records the weights after every epoch
        def __init__(self, opt):
            super().__init__(opt)

        def get_lr(self):
            snapshots[len(snapshots)] = [p.detach().clone() for p in model.parameters()]
            return [g["lr"] for g in self.optimizer.param_groups]

    sched = Sched(opt)
    snapshots.clear()
    h = run(model, opt, data=(X, y), val_data=(Xv, yv), epochs=200, batch_size=None, early_stopping=F.EarlyStopping(patience=5), scheduler=sched)
    assert h.stopped_early and len(h) < 200
    best = int(np.argmin(h.val["loss"]))
    assert h.best_epoch == best and len(h) == best + 1 + 5
    for p, q in zip(model.parameters(), snapshots[best]):
        assert torch.equal(p, q)
    assert F.evaluate(model, (Xv, yv), loss="cross_entropy", device="cpu")["loss"] == pytest.approx(h.val["loss"][best], rel=1e-6)


def test_early_stopping_as_int_and_without_restore():
    model, opt = model_and_opt()
    h = run(model, opt, epochs=3, val_data=toy(30, 2), early_stopping=2)
    assert h.best_epoch is not None
    with pytest.raises(ValueError, match="patience"):
        F.EarlyStopping(patience=0)


def test_scheduler_changes_learning_rate():
    model, opt = model_and_opt(lr=1.0)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    h = run(model, opt, epochs=5, scheduler=sched)
    assert h.lr == [1.0, 1.0, 0.5, 0.5, 0.25]


def test_augment_is_applied_to_training_batches_only():
    seen = []
    model, opt = model_and_opt()

    def aug(xb):
        seen.append(len(xb))
        return xb

    run(model, opt, epochs=2, batch_size=50, val_data=toy(30, 1), augment=aug)
    assert seen == [50] * 8


def test_evaluate_and_predict():
    model, opt = model_and_opt()
    X, y = toy()
    run(model, opt, epochs=20)
    out = F.predict(model, X, batch_size=64, device="cpu")
    assert out.shape == (200, 2) and isinstance(out, np.ndarray)
    res = F.evaluate(model, (X, y), loss="cross_entropy", device="cpu")
    assert res["accuracy"] == pytest.approx(np.mean(out.argmax(1) == y))
    assert F.accuracy(torch.tensor([1.0, -2.0, 3.0]), torch.tensor([1, 0, 0])) == pytest.approx(2 / 3)


def test_save_load_round_trip(tmp_path):
    model, opt = model_and_opt()
    run(model, opt, epochs=3)
    F.save(model, tmp_path / "m.pt", note="toy")
    other, _ = model_and_opt(s=1)
    assert F.load(other, tmp_path / "m.pt") == {"note": "toy"}
    X, _ = toy()
    np.testing.assert_array_equal(F.predict(model, X, device="cpu"), F.predict(other, X, device="cpu"))
    with pytest.raises(ValueError, match="do not fit this model"):
        F.load(nn.Linear(2, 3), tmp_path / "m.pt")
    with pytest.raises(FileNotFoundError):
        F.load(other, tmp_path / "missing.pt")


@pytest.mark.parametrize(
    "kw, err, msg",
    [
        ({"epochs": 0}, ValueError, "epochs must be an integer >= 1"),
        ({"epochs": 2.5}, ValueError, "epochs"),
        ({"batch_size": 0}, ValueError, "batch_size"),
        ({"loss": "hinge"}, ValueError, "unknown loss"),
        ({"loss": 3}, TypeError, "loss must be a callable"),
        ({"optimiser": "adam"}, TypeError, "optimiser must be a torch.optim.Optimizer"),
        ({"early_stopping": 3}, ValueError, "needs val_data"),
        ({"early_stopping": "yes"}, TypeError, "early_stopping must be"),
        ({"data": (np.zeros((3, 2)), np.zeros(4, dtype=int))}, ValueError, "same number of examples"),
        ({"data": np.zeros((3, 2))}, TypeError, "pair"),
        ({"metrics": ["f1"]}, ValueError, "unknown metric"),
        ({"progress": "no"}, TypeError, "progress"),
        ({"augment": 5}, TypeError, "augment"),
    ],
)
def test_bad_arguments_raise_clear_errors(kw, err, msg):
    model, opt = model_and_opt()
    with pytest.raises(err, match=msg):
        run(model, opt, **kw)


def test_optimiser_of_another_model_is_rejected():
    model, _ = model_and_opt()
    _, opt = model_and_opt()
    with pytest.raises(ValueError, match="none of this model's parameters"):
        run(model, opt)
    with pytest.raises(TypeError, match="nn.Module"):
        F.fit("model", toy(), loss="mse", optimiser=opt, epochs=1, batch_size=1)


def test_scheduler_of_another_optimiser_is_rejected():
    model, opt = model_and_opt()
    _, opt2 = model_and_opt()
    with pytest.raises(ValueError, match="different optimiser"):
        run(model, opt, scheduler=torch.optim.lr_scheduler.StepLR(opt2, 1))


def test_keras_style_matches_the_explicit_loop():
    X, y = toy()
    seed(3)
    net = Sequential([nn.Linear(2, 8), nn.ReLU()]).add(nn.Linear(8, 2))
    net.compile(optimiser="sgd", lr=0.1, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    h1 = net.fit(X, y, epochs=5, batch_size=32, verbose=0, seed=1, device="cpu")
    model, opt = model_and_opt(s=3)
    h2 = run(model, opt, epochs=5, seed=1, metrics=["accuracy"])
    assert h1.train == h2.train
    res = net.evaluate(X, y)
    assert set(res) == {"loss", "accuracy"}
    assert net.predict(X).shape == (200, 2)
    assert net.count_params() == 2 * 8 + 8 + 8 * 2 + 2
    assert "total trainable" in net.summary()


def test_keras_style_errors(tmp_path):
    net = Sequential([nn.Linear(2, 2)])
    with pytest.raises(RuntimeError, match="compile"):
        net.fit(*toy())
    with pytest.raises(ValueError, match="unknown optimiser"):
        net.compile(optimiser="adagrad2")
    with pytest.raises(TypeError, match="list of layers"):
        Sequential(nn.Linear(2, 2))
    with pytest.raises(TypeError, match="layer 0"):
        Sequential(["dense"])
    with pytest.raises(TypeError, match="wraps a torch.nn.Module"):
        Trainer(3)
    net.compile()
    with pytest.raises(RuntimeError, match="before compile"):
        net.add(nn.ReLU())
    net.save(tmp_path / "w.pt")
    assert isinstance(Sequential([nn.Linear(2, 2)]).load(tmp_path / "w.pt"), Sequential)


# --- the chapter's helpers (nnbook.demos.training) ---------------------------------------------
from nnbook.demos import training as T  # noqa: E402


def test_random_shift_moves_pixels_and_keeps_shape():
    img = np.zeros((1, 8, 8))
    img[0, 3, 4] = 1.0
    out = T.random_shift(np.repeat(img, 500, axis=0), 1, generator=torch.Generator().manual_seed(0))
    assert out.shape == (500, 8, 8)
    pos = {tuple(np.argwhere(o.numpy())[0]) for o in out}
    assert pos == {(3 + dy, 4 + dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1)}  # all nine shifts occur
    flat = T.random_shift(img.reshape(1, 64), 2, generator=torch.Generator().manual_seed(1))
    assert flat.shape == (1, 64) and flat.sum() == 1.0
    edge = np.zeros((1, 8, 8))
    edge[0, 0, :] = 1.0  # a row on the border can fall off the image
    outs = T.random_shift(np.repeat(edge, 200, axis=0), 1, generator=torch.Generator().manual_seed(0))
    assert {float(o.sum()) for o in outs} == {0.0, 7.0, 8.0}


def test_random_shift_p_and_zero_and_errors():
    X = np.random.default_rng(0).random((300, 64))
    np.testing.assert_array_equal(T.random_shift(X, 0).numpy(), X.astype(np.float32))
    np.testing.assert_array_equal(T.random_shift(X, 1, p=0.0).numpy(), X.astype(np.float32))
    moved = (T.random_shift(X, 1, p=0.5, generator=torch.Generator().manual_seed(0)).numpy() != X.astype(np.float32)).any(1).mean()
    assert 0.35 < moved < 0.55  # half are picked, and 1 in 9 of those draws the zero shift
    with pytest.raises(ValueError, match=r"shape \(n, 8, 8\) or \(n, 64\)"):
        T.random_shift(np.zeros((2, 10)))
    with pytest.raises(ValueError, match="max_shift"):
        T.random_shift(X, 8)
    with pytest.raises(ValueError, match="probability"):
        T.random_shift(X, 1, p=1.5)


def test_expected_cost_and_best_threshold():
    y = np.array([0, 0, 1, 1])
    p = np.array([0.1, 0.6, 0.4, 0.9])
    assert T.expected_cost(y, p, 0.5, 1, 10) == pytest.approx((1 + 10) / 4)
    assert T.expected_cost(y, p, 0.0, 1, 10) == pytest.approx(2 / 4)  # flag everyone: two false alarms
    assert T.expected_cost(y, p, 1.01, 1, 10) == pytest.approx(20 / 4)
    assert T.best_threshold(y, p, 1, 10) == pytest.approx(0.4)
    assert T.best_threshold(y, p, 10, 1) == pytest.approx(0.9)
    with pytest.raises(ValueError, match="same length"):
        T.expected_cost(y, p[:3], 0.5, 1, 1)
    with pytest.raises(ValueError, match="labels 0"):
        T.expected_cost(np.array([0, 2, 1, 1]), p, 0.5, 1, 1)
    with pytest.raises(ValueError, match="costs"):
        T.expected_cost(y, p, 0.5, -1, 1)


def test_digits_splits_and_subsample():
    d = T.digits_splits()
    assert (len(d.y_train), len(d.y_val), len(d.y_test)) == (1077, 270, 450)
    Xs, ys = T.subsample(*d.train, 100)
    assert len(Xs) == 100 and set(ys) == set(range(10))
    with pytest.raises(ValueError, match="n must be"):
        T.subsample(*d.train, 0)
    with pytest.raises(ValueError, match="val_fraction"):
        T.digits_splits(1.5)


def test_train_digits_mlp_is_repeatable_and_learns():
    d = T.digits_splits()
    runs = [T.train_digits_mlp(d, hidden=(16,), epochs=3, n_train=200, augment=1, dropout=0.1, seed=4)[1] for _ in range(2)]
    assert runs[0].train == runs[1].train and len(runs[0]) == 3
    assert runs[0].val["loss"][-1] < runs[0].val["loss"][0]
    with pytest.raises(ValueError, match="optimiser must be"):
        T.train_digits_mlp(d, optimiser="lbfgs", epochs=1)


def test_figures_draw():
    import matplotlib.pyplot as plt

    d = T.digits_splits()
    h = {(0.0, 0.0): T.train_digits_mlp(d, hidden=(8,), epochs=2, n_train=100)[1]}
    figs = [
        T.workflow_figure(),
        T.curves_figure({"a": h[(0.0, 0.0)]}, title="t"),
        T.regularisation_figure(h, 0.0, 0.0),
        T.sweep_figure([1, 2], [0.1, 0.2], [0.2, 0.3], xlabel="x"),
        T.shifted_examples_figure(d.X_test),
        T.similarity_matrix_figure(np.eye(3), ["a", "b", "c"], title="t"),
        T.mds_figure(np.random.rand(6, 2), [0, 0, 0, 1, 1, 1], ["l1", "l2", "out"], title="t"),
        T.reliability_figure(np.array([0, 1] * 20), {"m": np.linspace(0, 1, 40)}),
        T.cost_figure(np.array([0, 1] * 20), {"m": np.linspace(0, 1, 40)}, 1, 5),
    ]
    assert all(f.axes for f in figs)
    with pytest.raises(ValueError, match="no precomputed run"):
        T.regularisation_figure(h, 0.5, 0.0)
    plt.close("all")
