"""The Trainer as a generator: snapshot sequences, batching, controls between batches, live settings, timing."""

import json
import time

import numpy as np
import pytest

from core.data import playground, prepare
from core.network import Network
from core.spec import SpecError, default_spec, with_changes
from core.training import Trainer, fit
from core.training.clock import RunClock
from tests.core.test_trainer_clock import FakeTime


@pytest.fixture(scope="module")
def xor_data():
    # 100 points → 80 training rows, 20 validation rows (stratified split).
    return prepare(playground("xor", num_points=100, noise=0.0, seed=0), val_fraction=0.2)


def small_spec(**training):
    spec = default_spec(2, 2, hidden=(6,), activation="tanh").to_json()
    spec["training"].update({"epochs": 2, "batch_mode": "mini", "batch_size": 32, **training})
    return spec


def make_trainer(data, report_every=1, **training):
    return Trainer(Network.from_spec(small_spec(**training)), data, report_every=report_every)


def kinds(trainer):
    return [snap.kind for snap in trainer.run()]


def test_training_set_size(xor_data):
    assert xor_data.x_train.shape[0] == 80  # the counts below rely on it


@pytest.mark.parametrize("report_every, batch_snapshots", [(1, 3), (3, 1), (2, 1), (0, 0)])
def test_snapshot_counts_per_epoch(xor_data, report_every, batch_snapshots):
    # 80 rows in batches of 32 → 3 batches an epoch; the counter restarts at every epoch snapshot.
    seen = kinds(make_trainer(xor_data, report_every=report_every))
    expected_epoch = ["batch"] * batch_snapshots + ["epoch"]
    assert seen == expected_epoch * 2 + ["end"]


@pytest.mark.parametrize("mode, batches", [("full", 1), ("stochastic", 80), ("mini", 3)])
def test_steps_per_epoch_follow_the_batch_mode(xor_data, mode, batches):
    trainer = make_trainer(xor_data, report_every=0, batch_mode=mode, epochs=1)
    snaps = list(trainer.run())
    assert snaps[0].kind == "epoch" and snaps[0].batches_per_epoch == batches and snaps[0].step == batches
    assert snaps[-1].kind == "end" and snaps[-1].finished and snaps[-1].stop_reason == "completed"


def test_batch_snapshot_fields(xor_data):
    trainer = make_trainer(xor_data)
    first = next(iter(trainer.run()))
    assert (first.kind, first.epoch, first.step, first.batch_in_epoch) == ("batch", 0, 1, 1)
    assert first.metric_name == "accuracy" and first.layer_names == ["layer 1 (tanh)", "output (softmax)"]
    for figures in (first.grad_norms, first.grad_mean_abs, first.weight_norms, first.update_ratios):
        assert figures.shape == (2,) and np.all(np.isfinite(figures)) and np.all(figures > 0)
    assert first.val_loss is None and first.weight_histograms is None


def test_epoch_snapshot_has_validation_figures_and_confusion(xor_data):
    trainer = make_trainer(xor_data, report_every=0)
    epoch = next(iter(trainer.run()))
    assert epoch.kind == "epoch" and epoch.epoch == 1
    assert epoch.val_loss > 0 and 0.0 <= epoch.val_metric <= 1.0 and 0.0 <= epoch.train_metric <= 1.0
    assert epoch.confusion.shape == (2, 2) and epoch.confusion.sum() == 20
    assert np.trace(epoch.confusion) == round(epoch.val_metric * 20)


def test_history_records_every_epoch_and_is_json(xor_data):
    trainer = make_trainer(xor_data, report_every=0, epochs=3)
    list(trainer.run())
    assert [r["epoch"] for r in trainer.history] == [1, 2, 3]
    record = json.loads(json.dumps(trainer.history))[-1]
    assert set(record) == {"epoch", "train_loss", "train_metric", "val_loss", "val_metric", "lr", "grad_norms",
                           "elapsed", "grad_mean_abs", "update_ratios"}
    assert len(record["grad_norms"]) == 2 and record["lr"] == 0.01


def test_stop_ends_the_run_after_the_current_batch(xor_data):
    trainer = make_trainer(xor_data, epochs=50)
    run = trainer.run()
    for _ in range(2):
        next(run)
    trainer.stop()
    end = next(run)
    assert end.kind == "end" and end.stop_reason == "stopped" and end.step == 2
    with pytest.raises(StopIteration):
        next(run)


def test_a_stopped_run_resumes_where_it_stopped(xor_data):
    trainer = make_trainer(xor_data, epochs=2)
    run = trainer.run()
    next(run)
    trainer.stop()
    assert next(run).stop_reason == "stopped"
    snaps = list(trainer.run())
    assert snaps[0].step == 2 and snaps[-1].stop_reason == "completed" and trainer.step == 6


def test_report_every_may_change_between_next_calls(xor_data):
    trainer = make_trainer(xor_data, report_every=0, epochs=3)
    run = trainer.run()
    assert next(run).kind == "epoch"
    trainer.report_every = 1  # "step one batch"
    snap = next(run)
    assert (snap.kind, snap.step, snap.batch_in_epoch) == ("batch", 4, 1)


def test_set_live_lr_takes_effect_at_the_next_batch(xor_data):
    trainer = make_trainer(xor_data, epochs=1)
    run = trainer.run()
    assert next(run).lr == pytest.approx(0.01)
    trainer.set_live({"training.optimizer.lr": 0.5, "training.l2": 0.001})
    snap = next(run)
    assert snap.lr == 0.5 and trainer.steps.optimizer.hyper["lr"] == 0.5
    assert trainer.training["optimizer"]["lr"] == 0.5 and trainer.training["l2"] == 0.001


def test_a_live_change_gives_the_run_a_new_spec_and_leaves_the_networks_alone(xor_data):
    trainer = make_trainer(xor_data, epochs=1)
    networks = trainer.network.spec
    assert trainer.spec is networks  # immutable, so shared until something changes
    run = trainer.run()
    next(run)
    trainer.set_live("training.optimizer.lr", 0.5)
    next(run)
    assert trainer.spec.training.optimizer.lr == 0.5 and trainer.steps.training is trainer.spec.training
    assert trainer.network.spec is networks and networks.training.optimizer.lr == 0.01
    state = trainer.state_dict()
    trainer.set_live("training.optimizer.lr", 0.25)
    next(run)
    trainer.load_state_dict(state)  # the saved settings come back, to the step as well
    assert trainer.training.optimizer.lr == 0.5 and trainer.steps.training is trainer.training


def test_set_live_refuses_bad_values_with_the_setting_named(xor_data):
    trainer = make_trainer(xor_data)
    with pytest.raises(SpecError, match="lr must be > 0, got -1"):
        trainer.set_live("training.optimizer.lr", -1)
    with pytest.raises(SpecError, match="optimizer adam: unknown setting 'momentum'"):
        trainer.set_live("training.optimizer.momentum", 0.9)
    with pytest.raises(SpecError, match="training.epochs can't change while training") as info:
        trainer.set_live({"training.epochs": 3})
    assert info.value.where == "training.epochs"
    with pytest.raises(SpecError, match=r"^layers\[0\].units can't change while training; the live settings are "
                                        r"training.l1, .*training.optimizer.lr"):
        trainer.set_live("layers[0].units", 16)
    with pytest.raises(SpecError, match="not a setting path"):
        trainer.set_live("training..lr", 0.1)
    with pytest.raises(TypeError, match="value is missing"):
        trainer.set_live("training.optimizer.lr")
    assert trainer.controls.pending_live == {}  # nothing refused was queued


def test_requested_histograms_count_every_weight(xor_data):
    trainer = make_trainer(xor_data, epochs=1)
    run = trainer.run()
    assert next(run).weight_histograms is None
    trainer.request_histograms()
    snap = next(run)
    weights = [2 * 6, 6 * 2]  # W of each layer; biases are left out
    assert [int(h.counts.sum()) for h in snap.weight_histograms] == weights
    assert [int(h.counts.sum()) for h in snap.grad_histograms] == weights
    assert all(h.edges.shape == (31,) for h in snap.weight_histograms)
    assert next(run).weight_histograms is None  # a request covers one snapshot


def test_histograms_every_n_epochs(xor_data):
    net = Network.from_spec(small_spec(epochs=4))
    trainer = Trainer(net, xor_data, report_every=0, histogram_every=2, histogram_bins=5)
    epochs = [s for s in trainer.run() if s.kind == "epoch"]
    assert [s.weight_histograms is not None for s in epochs] == [False, True, False, True]
    assert epochs[1].weight_histograms[0].counts.shape == (5,)


def test_elapsed_time_excludes_pauses(xor_data):
    """A fake time source: each reading advances it by 1 ms, and the caller's pause by 1,000 s. No wall-clock
    timing, so neither a busy machine nor kernel loading on a cold cache can make it fail."""
    now = FakeTime(tick=0.001)
    trainer = make_trainer(xor_data, epochs=1)
    trainer.clock = RunClock(now=now)
    run = trainer.run()
    next(run)
    now.seconds += 1000.0  # the caller "pauses"
    snaps = list(run)
    assert 0 < snaps[-1].elapsed < 1.0 and snaps[-1].samples_per_second > 80


def test_fit_trains_to_the_end(xor_data):
    net, history = fit(small_spec(epochs=3), xor_data)
    assert isinstance(net, Network) and len(history) == 3
    assert history[-1]["train_loss"] < history[0]["train_loss"]


def test_regression_reports_r2():
    data = prepare(playground("plane", num_points=60, noise=0.0, seed=1), val_fraction=0.2)
    spec = default_spec(2, 1, task="regression", hidden=(4,)).to_json()
    spec["training"]["epochs"] = 2
    snaps = list(Trainer(Network.from_spec(spec), data, report_every=0).run())
    assert snaps[0].metric_name == "r2" and snaps[0].confusion is None and np.isfinite(snaps[0].val_metric)


def test_stop_from_another_thread_ends_a_running_loop(xor_data):
    import threading
    trainer = make_trainer(xor_data, report_every=1, epochs=100_000)
    seen = []

    def consume():
        for snap in trainer.run():
            seen.append(snap)

    worker = threading.Thread(target=consume)
    worker.start()
    while not seen:
        time.sleep(0.01)
    trainer.stop()
    worker.join(timeout=10)
    assert not worker.is_alive()
    assert seen[-1].kind == "end" and seen[-1].stop_reason == "stopped" and trainer.epoch < 100_000


def test_live_momentum_weight_decay_and_clipping_reach_the_step(xor_data):
    trainer = make_trainer(xor_data, optimizer={"name": "momentum", "lr": 0.01})
    run = trainer.run()
    next(run)
    trainer.set_live({"training.optimizer.momentum": 0.5, "training.optimizer.weight_decay": 0.01,
                      "training.clipping.value": 0.1, "training.decoupled_weight_decay": 0.2})
    next(run)
    assert trainer.steps.optimizer.hyper["momentum"] == 0.5 and trainer.steps.optimizer.hyper["weight_decay"] == 0.01
    assert trainer.training["clipping"]["value"] == 0.1 and trainer.training["decoupled_weight_decay"] == 0.2


def test_a_live_clipping_threshold_limits_the_very_next_step(xor_data):
    trainer = make_trainer(xor_data, optimizer={"name": "sgd", "lr": 1.0},
                           clipping={"mode": "value", "value": 1e6})
    run = trainer.run()
    next(run)
    trainer.set_live("training.clipping.value", 1e-6)
    before = trainer.network.params.copy()
    next(run)
    change = np.abs(trainer.network.params - before).max()
    assert 0 < change <= 1e-6 + 2e-7  # the threshold, plus float32 rounding of weights below 1 in size


def test_a_late_stop_does_not_end_the_next_run(xor_data):
    trainer = make_trainer(xor_data, report_every=0, epochs=1)
    run = trainer.run()
    next(run)  # the only epoch
    trainer.stop()
    assert next(run).stop_reason == "completed"
    trainer.spec = with_changes(trainer.spec, {"training.epochs": 2})
    assert [s.kind for s in trainer.run()] == ["epoch", "end"]


def test_training_settings_must_use_the_networks_loss(xor_data):
    net = Network.from_spec(small_spec())
    training = dict(net.spec["training"], loss="cross_entropy", huber_delta=2.0)
    with pytest.raises(SpecError, match="huber_delta must match the network's"):
        Trainer(net, xor_data, training)


def test_without_a_validation_set_the_train_set_stands_in():
    data = prepare(playground("xor", num_points=60, noise=0.0, seed=2), val_fraction=0.0)
    spec = small_spec(epochs=3, early_stopping={"enabled": True, "monitor": "val_loss", "patience": 5})
    trainer = Trainer(Network.from_spec(spec), data, report_every=0)
    snaps = list(trainer.run())
    assert snaps[0].val_loss is None and snaps[0].confusion.sum() == 60
    assert trainer.early_stopping.monitor_used == "train_loss" and snaps[-1].best_epoch is not None


def test_a_float64_network_trains_in_float64(xor_data):
    net = Network.from_spec(small_spec(dtype="float64", epochs=5))
    trainer = Trainer(net, xor_data, report_every=0)
    snaps = list(trainer.run())
    assert net.params.dtype == np.float64 and snaps[-1].stop_reason == "completed"
    assert trainer.history[-1]["train_loss"] < trainer.history[0]["train_loss"]


def test_epoch_validation_figures_equal_network_evaluate(xor_data):
    net = Network.from_spec(small_spec(epochs=1))
    snap = next(iter(Trainer(net, xor_data, report_every=0).run()))
    assert (snap.val_loss, snap.val_metric) == net.evaluate(xor_data.x_val, xor_data.y_val)
    predicted = net.predict(xor_data.x_val).argmax(axis=1)
    assert np.trace(snap.confusion) == int((predicted == xor_data.y_val).sum())


def test_a_live_learning_rate_is_the_schedules_new_base(xor_data):
    # Step decay halves the rate every epoch: a new η of 0.2 in the second epoch means a rate of 0.1 there.
    trainer = make_trainer(xor_data, report_every=0, epochs=3, schedule={"name": "step", "step_size": 1,
                                                                          "gamma": 0.5})
    run = trainer.run()
    assert next(run).lr == 0.01
    trainer.set_live("training.optimizer.lr", 0.2)
    trainer.report_every = 1
    assert next(run).lr == pytest.approx(0.1)


@pytest.mark.parametrize("fast_path", [True, False])
def test_a_live_learning_rate_by_path_replays_a_run_that_had_it_from_that_epoch(xor_data, fast_path):
    # Live: lr 0.01 for the first epoch, then set_live by path. Replayed: the first epoch's checkpoint continued by
    # a Trainer whose spec has the new rate. Both must end with the same weights, bit for bit.
    spec = small_spec(epochs=3, optimizer={"name": "adam", "lr": 0.01}, l2=0.0)
    live_net = Network.from_spec(spec)
    live = Trainer(live_net, xor_data, report_every=0, fast_path=fast_path)
    run = live.run()
    next(run)  # the first epoch
    live.set_live("training.optimizer.lr", 0.05)
    live.set_live({"training.l2": 0.001})
    list(run)

    first = Trainer(Network.from_spec(spec), xor_data, report_every=0, fast_path=fast_path)
    next(first.run())
    state = first.state_dict()
    changed = dict(spec["training"], optimizer={"name": "adam", "lr": 0.05}, l2=0.001)
    replay_net = Network.from_spec(spec)
    replay = Trainer(replay_net, xor_data, changed, report_every=0, fast_path=fast_path)
    replay.load_state_dict(state, keep_settings=True)
    list(replay.run())
    np.testing.assert_array_equal(live_net.params, replay_net.params)
    assert live.history[-1]["lr"] == replay.history[-1]["lr"] == 0.05
    assert live.state_dict()["training"] == replay.training  # the checkpoint carries the live changes
