"""nnbook.fit: the training loop, its history, early stopping, the progress bar and errors."""

import numpy as np
import pytest
import torch
from torch import nn

from nnbook import fit as F
from nnbook.history import History
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
    kw = {
        "loss": "cross_entropy",
        "optimiser": opt,
        "epochs": 5,
        "batch_size": 32,
        "progress": False,
        "device": "cpu",
        **kw,
    }
    return F.fit(model, kw.pop("data", toy()), **kw)


def test_loss_decreases_on_a_toy_problem():
    model, opt = model_and_opt()
    h = run(model, opt, epochs=30, metrics=["accuracy"])
    assert h["loss"][-1] < 0.5 * h["loss"][0]
    assert h["accuracy"][-1] > 0.95


def test_history_lengths_and_frame():
    model, opt = model_and_opt()
    h = run(model, opt, epochs=7, val_data=toy(50, 1), metrics=["accuracy"])
    assert isinstance(h, History) and len(h) == 7
    assert all(len(h[k]) == 7 for k in h.records)
    df = h.to_frame()
    assert list(df.columns) == ["loss", "accuracy", "val_loss", "val_accuracy", "lr"] and len(df) == 7


def test_progress_false_prints_nothing(capsys):
    model, opt = model_and_opt()
    run(model, opt, epochs=3, progress=False)
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""


def test_progress_true_shows_a_bar(capsys):
    model, opt = model_and_opt()
    run(model, opt, epochs=3, progress=True)
    last = capsys.readouterr().err.replace("\r", "\n").strip().splitlines()[-1]
    assert last.startswith("epochs: 100%") and "3/3" in last and "loss=" in last


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
    es = F.EarlyStopping(patience=3)
    h = run(model, opt, data=data, val_data=val, epochs=200, batch_size=None, early_stopping=es, progress=True)
    assert es.stopped_epoch == len(h) - 1 < 199
    last = capsys.readouterr().err.replace("\r", "\n").strip().splitlines()[-1]
    assert f"stopped early at {len(h)}" in last and f"{len(h)}/{len(h)}" in last and "100%" in last
    assert f"val_loss={h['val_loss'][-1]:.4f}" in last  # the last losses stay on the bar


def test_seed_makes_runs_identical():
    hs, ws = [], []
    for _ in range(2):
        model, opt = model_and_opt()
        model = nn.Sequential(*model[:2], nn.Dropout(0.3), model[2])  # dropout draws random numbers too
        hs.append(run(model, opt, epochs=4, seed=7)["loss"].tolist())
        ws.append(torch.cat([p.flatten() for p in model.parameters()]))
    assert hs[0] == hs[1]
    assert torch.equal(ws[0], ws[1])
    model, opt = model_and_opt()
    assert run(model, opt, epochs=4, seed=8)["loss"].tolist() != hs[0]


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
    es = F.EarlyStopping(patience=5)
    h = run(model, opt, data=(X, y), val_data=(Xv, yv), epochs=200, batch_size=None, early_stopping=es, scheduler=sched)
    assert es.stopped_epoch == len(h) - 1 and len(h) < 200
    best = int(np.argmin(h["val_loss"]))
    assert es.best_epoch == best and len(h) == best + 1 + 5 and es.best_loss == h["val_loss"][best]
    for p, q in zip(model.parameters(), snapshots[best]):
        assert torch.equal(p, q)
    assert F.evaluate(model, (Xv, yv), loss="cross_entropy", device="cpu")["loss"] == pytest.approx(
        h["val_loss"][best], rel=1e-6
    )


def test_early_stopping_as_int_is_the_same_rule_and_restores():
    model, opt, data, val = overfitting_setup()
    h_int = run(model, opt, data=data, val_data=val, epochs=200, batch_size=None, early_stopping=5)
    restored = F.evaluate(model, val, loss="cross_entropy", device="cpu")["loss"]
    model2, opt2, _, _ = overfitting_setup()
    es = F.EarlyStopping(patience=5)
    h_obj = run(model2, opt2, data=data, val_data=val, epochs=200, batch_size=None, early_stopping=es)
    assert h_int.records == h_obj.records and len(h_int) < 200  # same stop, same history
    assert restored == pytest.approx(h_int["val_loss"].min(), rel=1e-6)  # the best weights, not the last
    assert restored < h_int["val_loss"][-1]


def test_without_restore_the_model_keeps_its_last_weights():
    model, opt, data, val = overfitting_setup()
    es = F.EarlyStopping(patience=5, restore_best=False)
    h = run(model, opt, data=data, val_data=val, epochs=200, batch_size=None, early_stopping=es)
    last = F.evaluate(model, val, loss="cross_entropy", device="cpu")["loss"]
    assert es.stopped_epoch == len(h) - 1 and es.best_state is None
    assert last == pytest.approx(h["val_loss"][-1], rel=1e-6) and last > h["val_loss"].min()


def test_min_delta_demands_a_real_improvement():
    es = F.EarlyStopping(patience=2, min_delta=0.1)
    model = nn.Linear(1, 1)
    assert [es.update(v, model) for v in (1.0, 0.95, 0.91)] == [False, False, True]
    assert es.best_epoch == 0 and es.best_loss == 1.0
    es.reset()
    assert [es.update(v, model) for v in (1.0, 0.89, 0.85, 0.80)] == [False, False, False, True]
    assert es.best_epoch == 1 and es.best_loss == 0.89


def test_early_stopping_update_keeps_the_best_state_and_restores_it():
    model = nn.Linear(2, 1)
    es = F.EarlyStopping(patience=3)
    with torch.no_grad():
        model.weight.fill_(1.0)
    es.update(0.5, model)
    with torch.no_grad():
        model.weight.fill_(2.0)
    assert not es.update(0.7, model)
    es.restore(model)
    assert torch.equal(model.weight, torch.ones(1, 2))
    off = F.EarlyStopping(patience=3, restore_best=False)
    off.update(0.5, model)
    with torch.no_grad():
        model.weight.fill_(3.0)
    off.restore(model)
    assert torch.equal(model.weight, torch.full((1, 2), 3.0))


def test_an_early_stopping_object_can_watch_two_runs():
    es = F.EarlyStopping(patience=2)
    for _ in range(2):
        model, opt, data, val = overfitting_setup()
        h = run(model, opt, data=data, val_data=val, epochs=200, batch_size=None, early_stopping=es)
        assert es.best_epoch == int(np.argmin(h["val_loss"])) and es.stopped_epoch == len(h) - 1


@pytest.mark.parametrize(
    "kw, msg",
    [
        ({"patience": 0}, "patience"),
        ({"patience": 2.0}, "patience"),
        ({"min_delta": -1}, "min_delta"),
        ({"restore_best": 1}, "restore_best"),
    ],
)
def test_early_stopping_settings_are_checked(kw, msg):
    with pytest.raises((ValueError, TypeError), match=msg):
        F.EarlyStopping(**kw)


def test_scheduler_changes_learning_rate():
    model, opt = model_and_opt(lr=1.0)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    h = run(model, opt, epochs=5, scheduler=sched)
    assert h["lr"].tolist() == [1.0, 1.0, 0.5, 0.5, 0.25]


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
        ({"epochs": 0}, ValueError, "^epochs must be an integer >= 1; got 0"),
        ({"epochs": 2.5}, ValueError, "^epochs must be"),
        ({"epochs": None}, ValueError, "^epochs must be an integer >= 1; got None"),
        ({"batch_size": 0}, ValueError, r"^batch_size must be an integer >= 1 or None \(one batch\)"),
        ({"data": (np.zeros((3, 2)),)}, TypeError, "^train_data must be a pair"),
        ({"data": (np.zeros((0, 2)), np.zeros(0, dtype=int))}, ValueError, "^train_data is empty"),
        (
            {"val_data": (np.zeros((3, 2)), np.zeros(2, dtype=int))},
            ValueError,
            "^val_data: X and y must have the same number",
        ),
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


def test_bce_with_logits_on_a_one_logit_model():
    X, y = toy()
    seed(0)
    model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1))
    h = F.fit(
        model,
        (X, y),
        loss="bce_with_logits",
        optimiser=torch.optim.Adam(model.parameters(), lr=0.05),
        epochs=30,
        batch_size=None,
        metrics=["accuracy"],
        progress=False,
        device="cpu",
    )
    assert h["accuracy"][-1] > 0.95  # integer labels and (n, 1) outputs are accepted
    out = torch.tensor([[0.3], [-1.2]])
    expected = nn.functional.binary_cross_entropy_with_logits(out[:, 0], torch.tensor([1.0, 0.0]))
    assert F.get_loss("bce_with_logits")(out, torch.tensor([1, 0])) == expected
    with pytest.raises(ValueError, match="one logit per example"):
        F.get_loss("bce_with_logits")(torch.zeros(2, 3), torch.tensor([1, 0]))


def test_keras_names_are_not_core_losses():
    assert "binary_crossentropy" not in F.TORCH_LOSSES and "sparse_categorical_crossentropy" not in F.TORCH_LOSSES


def test_metrics_as_a_dict_are_used():
    model, opt = model_and_opt()
    h = run(model, opt, epochs=2, val_data=toy(30, 1), metrics={"acc": lambda o, t: 0.25})
    assert h["acc"].tolist() == [0.25, 0.25] and h["val_acc"].tolist() == [0.25, 0.25]
    with pytest.raises(ValueError, match="may not be called"):
        run(model, opt, metrics={"val_x": lambda o, t: 0.0})


def test_an_equal_loss_is_no_improvement():
    es, model = F.EarlyStopping(patience=1), nn.Linear(1, 1)
    assert not es.update(1.0, model)
    assert es.update(1.0, model) and es.best_epoch == 0


def test_patience_one_and_zero_min_delta_are_allowed():
    es = F.EarlyStopping(patience=1, min_delta=0)
    assert es.patience == 1
    with pytest.raises(TypeError, match="min_delta must be a real number"):  # a bool is the wrong type
        F.EarlyStopping(min_delta=True)
    with pytest.raises(ValueError, match="min_delta must be a finite number >= 0"):
        F.EarlyStopping(min_delta=-0.1)


@pytest.mark.parametrize(
    "call",
    [
        lambda m: F.evaluate(m, toy(), batch_size=0),
        lambda m: F.predict(m, toy()[0], batch_size=0),
    ],
)
def test_evaluate_and_predict_check_batch_size(call):
    model, _ = model_and_opt()
    with pytest.raises(ValueError, match="batch_size must be an integer >= 1"):
        call(model)


def test_the_epoch_loss_is_the_mean_over_all_examples():
    model, _ = model_and_opt()
    frozen = torch.optim.SGD(model.parameters(), lr=0.0)  # nothing changes: every batch sees the same model
    h = run(model, frozen, epochs=2, batch_size=32)  # 200 examples: six batches of 32 and one of 8
    full = F.evaluate(model, toy(), loss="cross_entropy", device="cpu")["loss"]
    assert h["loss"] == pytest.approx([full, full], rel=1e-6)


def test_each_epoch_shuffles_and_sees_every_example_once():
    X = np.arange(40, dtype=float).reshape(20, 2)
    y = np.zeros(20, dtype=np.int64)
    seen = []
    model, opt = model_and_opt()
    run(
        model, opt, data=(X, y), epochs=2, batch_size=8, augment=lambda xb: seen.append(xb[:, 0].tolist()) or xb, seed=3
    )
    epochs = [sum(seen[:3], []), sum(seen[3:], [])]
    assert all(sorted(e) == X[:, 0].tolist() for e in epochs)  # a permutation each epoch
    assert epochs[0] != X[:, 0].tolist() and epochs[0] != epochs[1]  # shuffled, differently each epoch


def test_plateau_scheduler_watches_the_validation_loss_else_the_training_loss():
    for val in (toy(30, 1), None):
        model, opt = model_and_opt()
        watched = []

        class Recorder(torch.optim.lr_scheduler.ReduceLROnPlateau):
            def step(self, metrics, watched=watched):
                watched.append(metrics)
                super().step(metrics)

        h = run(model, opt, epochs=3, val_data=val, scheduler=Recorder(opt))
        assert watched == (h["val_loss"] if val is not None else h["loss"]).tolist()


def test_a_scheduler_without_an_optimizer_attribute_is_accepted():
    class Halve:  # any object with step() will do
        def __init__(self, opt):
            self.opt = opt

        def step(self):
            for g in self.opt.param_groups:
                g["lr"] /= 2

    model, opt = model_and_opt(lr=1.0)
    assert run(model, opt, epochs=3, scheduler=Halve(opt))["lr"].tolist() == [1.0, 0.5, 0.25]


def test_one_epoch_one_example_and_batches_of_one_are_fine():
    model, opt = model_and_opt()
    X, y = toy()
    assert len(run(model, opt, data=(X[:1], y[:1]), epochs=1, batch_size=1)) == 1


def test_progress_bar_is_on_by_default(capsys):
    model, opt = model_and_opt()
    F.fit(model, toy(), loss="cross_entropy", optimiser=opt, epochs=2, batch_size=None, device="cpu")
    assert "epochs" in capsys.readouterr().err


def test_as_tensor_dtypes():
    assert F.as_tensor(np.array([True, False])).dtype == torch.float32
    assert F.as_tensor(np.array([True, False])).tolist() == [1.0, 0.0]
    assert F.as_tensor(np.array([1, 2], dtype=np.int32)).dtype == torch.int64
    assert F.as_tensor(np.array([1.5], dtype=np.float64)).dtype == torch.float32
    assert F.as_tensor(np.zeros(3)).shape == (3,)  # 1-D inputs (one feature) are data too
    with pytest.raises(TypeError, match="must hold numbers"):
        F.as_tensor(np.array(["a"]))


def test_metrics_from_a_name_a_callable_a_list_or_a_dict():
    def hit_rate(o, t):
        return 1.0

    acc = F.get_metrics("accuracy")["accuracy"]
    assert F.get_metrics(hit_rate) == {"hit_rate": hit_rate}
    assert F.get_metrics(["accuracy", hit_rate]) == {"accuracy": acc, "hit_rate": hit_rate}
    assert F.get_metrics(None) == {} and F.get_metrics({"a": hit_rate}) == {"a": hit_rate}
    with pytest.raises(TypeError, match="^each metric must be a name or a callable"):
        F.get_metrics([3])
    with pytest.raises(TypeError, match="^metric 'a' must be a callable"):
        F.get_metrics({"a": 3})
    for reserved in ("loss", "lr", "val_accuracy"):
        with pytest.raises(ValueError, match="may not be called"):
            F.get_metrics({reserved: hit_rate})


def test_pair_accepts_one_feature_and_rejects_scalars():
    X, y = F._pair((np.zeros(3), np.zeros(3, dtype=int)), "d")
    assert X.shape == (3,) and y.dtype == torch.int64
    with pytest.raises(ValueError, match="first axis of examples"):
        F._pair((torch.tensor(1.0), np.zeros(3)), "d")
    with pytest.raises(ValueError, match="first axis of examples"):
        F._pair((np.zeros(3), torch.tensor(1)), "d")


def test_evaluate_without_a_loss_reports_the_metrics_only():
    model, opt = model_and_opt()
    assert set(F.evaluate(model, toy(), device="cpu")) == {"accuracy"}


def test_a_metric_without_a_name_is_called_metric():
    import functools

    def f(o, t, scale=1.0):
        return scale

    assert list(F.get_metrics([functools.partial(f, scale=2.0)])) == ["metric"]


def test_load_refuses_files_it_did_not_write(tmp_path):
    model, _ = model_and_opt()
    torch.save(torch.zeros(2), tmp_path / "tensor.pt")
    with pytest.raises(ValueError, match="not written by nnbook.fit.save"):
        F.load(model, tmp_path / "tensor.pt")
    torch.save({"state_dict": model.state_dict()}, tmp_path / "bare.pt")
    assert F.load(model, tmp_path / "bare.pt") == {}  # no info saved: an empty dict
    torch.save({"state_dict": model.state_dict(), "info": {"when": Unsafe()}}, tmp_path / "code.pt")
    with pytest.raises(Exception, match="(?i)weights_only|unpickl|unsupported"):
        F.load(model, tmp_path / "code.pt")  # loading never runs arbitrary pickled code


class Unsafe:
    """An arbitrary Python object: torch.load(weights_only=True) must refuse to unpickle it."""
