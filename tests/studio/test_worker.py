"""The training worker on a real QThread: runs, pauses, steps, stops, diverges and fails without hanging."""

from __future__ import annotations

import time

import numpy as np
import pytest
from PySide6.QtCore import QThread

from core.data import playground, prepare
from core.spec import default_spec, validate_spec, with_changes
from core.network.grid_prediction import GridSpec
from studio.training.worker import TrainingJob, TrainingWorker


@pytest.fixture(scope="module")
def circles():
    dataset = playground("circles", num_points=200)
    return dataset, prepare(dataset, val_fraction=0.2, seed=0)


def make_spec(epochs: int = 5, lr: float = 0.01) -> dict:
    spec = default_spec().to_json()
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
    spec = default_spec(output_size=1, task="regression", activation="relu").to_json()
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
    spec = with_changes(make_spec(), {"input_size": 5})  # does not match the 2-feature data: the Trainer refuses
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


def received_losses(updates: list) -> tuple[np.ndarray, np.ndarray]:
    """(steps, losses) of every batch loss the GUI received, in arrival order."""
    sent = [u for u in updates if u.latest is not None]
    return (np.concatenate([u.batch_loss_steps() for u in sent]),
            np.concatenate([u.batch_losses for u in sent]))


def test_every_steps_loss_reaches_the_gui_exactly_once(running, circles):
    from core.network import Network
    from core.training import Trainer

    _, data = circles
    spec = make_spec(epochs=40)
    r = running(TrainingJob(spec, data))
    r.wait_done()
    assert not r.failures
    (result,) = r.results
    steps, losses = received_losses(r.updates)
    np.testing.assert_array_equal(steps, np.arange(1, result.snapshot.step + 1))
    assert len(r.updates) < result.snapshot.step / 2  # coalesced: far fewer updates than batches
    headless = Trainer(Network.from_spec(spec), data, report_every=1)
    per_batch = [s.train_loss for s in headless.run() if s.kind == "batch"]
    np.testing.assert_array_equal(losses, per_batch)


def test_updates_carry_the_losses_beside_snapshots_left_as_the_trainer_made_them(running, circles):
    """The worker builds each update around the newest snapshot and never rewrites it: the snapshot keeps only its
    own steps' losses (the update's last ones), and every update is in step order with its epochs before it."""
    _, data = circles
    r = running(TrainingJob(make_spec(epochs=20), data))
    r.wait_done()
    sent = [u for u in r.updates if u.latest is not None]
    assert sent
    previous = 0
    for u in sent:
        own = u.latest.batch_losses
        assert own is not None and len(own) <= len(u.batch_losses)
        np.testing.assert_array_equal(u.batch_losses[len(u.batch_losses) - len(own):], own)
        assert all(previous < s.step <= u.latest.step for s in u.epochs)
        assert u.latest.step > previous and 0.0 < u.progress <= 1.0
        previous = u.latest.step
    assert sent[-1].progress == 1.0


def test_stepping_then_playing_delivers_every_steps_loss_once(running, circles, qtbot):
    _, data = circles
    r = running(TrainingJob(make_spec(epochs=3), data, start_paused=True))
    qtbot.waitUntil(lambda: len(r.paused_updates()) >= 1, timeout=10_000)
    for expected in (1, 2):
        count = len(r.paused_updates())
        r.worker.step_batch()
        qtbot.waitUntil(lambda: len(r.paused_updates()) > count, timeout=10_000)
        assert received_losses(r.updates)[0].tolist() == list(range(1, expected + 1))
    count = len(r.paused_updates())
    r.worker.step_epoch()
    qtbot.waitUntil(lambda: len(r.paused_updates()) > count, timeout=10_000)
    r.worker.play()
    r.wait_done()
    (result,) = r.results
    np.testing.assert_array_equal(received_losses(r.updates)[0], np.arange(1, result.snapshot.step + 1))


def test_pending_losses_split_at_the_sent_step_and_keep_the_newest_past_the_limit():
    from core.training.snapshot import Snapshot
    from studio.training.pending_losses import PendingLosses

    def snap(step: int, losses) -> Snapshot:
        return Snapshot(kind="batch", epoch=0, step=step, batches_per_epoch=100, batch_in_epoch=step,
                        train_loss=0.0, lr=0.1, metric_name="accuracy", batch_losses=np.asarray(losses, float))

    pending = PendingLosses(limit=5)
    first, second = snap(2, [1.0, 2.0]), snap(4, [3.0, 4.0])
    pending.add(first)
    pending.add(second)
    assert pending.take(first.step).tolist() == [1.0, 2.0] and len(pending) == 2  # sent first while a newer
    # snapshot waits: only the steps up to its own
    assert pending.take(second.step).tolist() == [3.0, 4.0] and len(pending) == 0
    assert first.batch_losses.tolist() == [1.0, 2.0]  # the snapshots stay as the Trainer made them
    for step in range(6, 15, 2):  # ten losses for a limit of five: the newest five stay
        pending.add(snap(step, [step - 1.0, float(step)]))
    assert pending.take(14).tolist() == [10.0, 11.0, 12.0, 13.0, 14.0] and pending.dropped == 5


def test_without_a_histogram_plot_a_run_takes_only_the_sparse_epoch_histograms(running, circles):
    """No weight-histogram plot watches (its dock was never shown): none of the per-epoch histograms of the first
    epochs, none "for now"; still a column every EPOCH_HISTOGRAM_INTERVAL for a plot built later."""
    from studio.training.worker import EPOCH_HISTOGRAM_INTERVAL, EXACT_HISTOGRAM_EPOCHS

    _, data = circles
    started = time.perf_counter()
    r = running(TrainingJob(make_spec(epochs=EXACT_HISTOGRAM_EPOCHS + 400), data, histograms_watched=False))
    r.wait_done(60_000)
    wall = time.perf_counter() - started
    epochs = [s for u in r.updates for s in u.epochs if s.kind == "epoch"]
    assert len(epochs) == EXACT_HISTOGRAM_EPOCHS + 400  # every epoch still arrives
    with_histograms = [s.epoch for s in epochs if s.weight_histograms is not None]
    assert 1 <= len(with_histograms) <= wall / EPOCH_HISTOGRAM_INTERVAL + 1
    assert r.worker.histogram_requests == 1  # the run's first snapshot only
    assert all(s.grad_norms is not None for s in epochs)  # the other per-epoch figures are untouched


def test_a_histogram_plot_makes_the_controller_s_runs_take_exact_histograms(qtbot, document):
    from studio.plots.weight_histogram_plot import WeightHistogramPlot
    from studio.training.controller import TrainingController

    controller = TrainingController(document)
    assert not controller.histograms_watched
    plot = WeightHistogramPlot(controller)
    qtbot.addWidget(plot)
    assert controller.histograms_watched
    document.set_training_field("epochs", 3)
    with qtbot.waitSignal(controller.finished, timeout=30_000):
        controller.start()
    controller.shutdown()
    records = controller.epoch_records
    assert len(records) == 3 and all(s.weight_histograms is not None for s in records)  # each of the first epochs
