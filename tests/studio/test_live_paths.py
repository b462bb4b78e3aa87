"""Live edits travel by spec path: the controller sends the running Trainer only the live settings that changed."""

from __future__ import annotations

import pytest

from studio.training.controller import PAUSED, TrainingController


def test_an_edit_while_training_sends_its_changed_live_paths_only(document, qtbot, request):
    controller = TrainingController(document)
    request.addfinalizer(controller.shutdown)
    document.set_training_field("epochs", 100_000)
    assert controller.start(paused=True) and controller.state == PAUSED
    sent = []
    worker = controller._worker
    forward = worker.set_live
    worker.set_live = lambda changes: (sent.append(dict(changes)), forward(changes))
    document.set_training_field("optimizer.lr", 0.0005)
    document.set_training_field("l2", 0.001)
    document.set_training_field("l2", 0.001)  # no change: nothing sent
    assert sent == [{"training.optimizer.lr": 0.0005}, {"training.l2": 0.001}]
    controller.step_batch()
    qtbot.waitUntil(lambda: controller.latest is not None and controller.latest.lr == pytest.approx(0.0005),
                    timeout=10_000)
    assert worker.trainer.training["l2"] == 0.001
