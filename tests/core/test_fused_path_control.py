"""When the fused path applies (and why not otherwise), and that runs on it keep the Trainer's contract: divergence
with the last finite weights, stop and resume, live settings at the next chunk, checkpoints, early stopping."""

import numpy as np
import pytest

from core.network import Network
from core.optimizers import OPTIMIZER_CLASSES, fused_optimizer_names
from core.training import Trainer
from core.training.fast_path import FUSED_MAX_MACS_PER_BATCH, fused_path_refusal
from tests.core.test_fused_path import assert_same_run, circles, make_spec, plane, train_both  # noqa: F401


def _unfused_optimizer(name):
    """The change to a spec that trains with registered optimizer `name` (L-BFGS takes the whole batch)."""
    full_batch = {"batch_mode": "full"} if name == "lbfgs" else {}
    return lambda s: s["training"].update(optimizer={"name": name}, **full_batch)


UNFUSED = [name for name in OPTIMIZER_CLASSES if name not in fused_optimizer_names()]


@pytest.mark.parametrize("change, reason", [
    (lambda s: s["layers"][0].update(batch_norm=True), "batch norm"),
    (lambda s: s["layers"][1].update(residual=True, units=7), "residual skip"),
    *[(_unfused_optimizer(name), f"optimizer {name} has no fused update") for name in UNFUSED],
    (lambda s: s["training"].update(lookahead={"enabled": True}), "Lookahead"),
    (lambda s: s["training"].update(clipping={"mode": "agc", "value": 0.1}), "clipping mode agc"),
    (lambda s: [s["layers"][0].update(units=1024), s["layers"][1].update(units=1024)], "compute-bound"),
])
def test_the_selector_keeps_the_general_path_and_says_why(circles, change, reason):
    spec = make_spec()
    change(spec)
    net = Network.from_spec(spec)
    trainer = Trainer(net, circles, report_every=0)
    assert trainer.fused is None and reason in trainer.fast_path_refusal
    assert fused_path_refusal(net, trainer.training, trainer.sampler.batch_size) == trainer.fast_path_refusal
    list(trainer.run())  # and the general path still trains it
    assert trainer.step > 0


def test_plain_dense_networks_take_the_fused_path(circles):
    trainer = Trainer(Network.from_spec(make_spec(dropout=0.1, l1=0.01)), circles)
    assert trainer.fused is not None and trainer.fast_path_refusal is None
    assert FUSED_MAX_MACS_PER_BATCH >= 32 * (64 * 128 + 128 * 64 + 64 * 10)  # the digits benchmark network


@pytest.mark.parametrize("case", ["exploding loss", "infinite loss", "infinite weights"])
def test_divergence_stops_at_the_same_step_with_the_same_reason_and_weights(circles, plane, case):
    if case == "exploding loss":
        spec, data, factor = make_spec(optimizer={"name": "sgd", "lr": 50.0}, activation="linear"), circles, 1e4
    elif case == "infinite loss":
        spec, data, factor = make_spec("regression", optimizer={"name": "sgd", "lr": 30.0}, epochs=40), plane, None
    else:  # a step of ~lr = 1e300 in float64 overflows the weights while the batch's loss was finite
        spec, data, factor = make_spec(optimizer={"name": "adam", "lr": 1e308}), circles, 1e4
    runs = []
    for fast in (True, False):
        net = Network.from_spec(spec)
        trainer = Trainer(net, data, report_every=0, fast_path=fast)
        trainer.explosion_factor = factor
        end = list(trainer.run())[-1]
        assert end.diverged and np.isfinite(net.params).all()
        runs.append((net, trainer, end))
    (net_f, trainer_f, end_f), (net_g, trainer_g, end_g) = runs
    assert end_f.stop_reason == end_g.stop_reason and end_f.diverged_layer == end_g.diverged_layer
    expected = {"exploding loss": "exploded", "infinite loss": "the loss became",
                "infinite weights": "the weights became non-finite"}[case]
    assert expected in end_f.stop_reason
    assert trainer_f.step == trainer_g.step and trainer_f.steps.optimizer.steps == trainer_g.steps.optimizer.steps
    np.testing.assert_allclose(net_f.params, net_g.params, rtol=1e-9)
    assert trainer_f.rngs["dropout"].bit_generator.state == trainer_g.rngs["dropout"].bit_generator.state


def test_stop_between_chunks_and_run_again_continues_bit_for_bit(circles):
    spec = make_spec(dropout=0.2, epochs=2)
    whole = Network.from_spec(spec)
    list(Trainer(whole, circles, report_every=0).run())
    net = Network.from_spec(spec)
    trainer = Trainer(net, circles, report_every=2)
    run = trainer.run()
    assert next(run).step == 2  # a chunk ends at each report point
    trainer.stop()
    end = next(run)
    assert end.kind == "end" and end.stop_reason == "stopped" and trainer.step == 2
    snaps = list(trainer.run())
    assert snaps[-1].stop_reason == "completed"
    np.testing.assert_array_equal(net.params, whole.params)


def test_stepping_one_batch_moves_exactly_one_step(circles):
    trainer = Trainer(Network.from_spec(make_spec()), circles, report_every=0)
    run = trainer.run()
    trainer.report_every = 1
    assert next(run).step == 1 and trainer.steps.optimizer.steps == 1
    assert next(run).step == 2


def test_a_live_learning_rate_applies_from_the_next_chunk_as_in_the_general_path(circles):
    runs = []
    for fast in (True, False):
        net = Network.from_spec(make_spec(epochs=2))
        trainer = Trainer(net, circles, report_every=3, fast_path=fast)
        for snap in trainer.run():
            if snap.step == 3:
                trainer.set_live({"training.optimizer.lr": 0.002, "training.l2": 0.01})
        runs.append((net, trainer))
    (net_f, trainer_f), (net_g, trainer_g) = runs
    assert trainer_f.history[-1]["lr"] == 0.002
    np.testing.assert_allclose(net_f.params, net_g.params, rtol=1e-9)


def test_a_checkpoint_taken_mid_epoch_resumes_bit_for_bit(circles):
    spec = make_spec(dropout=0.2, epochs=3)
    whole = Network.from_spec(spec)
    list(Trainer(whole, circles, report_every=0).run())
    first = Trainer(Network.from_spec(spec), circles, report_every=5)
    run = first.run()
    while next(run).step < 10:
        pass
    state = first.state_dict()
    resumed_net = Network.from_spec(spec)
    resumed = Trainer(resumed_net, circles, report_every=0)
    resumed.load_state_dict(state)
    list(resumed.run())
    np.testing.assert_array_equal(resumed_net.params, whole.params)


def test_early_stopping_with_restore_best_matches_the_general_path(circles):
    spec = make_spec(epochs=20, early_stopping={"enabled": True, "monitor": "val_loss", "patience": 2,
                                                "min_delta": 10.0, "restore_best": True})
    fused, general = train_both(spec, circles)
    assert fused[2][-1].stop_reason == general[2][-1].stop_reason == "early stopping"
    assert_same_run(fused, general, rtol=1e-9)
