"""The status bar shows a run's first figures at once, then at most a few refreshes a second, and its final
words are not overwritten by a refresh still waiting."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMainWindow

from core.training.snapshot import Snapshot
from studio.training.controller import TrainingController
from studio.window.training_status import TrainingStatus
from studio.training.worker import WorkerUpdate


def update(step: int, **extra) -> WorkerUpdate:
    return WorkerUpdate(snapshot(step, **extra))


def snapshot(step: int, kind: str = "batch", **extra) -> Snapshot:
    extra.setdefault("samples_per_second", 1000.0)
    return Snapshot(kind=kind, epoch=step // 10, step=step, batches_per_epoch=10, batch_in_epoch=step % 10,
                    train_loss=1.0 / step, lr=0.01, metric_name="accuracy", elapsed=step * 0.01, **extra)


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
        controller.updated.emit(update(step))
    assert "step 1" in widget.label.text()  # the first, synchronously
    qtbot.waitUntil(lambda: "step 100" in widget.label.text(), timeout=5_000)
    assert widget.throttle.draws <= 3  # 100 snapshots, a handful of refreshes
    assert "1,000 samples/s" in widget.speed.text()


def test_the_final_figures_are_not_overwritten_by_a_waiting_refresh(status, qtbot):
    controller, widget = status
    controller.run_started.emit()
    controller.updated.emit(update(1))
    controller.updated.emit(update(2))  # waits for the throttle
    assert widget.throttle.pending
    controller.finished.emit(snapshot(20, kind="end", finished=True, stop_reason="completed"))
    qtbot.wait(400)  # longer than the refresh interval
    assert widget.label.text().startswith("Finished: completed")
    assert not widget.throttle.pending


def test_the_final_rate_is_the_runs_own_not_the_first_snapshots(status, qtbot):
    """Issue 11 §2.3: a short run ended before a second refresh, leaving the first snapshot's 52 samples/s."""
    controller, widget = status
    controller.run_started.emit()
    controller.updated.emit(update(1, samples_per_second=52.0))
    assert "52 samples/s" in widget.speed.text()
    controller.finished.emit(snapshot(20, kind="end", finished=True, stop_reason="completed",
                                      samples_per_second=270_000.0))
    assert widget.speed.text() == "270,000 samples/s"


def trained(controller, document, qtbot, epochs: int = 3) -> None:
    document.set_training_field("epochs", epochs)
    with qtbot.waitSignal(controller.finished, timeout=30_000):
        controller.start()
    qtbot.waitUntil(lambda: controller.state == "idle", timeout=5_000)


def test_reset_during_a_run_ends_on_ready_not_finished(status, document, qtbot):
    controller, widget = status
    controller.show_dialogs = False
    document.set_training_field("epochs", 100_000)
    controller.start()
    qtbot.waitUntil(lambda: controller.latest is not None, timeout=30_000)
    controller.reset()
    qtbot.waitUntil(lambda: controller.state == "idle", timeout=10_000)
    qtbot.wait(50)
    assert document.weights is None
    assert widget.label.text() == "Ready to train" and widget.speed.text() == ""


def test_an_edit_that_discards_the_weights_clears_the_finished_words(status, document, qtbot):
    controller, widget = status
    trained(controller, document, qtbot)
    assert widget.label.text().startswith("Finished: completed")
    document.set_training_field("optimizer.lr", 0.02)  # keeps the weights: the words stay
    assert widget.label.text().startswith("Finished: completed")
    document.set_units(0, 5)  # another architecture: the trained weights are gone
    assert document.weights is None
    assert widget.label.text() == "Ready to train" and widget.test_score.text() == ""


def test_the_test_score_is_shown_at_the_end_of_a_run(status, document, qtbot):
    """Issue 11 §3: 20 % is held out by default; its figures are those `Network.evaluate` gives the kept weights."""
    from core.network import Network
    from studio.plots.loss_plot import LossPlot

    controller, widget = status
    plot = LossPlot(controller)
    qtbot.addWidget(plot)
    trained(controller, document, qtbot)
    network = Network.from_spec(document.spec)
    network.set_state(document.weights)
    data = document.prepared()
    assert len(data.x_test) > 0
    loss, accuracy = network.evaluate(data.x_test, data.y_test)
    assert widget.test_score.text() == f"test accuracy {accuracy:.3f} · loss {loss:.3g}"
    assert f"test {loss:.3g}" in plot.key.text()
    plot.arrangement.show_plot(1)  # the accuracy plot: the key gives the test accuracy
    assert f"test {accuracy:.3f}" in plot.key.text() and f"test {accuracy:.3f}" in plot.key.toolTip()
    controller.run_started.emit()  # a new run: the old test figures go
    assert widget.test_score.text() == "" and "test" not in plot.key.text()
