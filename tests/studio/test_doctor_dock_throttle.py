"""The Doctor dock's running epoch count is cheap: updates without findings only ask its throttle for a refresh
(many updates, one redraw); a hidden dock refreshes nothing until it is shown; findings and the run's end show at
once. Updates are fed by hand and the throttle flushed, so nothing here depends on timing."""

from __future__ import annotations

import pytest

from core.diagnostics import Finding
from core.training.snapshot import Snapshot
from studio.training.controller import TrainingController
from studio.training.worker import WorkerUpdate
from studio.widgets.doctor_panel import DoctorPanel


def epoch_update(epoch: int, findings: list | None = None) -> WorkerUpdate:
    snapshot = Snapshot(kind="epoch", epoch=epoch, step=epoch * 10, batches_per_epoch=10, batch_in_epoch=10,
                        train_loss=0.5, lr=0.01, metric_name="accuracy")
    return WorkerUpdate(snapshot, [snapshot], findings=findings or [])


@pytest.fixture
def panel(document, qtbot):
    controller = TrainingController(document)
    controller.show_dialogs = False
    controller.state = "running"  # as while a run goes: the line says "so far"
    widget = DoctorPanel(document, controller)
    qtbot.addWidget(widget)
    widget.resize(400, 500)
    return widget


def test_many_updates_without_findings_refresh_the_status_once(panel, qtbot):
    panel.show()
    qtbot.waitExposed(panel)
    before, draws = panel.status.text(), panel.throttle.draws
    for epoch in range(1, 41):
        panel.controller.updated.emit(epoch_update(epoch))
    assert panel.status.text() == before  # nothing set per update: the throttle holds the refresh
    assert panel.throttle.pending
    panel.throttle.flush()
    assert panel.throttle.draws == draws + 1
    assert panel.status.text().startswith("No problems found so far (40 epochs checked")


def test_a_hidden_dock_refreshes_nothing_until_shown(panel, qtbot):
    panel.show()
    qtbot.waitExposed(panel)
    panel.hide()
    before, draws = panel.status.text(), panel.throttle.draws
    for epoch in range(1, 11):
        panel.controller.updated.emit(epoch_update(epoch))
    panel.throttle._on_timeout()  # the throttle's turn comes: hidden, so it only looks again later
    assert panel.throttle.draws == draws and panel.status.text() == before and panel.throttle.pending
    panel.show()  # shown again: the Show event schedules the refresh, with the newest count
    qtbot.waitUntil(lambda: panel.throttle.draws == draws + 1, timeout=5_000)
    assert "(10 epochs checked" in panel.status.text()


def test_findings_show_at_once(panel, qtbot):
    panel.show()
    finding = Finding("plateau", 3, None, {"loss": 0.69}, "The loss is flat.")
    panel.controller.updated.emit(epoch_update(1))
    panel.controller.updated.emit(epoch_update(2, [finding]))
    assert [card.finding.problem for card in panel.cards] == ["plateau"]
    assert panel.status.text().startswith("1 problem found")  # not waiting for the throttle
