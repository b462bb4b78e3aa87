"""The status bar shows a run's first figures at once, then at most a few refreshes a second, and its final
words are not overwritten by a refresh still waiting."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMainWindow

from core.training.snapshot import Snapshot
from studio.training.controller import TrainingController
from studio.training.status import TrainingStatus


def snapshot(step: int, kind: str = "batch", **extra) -> Snapshot:
    return Snapshot(kind=kind, epoch=step // 10, step=step, batches_per_epoch=10, batch_in_epoch=step % 10,
                    train_loss=1.0 / step, lr=0.01, metric_name="accuracy", elapsed=step * 0.01,
                    samples_per_second=1000.0, **extra)


@pytest.fixture
def status(document, qtbot):
    window = QMainWindow()
    controller = TrainingController(document, window)
    widget = TrainingStatus(controller)
    window.statusBar().addPermanentWidget(widget)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield controller, widget
    window.close()  # (the window is held here until the test ends)


def test_a_burst_of_snapshots_shows_the_first_at_once_and_the_newest_soon_after(status, qtbot):
    controller, widget = status
    controller.run_started.emit()
    for step in range(1, 101):
        controller.snapshot.emit(snapshot(step))
    assert "step 1" in widget.label.text()  # the first, synchronously
    qtbot.waitUntil(lambda: "step 100" in widget.label.text(), timeout=5_000)
    assert widget.throttle.draws <= 3  # 100 snapshots, a handful of refreshes
    assert "1,000 samples/s" in widget.speed.text()


def test_the_final_figures_are_not_overwritten_by_a_waiting_refresh(status, qtbot):
    controller, widget = status
    controller.run_started.emit()
    controller.snapshot.emit(snapshot(1))
    controller.snapshot.emit(snapshot(2))  # waits for the throttle
    assert widget.throttle.pending
    controller.finished.emit(snapshot(20, kind="end", finished=True, stop_reason="completed"))
    qtbot.wait(400)  # longer than the refresh interval
    assert widget.label.text().startswith("Finished: completed")
    assert not widget.throttle.pending
