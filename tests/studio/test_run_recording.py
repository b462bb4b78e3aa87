"""A studio run is recorded into the project's run store (written by the worker's store writer, off the GUI
thread) and is there, finished, by the time the controller says the run ended; the store keeps the losses the
loss plot would keep."""

from __future__ import annotations

import numpy as np

from core.runs import FINISHED, INTERRUPTED, RunStore, store_path_for
from core.runs.loss_decimation import KeptLosses
from studio.plots.series_buffer import SeriesBuffer
from studio.training.controller import IDLE, TrainingController


def train(controller, document, qtbot, epochs: int):
    document.set_training_field("epochs", epochs)
    with qtbot.waitSignal(controller.finished, timeout=30_000) as finished:
        controller.start()
    qtbot.waitUntil(lambda: controller.state == IDLE, timeout=5_000)
    return finished.args[0]


def test_a_studio_run_is_in_the_store_when_it_finishes(document, qtbot, tmp_path):
    project = tmp_path / "circles.bps"
    document.save(project)
    controller = TrainingController(document)
    try:
        snapshot = train(controller, document, qtbot, epochs=4)
        stored_when_finished = RunStore.open(store_path_for(project))  # opened right after `finished`
        with stored_when_finished as store:
            (run,) = store.list_runs()
            record = store.load_run(run.id)
        assert (run.status, run.stop_reason, run.epochs, run.kind) == (FINISHED, "completed", 4, "train")
        assert [row.epoch for row in record.epochs] == [1, 2, 3, 4]
        assert record.epochs[-1].train_loss == snapshot.train_loss
        assert record.summary.spec == document.spec and record.data_ref == document.data_config
        assert len(record.batch_steps) == snapshot.step  # every batch, below the decimation's capacity
        np.testing.assert_array_equal(record.final_weights["params"], document.weights["params"])
        assert record.initial_weights is not None
        assert not np.array_equal(record.initial_weights["params"], record.final_weights["params"])
        assert run.final["test_loss"] is not None  # the default project holds a test set out
    finally:
        controller.shutdown()


def test_the_doctor_s_findings_are_recorded_with_the_run(document, qtbot, tmp_path):
    project = tmp_path / "hot.bps"
    document.save(project)
    document.set_settings({"training.optimizer.name": "sgd", "training.optimizer.lr": 1000.0})
    controller = TrainingController(document)
    try:
        train(controller, document, qtbot, epochs=8)
    finally:
        controller.shutdown()
    with RunStore.open(store_path_for(project)) as store:
        (run,) = store.list_runs()
        record = store.load_run(run.id)
    by_problem = {finding.problem: finding for finding in record.findings}
    assert "lr_too_high" in by_problem and by_problem["lr_too_high"].epoch <= 5
    assert by_problem["lr_too_high"].cures  # the cures travel with it, as dotted-path changes


def test_unsaved_projects_record_into_the_user_data_folder_and_recording_can_be_off(document, qtbot, user_data_dir):
    controller = TrainingController(document)
    try:
        train(controller, document, qtbot, epochs=1)
        controller.record_runs = False
        train(controller, document, qtbot, epochs=1)
    finally:
        controller.shutdown()
    with RunStore.open(user_data_dir / "runs" / "untitled.runs.sqlite") as store:
        assert [run.epochs for run in store.list_runs()] == [1]


def test_a_stopped_run_is_recorded_with_its_reason_and_a_failed_one_as_interrupted(document, qtbot, tmp_path,
                                                                                      monkeypatch):
    project = tmp_path / "p.bps"
    document.save(project)
    controller = TrainingController(document)
    controller.show_dialogs = False
    try:
        document.set_training_field("epochs", 10_000)
        with qtbot.waitSignal(controller.finished, timeout=30_000):
            controller.start()
            qtbot.waitUntil(lambda: controller.latest is not None, timeout=20_000)
            controller.stop()
        qtbot.waitUntil(lambda: controller.state == IDLE, timeout=5_000)
        from core.training.trainer import Trainer

        def broken_run(self):
            raise RuntimeError("boom")
            yield  # pragma: no cover

        monkeypatch.setattr(Trainer, "run", broken_run)
        with qtbot.waitSignal(controller.failed, timeout=30_000):
            controller.start()
        qtbot.waitUntil(lambda: controller.state == IDLE, timeout=5_000)
    finally:
        controller.shutdown()
    with RunStore.open(store_path_for(project)) as store:
        stopped, failed = store.list_runs()
    assert (stopped.status, stopped.stop_reason) == (FINISHED, "stopped")
    assert (failed.status, failed.stop_reason) == (INTERRUPTED, "interrupted")


def test_the_store_keeps_the_losses_the_plots_buffer_keeps():
    buffer, kept = SeriesBuffer(capacity=64), KeptLosses(capacity=64)
    rng = np.random.default_rng(0)
    step = 0
    while step < 5000:
        steps = np.arange(step + 1, step + 1 + int(rng.integers(1, 40)))
        step = int(steps[-1])
        buffer.extend(steps.astype(float), steps.astype(float))
        kept.add(steps, steps * 2.0)
    assert kept.steps.tolist() == buffer.x.astype(int).tolist() and kept.losses.tolist() == (buffer.x * 2).tolist()


class _Network:
    """What a recording reads of a network: `get_state()`, a copy of its weights as they are now."""

    def __init__(self, value: float):
        self.value = value

    def get_state(self):
        from tests.core.runs.fake_runs import weights
        return weights(self.value)


def test_snapshots_recorded_while_the_store_opens_keep_their_epochs_and_checkpoint_weights(tmp_path, monkeypatch):
    """`start_soon` opens the store on a thread of its own: snapshots recorded meanwhile wait, each epoch's with
    the weights of its time, and reach the store in order once it is open; the initial weights are the ones
    given, whatever the network holds by then."""
    import threading
    from types import SimpleNamespace

    from core.runs.session import RecordingPlan, RecordingSession
    from studio.training.run_recording import RunRecording
    from tests.core.runs.fake_runs import DATA_REF, SPEC, epoch_snapshot, weights

    opening, opened = threading.Event(), threading.Event()
    start = RecordingSession.start

    def slow_start(*args, **kwargs):
        opening.set()
        opened.wait(10)
        return start(*args, **kwargs)

    monkeypatch.setattr(RecordingSession, "start", slow_start)
    network = _Network(0.0)
    plan = RecordingPlan(tmp_path / "p.runs.sqlite", SPEC, DATA_REF, "hash", 7, checkpoint_every=2)
    recording = RunRecording.start_soon(plan, network, weights(-1.0))
    assert opening.wait(10)
    for epoch in (1, 2, 3):  # the store is still opening: each waits, with the weights of its epoch
        network.value = float(epoch)
        recording.record(epoch_snapshot(epoch, val_loss=10.0 - epoch))
    opened.set()
    for epoch in (4, 5):
        network.value = float(epoch)
        recording.record(epoch_snapshot(epoch, val_loss=10.0 - epoch))
    end = epoch_snapshot(5)
    end.kind, end.stop_reason = "end", "completed"
    recording.finish(SimpleNamespace(snapshot=end, weights=weights(5.0), test_score=None))
    path, run_id = recording.recorded()
    with RunStore.open(path) as store:
        record = store.load_run(run_id)
        checkpoints = {c.epoch: store.checkpoint_weights(run_id, c.epoch)["params"][0]
                       for c in store.checkpoints(run_id)}
    assert [row.epoch for row in record.epochs] == [1, 2, 3, 4, 5]
    assert record.initial_weights["params"][0] == -1.0
    assert checkpoints[2] == 2.0 and checkpoints[4] == 4.0  # the weights of their epochs, not of the moment
    assert record.final_weights["params"][0] == 5.0


def test_the_window_hears_the_end_first_and_the_record_is_committed_before_the_run_turns_idle(document, qtbot,
                                                                                               tmp_path):
    """`finished` comes as soon as the run ends (the record commits after it, off the window's way); then
    `run_recorded` names the run, already finished in the store; only then does the controller turn idle."""
    project = tmp_path / "order.bps"
    document.save(project)
    document.set_training_field("epochs", 3)
    controller = TrainingController(document)
    events = []
    controller.finished.connect(lambda _snapshot: events.append(("finished", controller.state)))

    def on_recorded(recorded):
        path, run_id = recorded
        with RunStore.open(path) as store:
            events.append(("recorded", controller.state, store.load_run(run_id).summary.status))

    controller.run_recorded.connect(on_recorded)
    try:
        controller.start()
        qtbot.waitUntil(lambda: controller.state == IDLE, timeout=30_000)
    finally:
        controller.shutdown()
    assert events == [("finished", "running"), ("recorded", "running", FINISHED)]
    assert controller.last_recorded is not None and controller.last_recorded[0] == store_path_for(project)


def test_a_window_s_run_commits_its_record_once_the_end_is_shown(document, qtbot, tmp_path, monkeypatch):
    """With `record_after_shown` (the controller's runs) the record waits for `end_shown` after `finished`, so
    the store's writer does not compete with the window's last redraw; then it commits and `recorded` follows."""
    from PySide6.QtCore import QThread

    from studio.training import worker as worker_module
    from studio.training.run_recording import recording_plan
    from studio.training.worker import TrainingJob, TrainingWorker

    monkeypatch.setattr(worker_module, "END_SHOWN_TIMEOUT", 60.0)  # only `end_shown` ends the wait here
    project = tmp_path / "shown.bps"
    document.save(project)
    document.set_training_field("epochs", 2)
    data = document.prepared()
    plan = recording_plan(project, document.spec, document.data_config, data.dataset_hash)
    worker = TrainingWorker(TrainingJob(document.spec, data, recording=plan, record_after_shown=True))
    thread = QThread()
    worker.moveToThread(thread)
    thread.started.connect(worker.run)
    worker.done.connect(thread.quit)
    recorded = []
    worker.recorded.connect(recorded.append)
    try:
        with qtbot.waitSignal(worker.finished, timeout=30_000):
            thread.start()
        qtbot.wait(200)
        assert not thread.isFinished() and not recorded  # waiting for the window
        with RunStore.open(store_path_for(project)) as store:
            assert [run.status for run in store.list_runs()] == ["running"]
        worker.end_shown()
        qtbot.waitUntil(thread.isFinished, timeout=30_000)
        qtbot.waitUntil(lambda: bool(recorded), timeout=5_000)
    finally:
        worker.end_shown()
        thread.quit()
        thread.wait(5_000)
    with RunStore.open(recorded[0][0]) as store:
        assert store.load_run(recorded[0][1]).summary.status == FINISHED


def test_a_store_failing_on_the_opening_thread_leaves_the_run_unrecorded_with_one_line(tmp_path, monkeypatch):
    """Whatever `start_soon`'s thread meets (not only a store error) becomes the recording's one-line problem:
    training goes on, the run is simply not in a store."""
    from types import SimpleNamespace

    from core.runs.session import RecordingPlan, RecordingSession
    from studio.training.run_recording import RunRecording
    from tests.core.runs.fake_runs import DATA_REF, SPEC, epoch_snapshot, weights

    def broken_start(*args, **kwargs):
        raise ValueError("the disk said no")

    monkeypatch.setattr(RecordingSession, "start", broken_start)
    plan = RecordingPlan(tmp_path / "p.runs.sqlite", SPEC, DATA_REF, "hash", 7)
    recording = RunRecording.start_soon(plan, _Network(0.0), weights(-1.0))
    recording.record(epoch_snapshot(1))
    end = epoch_snapshot(1)
    end.kind, end.stop_reason = "end", "completed"
    recording.finish(SimpleNamespace(snapshot=end, weights=weights(1.0), test_score=None))
    assert recording.recorded() is None and recording.run_id is None
    assert "\n" not in recording.problem and "the disk said no" in recording.problem
    assert "p.runs.sqlite" in recording.problem
