"""The training speed: a slow speed paces the worker (counted on a fake clock, never timed), stop and a new
speed end a wait at once, and the toolbar's choice reaches the controller and is remembered."""

from __future__ import annotations


import pytest
from PySide6.QtCore import QThread

from core.data import playground, prepare
from core.spec import default_spec, validate_spec
from studio.training.speed import SPEEDS, Pacer, check_rate, speed_named
from studio.training.worker import TrainingJob, TrainingWorker


@pytest.fixture(scope="module")
def circles_data():
    return prepare(playground("circles", num_points=200), val_fraction=0.2, seed=0)


def make_spec(epochs: int) -> dict:
    spec = default_spec().to_json()
    spec["training"]["epochs"] = epochs
    return validate_spec(spec)


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class CountingWorker(TrainingWorker):
    """A worker whose waits advance a fake clock instead of sleeping (training itself takes no fake time)."""

    def __init__(self, job: TrainingJob, clock: FakeClock):
        super().__init__(job)
        self.clock = clock
        self.pacer = Pacer(job.epochs_per_second, clock=clock)
        self.waits: list[float] = []

    def wait_paced(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.clock.now += seconds


def test_pacer_spreads_each_epoch_over_its_share_and_never_catches_up():
    clock = FakeClock()
    pacer = Pacer(2.0, clock=clock)  # half a second an epoch
    assert pacer.seconds_to_wait(0.25) == pytest.approx(0.125)
    clock.now += 0.125
    assert pacer.seconds_to_wait(0.0) == 0.0  # nothing trained since: nothing to wait for
    clock.now += 5.0  # a batch that took far longer than its share
    assert pacer.seconds_to_wait(0.25) == 0.0
    assert pacer.seconds_to_wait(0.25) == pytest.approx(0.125)  # the pace goes on from now: no burst
    pacer.set_rate(None)
    assert pacer.seconds_to_wait(1.0) == 0.0


@pytest.mark.parametrize("bad", [0, -1.0, float("nan"), float("inf")])
def test_a_speed_must_be_positive_and_finite(bad):
    with pytest.raises(ValueError, match="epochs per second"):
        check_rate(bad)


def test_a_paced_run_waits_its_epochs_share_on_the_worker(circles_data, qapp):
    epochs, rate = 4, 2.0
    worker = CountingWorker(TrainingJob(make_spec(epochs), circles_data, epochs_per_second=rate), FakeClock())
    results = []
    worker.finished.connect(results.append)
    worker.run()  # on this thread: waits only advance the fake clock
    assert results and results[0].snapshot.stop_reason == "completed"
    # Training took no fake time, so the waits fill every epoch's share exactly: epochs / rate seconds.
    assert sum(worker.waits) == pytest.approx(epochs / rate)
    assert len(worker.waits) >= epochs  # at least one wait per epoch: the user sees each one
    assert worker.pacer.paced_snapshots == len(worker.waits)


def test_maximum_speed_never_waits(circles_data, qapp):
    worker = CountingWorker(TrainingJob(make_spec(3), circles_data), FakeClock())
    worker.run()
    assert worker.waits == [] and worker.pacer.paced_snapshots == 0


class Threaded:
    def __init__(self, job: TrainingJob):
        self.thread = QThread()
        self.worker = TrainingWorker(job)
        self.worker.moveToThread(self.thread)
        self.updates: list = []
        self.results: list = []
        self.worker.update.connect(self.updates.append)
        self.worker.finished.connect(self.results.append)
        self.thread.started.connect(self.worker.run)
        self.worker.done.connect(self.thread.quit)

    def close(self) -> None:
        self.worker.stop()
        self.thread.quit()
        assert self.thread.wait(10_000)


@pytest.fixture
def threaded():
    started: list[Threaded] = []

    def start(job: TrainingJob) -> Threaded:
        t = Threaded(job)
        started.append(t)
        t.thread.start()
        return t

    yield start
    for t in started:
        t.close()


# One epoch every ~17 minutes: a wait that only a wake-up can end within the test's timeouts.
GLACIAL = 0.001


def test_stop_during_a_slow_run_ends_it_at_once(threaded, circles_data, qtbot):
    t = threaded(TrainingJob(make_spec(1000), circles_data, epochs_per_second=GLACIAL))
    qtbot.waitUntil(lambda: any(u.latest is not None for u in t.updates), timeout=30_000)  # now waiting
    t.worker.stop()
    qtbot.waitUntil(t.thread.isFinished, timeout=10_000)
    (result,) = t.results
    assert result.snapshot.stop_reason == "stopped" and result.snapshot.epoch == 0


def test_a_new_speed_applies_during_the_run(threaded, circles_data, qtbot):
    t = threaded(TrainingJob(make_spec(3), circles_data, epochs_per_second=GLACIAL))
    qtbot.waitUntil(lambda: any(u.latest is not None for u in t.updates), timeout=30_000)
    assert not t.results
    t.worker.set_speed(None)
    qtbot.waitUntil(t.thread.isFinished, timeout=20_000)
    assert t.results[0].snapshot.stop_reason == "completed"


def test_pause_ends_a_wait_and_play_resumes(threaded, circles_data, qtbot):
    t = threaded(TrainingJob(make_spec(3), circles_data, epochs_per_second=GLACIAL))
    qtbot.waitUntil(lambda: any(u.latest is not None for u in t.updates), timeout=30_000)
    t.worker.pause()
    qtbot.waitUntil(lambda: any(u.paused for u in t.updates), timeout=10_000)
    t.worker.set_speed(None)
    t.worker.play()
    qtbot.waitUntil(t.thread.isFinished, timeout=20_000)
    assert t.results[0].snapshot.stop_reason == "completed"


def test_the_toolbar_sets_the_speed_and_remembers_it(document, qtbot):
    from studio.settings import StudioSettings
    from studio.training.controller import TrainingController
    from studio.training.toolbar import TrainingToolBar

    controller = TrainingController(document)
    toolbar = TrainingToolBar(controller, settings=StudioSettings())
    qtbot.addWidget(toolbar)
    assert controller.epochs_per_second is None  # maximum speed by default
    toolbar.speed_box.setCurrentIndex(SPEEDS.index(speed_named("3 epochs/s")))
    assert controller.epochs_per_second == 3.0
    again = TrainingController(document)
    restored = TrainingToolBar(again, settings=StudioSettings())
    qtbot.addWidget(restored)
    assert restored.speed_box.currentText() == "3 epochs/s" and again.epochs_per_second == 3.0


def test_an_unknown_stored_speed_falls_back_to_maximum(document, qtbot):
    from studio.settings import StudioSettings
    from studio.training.controller import TrainingController
    from studio.training.toolbar import TrainingToolBar

    StudioSettings().set_training_speed("ludicrous")
    controller = TrainingController(document)
    toolbar = TrainingToolBar(controller, settings=StudioSettings())
    qtbot.addWidget(toolbar)
    assert toolbar.speed_box.currentText() == "Maximum speed" and controller.epochs_per_second is None


def test_the_controller_hands_the_speed_to_a_running_worker(document, qtbot):
    from studio.training.controller import TrainingController

    controller = TrainingController(document)
    controller.set_speed(GLACIAL)
    document.set_training_field("epochs", 1000)
    assert controller.start()
    qtbot.waitUntil(lambda: controller.latest is not None, timeout=30_000)
    assert controller.state == "running" and controller.latest.epoch == 0
    controller.set_speed(None)
    qtbot.waitUntil(lambda: controller.latest.epoch > 1 or controller.state == "idle", timeout=20_000)
    controller.stop()
    qtbot.waitUntil(lambda: controller.state == "idle", timeout=10_000)


def test_time_left_counts_the_speeds_waits(document, qtbot):
    """At 1 epoch/s, half of 100 epochs done in 0.2 s of computing still leaves 50 s, not 0.2 s."""
    from core.training.snapshot import Snapshot
    from PySide6.QtWidgets import QMainWindow
    from studio.training.controller import TrainingController
    from studio.window.training_status import TrainingStatus

    document.set_training_field("epochs", 100)
    window = QMainWindow()
    controller = TrainingController(document, window)
    status = TrainingStatus(controller)
    window.statusBar().addPermanentWidget(status)
    qtbot.addWidget(window)
    controller.set_speed(1.0)
    controller._epochs_planned = 100  # as start() sets it
    controller.latest = Snapshot(kind="epoch", epoch=50, step=500, batches_per_epoch=10, batch_in_epoch=0,
                                 train_loss=0.1, lr=0.01, metric_name="accuracy", elapsed=0.2,
                                 samples_per_second=1000.0)
    status._latest = controller.latest
    status._show_latest()
    assert status.remaining.text() == "0:50 left"
