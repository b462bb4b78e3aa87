"""RunCounters: one way of counting batches (one at a time or a chunk at a time), and the checkpoint format kept."""

import math

import numpy as np
import pytest

from core.data import playground, prepare
from core.network import Network
from core.spec import default_spec
from core.training import Trainer
from core.training.run_counters import CHECKPOINT_COUNTERS, RunCounters

# The "counters" entry of a version-1 checkpoint, as Trainers wrote it before RunCounters existed.
VERSION_1_COUNTERS = ("epoch", "step", "batch_in_epoch", "epoch_started", "epoch_loss_sum", "epoch_samples",
                      "samples_seen", "batches_since_report", "first_loss")


def test_a_chunk_counts_as_its_batches_one_by_one():
    losses, sizes = [0.75, 0.5, 0.3125, 1e-3], [32, 32, 32, 4]
    one_by_one, chunked = RunCounters(), RunCounters()
    for loss, size in zip(losses, sizes):
        one_by_one.batches_done((loss,), (size,))
    chunked.batches_done(np.array(losses), sizes)
    assert one_by_one.state() == chunked.state()
    assert one_by_one.last_loss == chunked.last_loss == losses[-1] and chunked.first_loss == losses[0]
    assert np.array_equal(one_by_one.take_report(), chunked.take_report())


def test_events_move_the_counters():
    counters = RunCounters()
    counters.start_epoch()
    counters.batches_done(np.empty(0), [])  # a chunk that diverged at its first batch counts nothing
    assert counters.step == 0 and counters.first_loss is None and math.isnan(counters.partial_epoch_loss())
    counters.batches_done([2.0, 1.0], [3, 1])
    assert (counters.step, counters.batch_in_epoch, counters.samples_seen) == (2, 2, 4)
    assert counters.batches_since_report == 2
    assert counters.partial_epoch_loss() == 7.0 / 4
    assert counters.take_report().tolist() == [2.0, 1.0] and counters.batches_since_report == 0
    assert counters.epoch_done() == 7.0 / 4
    assert (counters.epoch, counters.batch_in_epoch, counters.epoch_samples, counters.epoch_started) == (1, 0, 0, False)
    assert counters.step == 2 and counters.samples_seen == 4 and counters.first_loss == 2.0


def test_the_checkpoint_format_is_version_1s():
    assert CHECKPOINT_COUNTERS == VERSION_1_COUNTERS


@pytest.fixture(scope="module")
def data():
    return prepare(playground("circles", num_points=120, noise=0.1, seed=0), val_fraction=0.2)


def make_trainer(data, fast_path):
    spec = default_spec(2, 2, hidden=(6,), activation="tanh").to_json()
    spec["training"].update({"epochs": 3, "batch_mode": "mini", "batch_size": 16, "seed": 5})
    return Trainer(Network.from_spec(spec), data, report_every=2, fast_path=fast_path)


@pytest.mark.parametrize("fast_path", [True, False])
def test_a_checkpoint_with_version_1_counters_resumes_the_run(data, fast_path):
    first = make_trainer(data, fast_path)
    run = first.run()
    for _ in range(4):  # into the second epoch
        next(run)
    state = first.state_dict()
    assert list(state["counters"]) == list(VERSION_1_COUNTERS)
    counters = state["counters"]
    # Rebuilt by hand as an old checkpoint holds them: plain Python values under the old names.
    state["counters"] = {name: counters[name] for name in VERSION_1_COUNTERS}
    rest = [(s.kind, s.step, s.train_loss, s.batch_losses.tolist()) for s in run]
    resumed = make_trainer(data, fast_path)
    resumed.load_state_dict(state)
    assert (resumed.epoch, resumed.step, resumed.first_loss) == (counters["epoch"], counters["step"],
                                                                 counters["first_loss"])
    assert [(s.kind, s.step, s.train_loss, s.batch_losses.tolist()) for s in resumed.run()] == rest
    assert np.array_equal(resumed.network.params, first.network.params)
