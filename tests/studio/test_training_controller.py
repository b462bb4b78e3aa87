"""The training controller around a real Document: train, pause, step, stop, reset, live edits, failures, close."""

from __future__ import annotations

import time

import numpy as np
import pytest
from PySide6.QtWidgets import QMessageBox

from core.spec import SpecError
from studio.training.controller import IDLE, PAUSED, RUNNING, TrainingController


@pytest.fixture
def controller(document, qtbot):
    ctrl = TrainingController(document)
    ctrl.show_dialogs = True
    yield ctrl
    ctrl.shutdown()
    assert ctrl._thread is None
    if ctrl.last_dialog is not None:
        ctrl.last_dialog.close()


def set_epochs(document, epochs: int) -> None:
    document.set_training_field("epochs", epochs)


def test_train_runs_to_finished_and_stores_weights(controller, document, qtbot):
    set_epochs(document, 3)
    assert controller.action_play_pause.isEnabled() and controller.action_play_pause.text() == "Train"
    with qtbot.waitSignal(controller.finished, timeout=30_000) as finished:
        controller.action_play_pause.trigger()
        assert document.is_training and controller.state == RUNNING
    snapshot = finished.args[0]
    assert snapshot.stop_reason == "completed" and snapshot.epoch == 3
    qtbot.waitUntil(lambda: controller.state == IDLE, timeout=5_000)
    assert not document.is_training
    assert document.weights is not None and len(document.history) == 3
    assert [s.epoch for s in controller.epoch_records] == [1, 2, 3]
    assert controller.latest_prediction is not None  # circles is 2-D: the boundary was predicted
    assert controller.action_reset.isEnabled()


def test_one_ordered_update_signal_carries_the_run(controller, document, qtbot):
    """The plots get one `updated` signal per worker update, in step order, and a replayed history as one
    epochs-only update."""
    set_epochs(document, 4)
    updates = []
    controller.updated.connect(updates.append)
    with qtbot.waitSignal(controller.finished, timeout=30_000):
        controller.start()
    qtbot.waitUntil(lambda: controller.state == IDLE, timeout=5_000)
    steps = [u.latest.step for u in updates if u.latest is not None]
    assert steps == sorted(set(steps)) and steps[-1] == controller.latest.step
    assert [s.epoch for u in updates for s in u.epochs if s.kind == "epoch"] == [1, 2, 3, 4]
    assert sum(len(u.batch_losses) for u in updates) == controller.latest.step  # every batch's loss, once
    updates.clear()
    weights, history = document.weights, document.history
    document.set_weights(None, [])
    document.set_weights(weights, history)  # as when a trained project is opened: the history is replayed
    (replayed,) = updates
    assert replayed.latest is None and [s.epoch for s in replayed.epochs] == [1, 2, 3, 4]


def test_pause_holds_the_step_count_and_resume_continues(controller, document, qtbot):
    set_epochs(document, 100_000)
    controller.action_play_pause.trigger()
    qtbot.waitUntil(lambda: controller.latest is not None and controller.latest.step > 30, timeout=20_000)
    controller.action_play_pause.trigger()
    assert controller.state == PAUSED and controller.action_play_pause.text() == "Resume"
    qtbot.wait(200)  # the pause takes effect at the next snapshot; its update arrives
    held = controller.latest.step
    qtbot.wait(300)
    assert controller.latest.step == held
    controller.action_play_pause.trigger()
    qtbot.waitUntil(lambda: controller.latest.step > held, timeout=5_000)


def test_step_batch_advances_exactly_one_batch(controller, document, qtbot):
    controller.action_step_batch.trigger()
    qtbot.waitUntil(lambda: controller.latest is not None and controller.latest.step == 1, timeout=20_000)
    assert controller.state == PAUSED and document.is_training
    controller.action_step_batch.trigger()
    qtbot.waitUntil(lambda: controller.latest.step == 2, timeout=5_000)
    qtbot.wait(200)
    assert controller.latest.step == 2
    per_epoch = controller.latest.batches_per_epoch
    controller.action_step_epoch.trigger()
    qtbot.waitUntil(lambda: controller.latest.kind == "epoch", timeout=5_000)
    assert controller.latest.step == per_epoch and controller.latest.epoch == 1


def test_stop_keeps_weights_and_reset_forgets_them(controller, document, qtbot):
    set_epochs(document, 100_000)
    controller.action_play_pause.trigger()
    qtbot.waitUntil(lambda: controller.latest is not None and controller.latest.step > 30, timeout=20_000)
    with qtbot.waitSignal(controller.finished, timeout=5_000) as finished:
        controller.action_stop.trigger()
    assert finished.args[0].stop_reason == "stopped"
    qtbot.waitUntil(lambda: controller.state == IDLE, timeout=5_000)
    assert document.weights is not None
    with qtbot.waitSignal(controller.weights_reset, timeout=1_000):
        controller.action_reset.trigger()
    assert document.weights is None and not controller.action_reset.isEnabled()


def test_reset_while_running_stops_then_forgets(controller, document, qtbot):
    set_epochs(document, 100_000)
    controller.action_play_pause.trigger()
    qtbot.waitUntil(lambda: controller.latest is not None and controller.latest.step > 10, timeout=20_000)
    with qtbot.waitSignal(controller.weights_reset, timeout=5_000):
        controller.action_reset.trigger()
    qtbot.waitUntil(lambda: controller.state == IDLE, timeout=5_000)
    assert document.weights is None and not document.is_training


def test_learning_rate_changes_live_and_structure_is_locked(controller, document, qtbot):
    set_epochs(document, 100_000)
    controller.action_play_pause.trigger()
    qtbot.waitUntil(lambda: controller.latest is not None and controller.latest.step > 10, timeout=20_000)
    document.set_training_field("optimizer.lr", 0.0005)
    qtbot.waitUntil(lambda: controller.latest.lr == pytest.approx(0.0005), timeout=5_000)
    with pytest.raises(SpecError, match="while training"):
        document.set_units(0, 4)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_huge_learning_rate_shows_divergence_and_keeps_finite_weights(controller, document, qtbot):
    document.set_data_source({"kind": "playground", "name": "plane"})
    for index in range(len(document.spec["layers"]) - 1):
        document.set_layer_field(index, "activation", "relu")
    document.set_optimizer("sgd")
    document.set_training_field("optimizer.lr", 1e4)
    with qtbot.waitSignal(controller.diverged, timeout=30_000) as diverged:
        controller.action_play_pause.trigger()
    snapshot = diverged.args[0]
    assert snapshot.diverged and snapshot.diverged_layer
    dialog = controller.last_dialog
    assert isinstance(dialog, QMessageBox) and dialog.isVisible()
    assert snapshot.diverged_layer in dialog.text() and "learning rate" in dialog.informativeText().lower()
    qtbot.waitUntil(lambda: controller.state == IDLE, timeout=5_000)
    assert all(np.isfinite(w).all() for w in document.weights.values())


def test_exception_in_worker_shows_details_and_keeps_project(controller, document, qtbot, monkeypatch):
    from studio.training import worker as worker_module

    def broken_build(self):
        raise RuntimeError("simulated engine failure")

    monkeypatch.setattr(worker_module.TrainingWorker, "_build", broken_build)
    spec_before = document.spec
    with qtbot.waitSignal(controller.failed, timeout=10_000) as failed:
        controller.action_play_pause.trigger()
    assert "simulated engine failure" in failed.args[0] and "Traceback" in failed.args[1]
    dialog = controller.last_dialog
    assert dialog.isVisible() and "simulated engine failure" in dialog.detailedText()
    qtbot.waitUntil(lambda: controller.state == IDLE, timeout=5_000)
    assert document.spec == spec_before and document.weights is None and not document.is_training
    assert controller.action_play_pause.isEnabled()  # the studio keeps working


def test_shutdown_while_training_stops_within_a_second(controller, document, qtbot):
    set_epochs(document, 100_000)
    controller.action_play_pause.trigger()
    qtbot.waitUntil(lambda: controller.latest is not None and controller.latest.step > 10, timeout=20_000)
    thread = controller._thread
    start = time.perf_counter()
    controller.shutdown()
    assert time.perf_counter() - start < 1.0
    assert thread is not None and controller._thread is None and controller.state == IDLE


def test_train_is_disabled_with_the_reason_when_blocked(controller, document, monkeypatch):
    monkeypatch.setattr(type(document), "training_blockers", lambda self: ["No data set: pick one."])
    controller._update_actions()
    assert not controller.action_play_pause.isEnabled()
    assert "No data set" in controller.action_play_pause.toolTip()
    assert controller.start() is False
