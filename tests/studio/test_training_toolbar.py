"""The training toolbar and status bar, driven by real clicks and the Space key."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMainWindow

from studio.training.controller import TrainingController
from studio.window.training_status import TrainingStatus, format_duration
from studio.training.toolbar import TrainingToolBar


def make_window(document, qtbot):
    window = QMainWindow()
    window.setWindowTitle("Backprop Studio")
    controller = TrainingController(document, window)
    toolbar = TrainingToolBar(controller)
    window.addToolBar(toolbar)
    window.addActions(controller.actions)
    status = TrainingStatus(controller)
    window.statusBar().addPermanentWidget(status)
    qtbot.addWidget(window)
    window.resize(900, 200)
    window.show()
    qtbot.waitExposed(window)
    return window, controller, toolbar, status


def test_clicking_train_runs_and_status_reports(document, qtbot):
    document.set_training_field("epochs", 3)
    window, controller, toolbar, status = make_window(document, qtbot)
    button = toolbar.button_for(controller.action_play_pause)
    assert button.text() == "Train"
    titles = []
    controller.updated.connect(lambda _update: titles.append(window.windowTitle()))
    with qtbot.waitSignal(controller.finished, timeout=30_000):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: controller.state == "idle", timeout=5_000)
    assert "Finished: completed" in status.label.text() and "epoch 3" in status.label.text()
    assert status.bar.value() == 1000
    assert any(t.startswith("[") and "%] Backprop Studio" in t for t in titles)
    controller.shutdown()


def test_space_pauses_and_resumes(document, qtbot):
    document.set_training_field("epochs", 100_000)
    window, controller, toolbar, status = make_window(document, qtbot)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2_000)
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert controller.state == "running"
    qtbot.waitUntil(lambda: controller.latest is not None and controller.latest.step > 10, timeout=20_000)
    assert "samples/s" in status.speed.text() and "left" in status.remaining.text()
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert controller.state == "paused"
    assert toolbar.button_for(controller.action_play_pause).text() == "Resume"
    assert controller.action_stop.isEnabled()
    controller.shutdown()
    assert controller.state == "idle"


def test_format_duration():
    assert format_duration(5) == "0:05"
    assert format_duration(3725) == "1:02:05"


def test_space_types_into_a_text_field_and_trains_elsewhere(document, qtbot):
    """Issue 11 §3: Space toggles training unless a text field has the focus."""
    from PySide6.QtWidgets import QCheckBox, QLineEdit, QPlainTextEdit, QSpinBox, QTextEdit, QVBoxLayout, QWidget

    document.set_training_field("epochs", 100_000)
    window, controller, _toolbar, _status = make_window(document, qtbot)
    central = QWidget()
    fields = [QLineEdit(), QSpinBox(), QTextEdit(), QPlainTextEdit()]
    other = QCheckBox("a check box")
    column = QVBoxLayout(central)
    for widget in (*fields, other):
        column.addWidget(widget)
    window.setCentralWidget(central)
    window.resize(900, 500)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2_000)
    for field in fields:
        field.setFocus()
        qtbot.waitUntil(field.hasFocus, timeout=2_000)
        target = field.lineEdit() if isinstance(field, QSpinBox) else field
        qtbot.keyClick(target, Qt.Key.Key_Space)
        assert controller.state == "idle", f"Space in a {type(field).__name__} started training"
    assert fields[0].text() == " " and fields[2].toPlainText() == " " and fields[3].toPlainText() == " "
    other.setFocus()
    qtbot.waitUntil(other.hasFocus, timeout=2_000)
    qtbot.keyClick(other, Qt.Key.Key_Space)
    assert controller.state == "running"
    controller.shutdown()
