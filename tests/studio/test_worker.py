"""The training worker on a real QThread: runs, pauses, steps, stops, diverges and fails without hanging."""

from __future__ import annotations

import copy
import time

import numpy as np
import pytest
from PySide6.QtCore import QThread

from core.data import playground, prepare
from core.spec import default_spec, validate_spec
from studio.training.grid_prediction import GridSpec
from studio.training.worker import TrainingJob, TrainingWorker


@pytest.fixture(scope="module")
def circles():
    dataset = playground("circles", num_points=200)
    return dataset, prepare(dataset, val_fraction=0.2, seed=0)


def make_spec(epochs: int = 5, lr: float = 0.01) -> dict:
    spec = copy.deepcopy(default_spec())
    spec["training"]["epochs"] = epochs
    spec["training"]["optimizer"]["lr"] = lr
    return validate_spec(spec)


class Running:
    """A worker on its own QThread, with every update it sent collected."""

    def __init__(self, qtbot, job: TrainingJob):
        self.thread = QThread()
        self.worker = TrainingWorker(job)
        self.worker.moveToThread(self.thread)
        self.updates: list = []
        self.results: list = []
        self.failures: list = []
        self.worker.update.connect(self.updates.append)
        self.worker.finished.connect(self.results.append)
        self.worker.failed.connect(lambda message, details: self.failures.append((message, details)))
        self.thread.started.connect(self.worker.run)
        self.worker.done.connect(self.thread.quit)
        self.qtbot = qtbot

    def start(self) -> "Running":
        self.thread.start()
        return self

    def wait_done(self, timeout: int = 20_000) -> None:
        self.qtbot.waitUntil(lambda: self.thread.isFinished(), timeout=timeout)

    def paused_updates(self) -> list:
        return [u for u in self.updates if u.paused]

    def last_step(self) -> int:
        return max((u.latest.step for u in self.updates if u.latest is not None), default=0)

    def close(self) -> None:
        self.worker.stop()
        self.thread.quit()
        assert self.thread.wait(5_000), "worker thread did not finish"


@pytest.fixture
def running(qtbot):
    started: list[Running] = []

    def start(job: TrainingJob) -> Running:
        r = Running(qtbot, job).start()
        started.append(r)
        return r

    yield start
    for r in started:
        r.close()


def test_run_completes_and_delivers_every_epoch(running, circles):
    _, data = circles
    r = running(TrainingJob(make_spec(epochs=6), data))
    r.wait_done()
    assert not r.failures
    (result,) = r.results
    assert result.snapshot.kind == "end" and result.snapshot.stop_reason == "completed"
    epoch_snaps = [s for u in r.updates for s in u.epochs if s.kind == "epoch"]
    assert [s.epoch for s in epoch_snaps] == [1, 2, 3, 4, 5, 6]
    assert len(result.history) == 6
    assert all(np.isfinite(w).all() for w in result.weights.values())
    assert len(r.updates) <= 6 * 2 + 5  # coalesced: not one update per batch


def test_step_batch_advances_exactly_one_batch(running, circles, qtbot):
    _, data = circles
    r = running(TrainingJob(make_spec(epochs=3), data, start_paused=True))
    qtbot.waitUntil(lambda: len(r.paused_updates()) >= 1, timeout=10_000)
    for expected in (1, 2, 3):
        count = len(r.paused_updates())
        r.worker.step_batch()
        qtbot.waitUntil(lambda: len(r.paused_updates()) > count, timeout=10_000)
        assert r.last_step() == expected
    per_epoch = next(u.latest for u in r.updates if u.latest is not None).batches_per_epoch
    count = len(r.paused_updates())
    r.worker.step_epoch()
    qtbot.waitUntil(lambda: len(r.paused_updates()) > count, timeout=10_000)
    latest = r.paused_updates()[-1].latest
    assert latest.kind == "epoch" and latest.epoch == 1 and latest.step == per_epoch


def test_pause_holds_the_step_count(running, circles, qtbot):
    _, data = circles
    r = running(TrainingJob(make_spec(epochs=100_000), data))
    qtbot.waitUntil(lambda: r.last_step() > 50, timeout=20_000)
    r.worker.pause()
    qtbot.waitUntil(lambda: len(r.paused_updates()) >= 1, timeout=5_000)
    held = r.last_step()
    qtbot.wait(300)
    assert r.last_step() == held
    assert r.worker.trainer.step == held
    r.worker.play()
    qtbot.waitUntil(lambda: r.last_step() > held, timeout=5_000)


def test_stop_ends_the_run_with_reason(running, circles, qtbot):
    _, data = circles
    r = running(TrainingJob(make_spec(epochs=100_000), data))
    qtbot.waitUntil(lambda: r.last_step() > 20, timeout=20_000)
    r.worker.stop()
    r.wait_done(5_000)
    (result,) = r.results
    assert result.snapshot.stop_reason == "stopped"
    assert result.snapshot.epoch < 100_000


def diverging_job() -> TrainingJob:
    """Plain SGD with a learning rate of 1e4 on a regression: the loss overflows within a few steps."""
    data = prepare(playground("plane", num_points=200), val_fraction=0.2, seed=0)
    spec = default_spec(output_size=1, task="regression", activation="relu")
    spec["training"].update(epochs=50, optimizer={"name": "sgd", "lr": 1e4})
    return TrainingJob(validate_spec(spec), data)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_huge_learning_rate_diverges_and_keeps_finite_weights(running):
    r = running(diverging_job())
    r.wait_done()
    (result,) = r.results
    assert result.snapshot.diverged and result.snapshot.stop_reason.startswith("diverged")
    assert result.snapshot.diverged_layer == "layer 1 (relu)"
    assert result.snapshot.epoch == 0 and result.snapshot.step < 10
    assert all(np.isfinite(w).all() for w in result.weights.values())


def test_exception_in_worker_is_reported_not_raised(running, circles):
    _, data = circles
    spec = make_spec()
    spec["input_size"] = 5  # does not match the 2-feature data: the Trainer refuses
    r = running(TrainingJob(spec, data))
    r.wait_done()
    assert not r.results
    (message, details) = r.failures[0]
    assert message and "Traceback" in details


def test_grid_prediction_is_sent_with_updates(running, circles):
    dataset, data = circles
    grid = GridSpec.around(dataset.x, resolution=16)
    r = running(TrainingJob(make_spec(epochs=2), data, grid=grid, preprocess=data.preprocess))
    r.wait_done()
    predictions = [u.prediction for u in r.updates if u.prediction is not None]
    assert predictions
    last = predictions[-1]
    assert last.outputs.shape == (16, 16, 2)
    np.testing.assert_allclose(last.outputs.sum(axis=2), 1.0, atol=1e-4)  # class probabilities
    assert last.activations is not None and [a.shape[2] for a in last.activations] == [8, 8, 2]


def test_snapshot_histogram_and_prediction_rates_stay_bounded(running, circles, qtbot):
    """Tiny batches (thousands a second): the worker asks for about one snapshot per update, histograms ≤ 4 a
    second and grid predictions ≤ 5 a second, however fast the Trainer goes. Bounds are from the wall time the
    run had (load only makes intervals longer, so they hold on a busy machine)."""
    from studio.training.worker import HISTOGRAM_INTERVAL, PREDICTION_INTERVAL, SNAPSHOT_TARGET

    dataset, data = circles
    grid = GridSpec.around(dataset.x, resolution=16)
    started = time.perf_counter()
    r = running(TrainingJob(make_spec(epochs=100_000), data, grid=grid, preprocess=data.preprocess))
    qtbot.waitUntil(lambda: r.last_step() > 2_000, timeout=30_000)
    qtbot.wait(500)
    r.worker.stop()
    r.wait_done()
    wall = time.perf_counter() - started
    worker = r.worker
    steps = r.results[0].snapshot.step
    adapting = 2 * 12  # the doublings from one batch per snapshot up to the cap, and back
    assert worker.batch_snapshots <= wall / (SNAPSHOT_TARGET[0] / 2) + adapting
    assert worker.batch_snapshots < steps / 10  # far fewer snapshots than batches
    assert worker.histogram_requests <= wall / HISTOGRAM_INTERVAL + 2
    assert worker.grid_predictions <= wall / PREDICTION_INTERVAL + 3  # + the paused/final flushes
    assert worker.grid_predictions >= 1


def test_epoch_histograms_every_epoch_at_first_then_at_a_bounded_rate(running, circles):
    from studio.training.worker import EPOCH_HISTOGRAM_INTERVAL, EXACT_HISTOGRAM_EPOCHS

    _, data = circles
    started = time.perf_counter()
    r = running(TrainingJob(make_spec(epochs=EXACT_HISTOGRAM_EPOCHS + 400), data))
    r.wait_done(60_000)
    wall = time.perf_counter() - started
    epochs = [s for u in r.updates for s in u.epochs if s.kind == "epoch"]
    assert len(epochs) == EXACT_HISTOGRAM_EPOCHS + 400
    first = epochs[:EXACT_HISTOGRAM_EPOCHS]
    assert all(s.weight_histograms is not None and s.grad_histograms is not None for s in first)
    later = sum(s.weight_histograms is not None for s in epochs[EXACT_HISTOGRAM_EPOCHS:])
    assert later <= wall / EPOCH_HISTOGRAM_INTERVAL + 1
    assert r.worker.epoch_histograms == EXACT_HISTOGRAM_EPOCHS + later
