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
