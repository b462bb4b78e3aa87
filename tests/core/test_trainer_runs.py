"""Whole runs through the Trainer: bit-for-bit replays, checkpoint and resume, divergence, early stopping,
L-BFGS, regularisation and clipping in the loop."""

import copy
import warnings

import numpy as np
import pytest

from core.data import playground, prepare
from core.network import Network
from core.spec import default_spec
from core.training import Trainer


@pytest.fixture(scope="module")
def data():
    return prepare(playground("circles", num_points=120, noise=0.1, seed=3), val_fraction=0.25)


def spec_with(hidden=(6,), activation="tanh", dropout=0.0, **training):
    spec = default_spec(2, 2, hidden=hidden, activation=activation).to_json()
    for layer in spec["layers"][:-1]:
        layer["dropout"] = dropout
    spec["training"].update({"epochs": 3, "batch_size": 16, **training})
    return spec


def run_to_end(spec, data, **kwargs):
    net = Network.from_spec(spec)
    trainer = Trainer(net, data, report_every=0, **kwargs)
    snaps = list(trainer.run())
    return net, trainer, snaps


def comparable(history):
    return [{k: v for k, v in record.items() if k != "elapsed"} for record in history]


def test_the_same_seed_replays_bit_for_bit_and_another_seed_does_not(data):
    spec = spec_with(dropout=0.2, seed=7)
    net_a, trainer_a, _ = run_to_end(spec, data)
    net_b, trainer_b, _ = run_to_end(spec, data)
    assert comparable(trainer_a.history) == comparable(trainer_b.history)
    np.testing.assert_array_equal(net_a.params, net_b.params)
    net_c, trainer_c, _ = run_to_end(spec_with(dropout=0.2, seed=8), data)
    assert comparable(trainer_c.history) != comparable(trainer_a.history)
    assert not np.array_equal(net_c.params, net_a.params)


def test_changing_dropout_does_not_change_the_shuffle_order(data):
    orders = []
    for dropout in (0.0, 0.5):
        trainer = Trainer(Network.from_spec(spec_with(dropout=dropout)), data)
        next(iter(trainer.run()))
        orders.append(trainer.sampler.order.copy())
    np.testing.assert_array_equal(*orders)


@pytest.mark.parametrize("batches_before_checkpoint", [2, 6, 8])  # mid-epoch, and an epoch's end
def test_resuming_from_a_checkpoint_equals_an_uninterrupted_run(data, batches_before_checkpoint):
    spec = spec_with(dropout=0.2, optimizer={"name": "adam", "lr": 0.01},
                     schedule={"name": "step", "step_size": 1, "gamma": 0.5})
    net_full, trainer_full, _ = run_to_end(spec, data)

    first = Trainer(Network.from_spec(spec), data, report_every=1)
    run = first.run()
    while first.step < batches_before_checkpoint:
        next(run)
    checkpoint = first.state_dict()
    list(run)  # the first trainer runs on; the checkpoint must not move with it

    resumed_net = Network.from_spec(spec, seed=99)  # other initial weights: the checkpoint overrides them
    resumed = Trainer(resumed_net, data, spec["training"], report_every=0)
    resumed.load_state_dict(checkpoint)
    list(resumed.run())
    np.testing.assert_array_equal(resumed_net.params, net_full.params)
    assert comparable(resumed.history) == comparable(trainer_full.history)


def test_a_fork_keeps_its_own_settings(data):
    spec = spec_with()
    trainer = Trainer(Network.from_spec(spec), data, report_every=0)
    run = trainer.run()
    next(run)  # one epoch
    checkpoint = trainer.state_dict()
    fork_training = copy.deepcopy(spec["training"])
    fork_training["optimizer"]["lr"] = 0.05
    fork = Trainer(Network.from_spec(spec), data, fork_training, report_every=0)
    fork.load_state_dict(checkpoint, keep_settings=True)
    snaps = list(fork.run())
    assert fork.epoch == 3 and snaps[0].lr == 0.05 and len(fork.history) == 3


def test_a_huge_learning_rate_stops_with_a_reason_and_finite_weights(data):
    """SGD at lr 1e4 on a 2-16-16-2 ReLU network: the weights blow up within a few steps. (The exploding-loss
    check would stop it a step earlier; it is switched off here to reach inf.)"""
    spec = spec_with(hidden=(16, 16), activation="relu", optimizer={"name": "sgd", "lr": 1e4}, epochs=20)
    net = Network.from_spec(spec)
    trainer = Trainer(net, data, report_every=0)
    trainer.explosion_factor = None
    caller_settings = np.geterr()
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # overflow is explained by the reason, not by warnings
        snaps = list(trainer.run())
    assert np.geterr() == caller_settings
    end = snaps[-1]
    assert end.kind == "end" and end.finished and end.diverged
    assert end.stop_reason.startswith("diverged: the loss became")
    assert f"step {trainer.step + 1}" in end.stop_reason and "lower learning rate" in end.stop_reason
    assert end.diverged_layer in net.layer_names and end.diverged_layer in end.stop_reason
    assert np.all(np.isfinite(net.params)) and np.all(np.isfinite(net.buffers))
    assert np.isfinite(net.evaluate(data.x_val, data.y_val)[0])


def test_non_finite_weights_after_a_step_are_rolled_back(data, monkeypatch):
    net = Network.from_spec(spec_with(epochs=1))
    trainer = Trainer(net, data, report_every=1, fast_path=False)  # it patches the general step
    run = trainer.run()
    next(run)
    before = net.params.copy()
    step = trainer.steps.optimizer.step
    monkeypatch.setattr(trainer.steps, "guarded_step", None)  # the separate step and check (as with clipping)

    def poisoned_step(grads):
        step(grads)
        net.params[-3] = np.inf  # the output layer's weights break

    monkeypatch.setattr(trainer.steps.optimizer, "step", poisoned_step)
    end = next(run)
    assert end.diverged and "the weights became non-finite" in end.stop_reason
    assert end.diverged_layer == "output (softmax)"
    np.testing.assert_array_equal(net.params, before)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam", "rmsprop"])
def test_a_step_to_non_finite_weights_is_caught_in_the_same_pass_and_rolled_back(data, optimizer):
    # The one-pass step (copy, update, check) of the general path: an infinite learning rate breaks the weights
    # in the real kernel, with the loss and the gradient still finite.
    net = Network.from_spec(spec_with(epochs=1, optimizer={"name": optimizer}))
    trainer = Trainer(net, data, report_every=1, fast_path=False)
    assert trainer.steps.guarded_step is not None
    run = trainer.run()
    next(run)
    before = net.params.copy()
    trainer.steps.optimizer.hyper["lr"] = float("inf")
    end = next(run)
    assert end.diverged and "the weights became non-finite" in end.stop_reason
    np.testing.assert_array_equal(net.params, before)
    np.testing.assert_array_equal(trainer.steps.previous_params, before)


def test_early_stopping_restores_the_best_weights(data):
    # min_delta 10 means no epoch after the first can count as better: stop after `patience` more epochs.
    spec = spec_with(epochs=30, early_stopping={"enabled": True, "monitor": "val_loss", "patience": 2,
                                                "min_delta": 10.0, "restore_best": True})
    net = Network.from_spec(spec)
    trainer = Trainer(net, data, report_every=0)
    states = {}
    for snap in trainer.run():
        if snap.kind == "epoch":
            states[snap.epoch] = net.get_state()
    assert snap.stop_reason == "early stopping" and snap.best_epoch == 1 and trainer.epoch == 3
    np.testing.assert_array_equal(net.params, states[1]["params"])
    assert not np.array_equal(net.params, states[3]["params"])
    assert snap.val_loss == trainer.history[0]["val_loss"]  # the end snapshot reports the restored epoch


def test_early_stopping_picks_the_best_val_metric_epoch(data):
    spec = spec_with(epochs=6, early_stopping={"enabled": True, "monitor": "val_metric", "patience": 50})
    net, trainer, snaps = run_to_end(spec, data)
    metrics = [r["val_metric"] for r in trainer.history]
    best = int(np.argmax(metrics)) + 1  # the first epoch that reached the best value
    assert snaps[-1].stop_reason == "completed" and snaps[-1].best_epoch == best
    assert net.evaluate(data.x_val, data.y_val)[1] == pytest.approx(metrics[best - 1])


def test_lbfgs_full_batch_trains(data):
    spec = spec_with(batch_mode="full", epochs=5, optimizer={"name": "lbfgs", "lr": 1.0, "max_iter": 10})
    _, trainer, snaps = run_to_end(spec, data)
    assert snaps[-1].stop_reason == "completed" and trainer.step == 5
    # Seeds 0–19: the loss falls to at most 0.14 of the first epoch's (most runs to ~0); 0.5 is far from that.
    assert trainer.history[-1]["train_loss"] < 0.5 * trainer.history[0]["train_loss"]


@pytest.mark.parametrize("max_iter", [20, 1])
def test_an_lbfgs_run_checkpoints_before_its_first_step_and_after_one_iteration_steps(data, max_iter):
    """L-BFGS holds no curvature pair before its first step, nor after a first step of max_iter=1: the Trainer's
    checkpoint must still be taken, and resuming from it must equal the uninterrupted run."""
    spec = spec_with(batch_mode="full", epochs=3, optimizer={"name": "lbfgs", "lr": 1.0, "max_iter": max_iter})
    net_full, _, _ = run_to_end(spec, data)
    for steps_before in (0, 1):
        first = Trainer(Network.from_spec(spec), data, report_every=1)
        run = first.run()
        while first.step < steps_before:
            next(run)
        checkpoint = first.state_dict()
        resumed_net = Network.from_spec(spec, seed=99)
        resumed = Trainer(resumed_net, data, spec["training"], report_every=0)
        resumed.load_state_dict(checkpoint)
        list(resumed.run())
        np.testing.assert_array_equal(resumed_net.params, net_full.params)


def test_l1_l2_and_decoupled_decay_shrink_the_weights(data):
    plain, _, _ = run_to_end(spec_with(epochs=4), data)
    for setting in ({"l2": 0.1}, {"l1": 0.01}, {"decoupled_weight_decay": 1.0}):
        net, trainer, _ = run_to_end(spec_with(epochs=4, **setting), data)
        mask = net.weight_mask.astype(bool)
        assert np.abs(net.params[mask]).sum() < np.abs(plain.params[mask]).sum(), setting


@pytest.mark.parametrize("mode", ["value", "norm", "agc"])
def test_clipping_limits_the_update(data, mode):
    # SGD at lr 1 with a tiny threshold: every step is smaller than without clipping.
    base = spec_with(epochs=1, optimizer={"name": "sgd", "lr": 1.0})
    free_net = Network.from_spec(base)
    clipped_net = Network.from_spec(spec_with(epochs=1, optimizer={"name": "sgd", "lr": 1.0},
                                              clipping={"mode": mode, "value": 1e-3}))
    steps = []
    for net in (free_net, clipped_net):
        start = net.params.copy()
        trainer = Trainer(net, data, report_every=1)
        next(iter(trainer.run()))
        steps.append(np.linalg.norm(net.params - start))
    assert 0 < steps[1] < 0.5 * steps[0]


@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
def test_a_huge_learning_rate_on_a_saturating_network_is_caught_as_an_exploding_loss(data, optimizer):
    """The default 2-8-8-2 tanh network at lr 1e4: tanh saturates and the stable cross-entropy never overflows,
    but the loss leaps to thousands of times its start."""
    spec = default_spec().to_json()
    spec["training"].update(epochs=20, optimizer={"name": optimizer, "lr": 1e4})
    net, trainer, snaps = run_to_end(spec, data)
    end = snaps[-1]
    assert end.diverged and end.stop_reason.startswith("diverged: the loss exploded to ")
    assert f"it started at {trainer.first_loss:.3g})" in end.stop_reason and "lower learning rate" in end.stop_reason
    assert trainer.epoch == 0 and np.all(np.isfinite(net.params))
    assert end.diverged_layer in net.layer_names and f"{end.diverged_layer} moved the most" in end.stop_reason


def test_the_exploding_loss_check_leaves_a_normal_run_alone(data):
    _, trainer, snaps = run_to_end(spec_with(epochs=5, optimizer={"name": "adam", "lr": 0.05}), data)
    assert snaps[-1].stop_reason == "completed" and not snaps[-1].diverged and trainer.first_loss > 0


def test_a_user_stop_keeps_the_current_weights_even_with_restore_best(data):
    spec = spec_with(epochs=30, early_stopping={"enabled": True, "patience": 50, "min_delta": 10.0})
    net = Network.from_spec(spec)
    trainer = Trainer(net, data, report_every=0)
    run = trainer.run()
    for _ in range(3):
        next(run)
    current = net.params.copy()
    trainer.stop()
    end = next(run)
    assert end.stop_reason == "stopped" and end.best_epoch == 1
    np.testing.assert_array_equal(net.params, current)


@pytest.mark.parametrize("monitor, key", [("val_loss", "val_loss"), ("train_loss", "train_loss"),
                                          ("val_metric", "val_loss")])
def test_reduce_on_plateau_watches_the_monitored_loss(data, monitor, key):
    spec = spec_with(epochs=4, schedule={"name": "plateau", "patience": 0},
                     early_stopping={"enabled": False, "monitor": monitor})
    trainer = Trainer(Network.from_spec(spec), data, report_every=0)
    seen = []
    original = trainer.steps.schedule.epoch_end
    trainer.steps.schedule.epoch_end = lambda epoch, value: (seen.append(value), original(epoch, value))
    list(trainer.run())
    assert seen == [record[key] for record in trainer.history]
