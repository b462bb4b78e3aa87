"""Shared fixtures for the studio's tests: an isolated settings scope and user-data folder, and a document.

Every test gets its own QSettings folder (organisation "BackpropStudioTest") and its own autosave/data folder,
so no test reads or writes the user's real settings.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication, QSettings


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path_factory, monkeypatch, qapp):
    """A fresh, empty QSettings scope and user-data folder for each test."""
    settings_dir = tmp_path_factory.mktemp("settings")
    data_dir = tmp_path_factory.mktemp("user-data")
    QCoreApplication.setOrganizationName("BackpropStudioTest")
    QCoreApplication.setApplicationName("BackpropStudioTest")
    for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
        QSettings.setPath(QSettings.Format.IniFormat, scope, str(settings_dir))
        QSettings.setPath(QSettings.Format.NativeFormat, scope, str(settings_dir))
    monkeypatch.setenv("BACKPROP_STUDIO_DATA_DIR", str(data_dir))
    yield settings_dir


@pytest.fixture
def user_data_dir(tmp_path_factory, monkeypatch):
    """The folder autosave writes to in this test (the same one `isolated_settings` set up)."""
    import os
    from pathlib import Path
    return Path(os.environ["BACKPROP_STUDIO_DATA_DIR"])


@pytest.fixture
def document(qapp):
    """The default project: the circles playground set and the 2-8-8-2 tanh network."""
    from studio.document import Document
    doc = Document()
    yield doc
    doc.deleteLater()


@pytest.fixture
def answer_dialog(qtbot):
    """Click a button (by its text) in the next modal dialog, from inside its event loop.

    Returns the list that collects each answered dialog's text, to assert what the user was told.
    """
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QAbstractButton, QApplication, QMessageBox

    seen: list[str] = []

    def answer(button_text: str, attempts: int = 200) -> None:
        def click() -> None:
            box = QApplication.activeModalWidget()
            if box is None:
                if attempts_left[0] > 0:
                    attempts_left[0] -= 1
                    QTimer.singleShot(10, click)
                return
            seen.append(box.text() if isinstance(box, QMessageBox) else box.windowTitle())
            for button in box.findChildren(QAbstractButton):
                if button.text().replace("&", "") == button_text:
                    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
                    return
            box.reject()
            raise AssertionError(f"no button {button_text!r} in dialog {seen[-1]!r}")

        attempts_left = [attempts]
        QTimer.singleShot(0, click)

    from PySide6.QtCore import Qt
    answer.seen = seen  # type: ignore[attr-defined]
    return answer


@pytest.fixture
def make_window(qtbot, tmp_path):
    """Build shown main windows (autosaving into the test's folder); each is closed without questions at the
    test's end, its training stopped."""
    from studio.main_window import MainWindow
    windows = []

    def make(document=None):
        window = MainWindow(document, autosave_folder=tmp_path / "autosave")
        window.show()
        qtbot.waitExposed(window)
        window.activateWindow()
        window.raise_()
        qtbot.waitUntil(window.isActiveWindow, timeout=2000)  # shortcuts only reach the active window
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.document.set_training(False)
        window.document._dirty_outside_undo = False
        window.document.undo_stack.setClean()
        window.close()
        window.deleteLater()


@pytest.fixture
def main_window(make_window):
    """A shown main window around the default document."""
    return make_window()


@pytest.fixture
def builder(qtbot, document):
    """A shown network builder around the default document (2-8-8-2 on circles)."""
    from studio.widgets.network_builder import NetworkBuilder
    widget = NetworkBuilder(document)
    qtbot.addWidget(widget)
    widget.resize(1100, 620)
    widget.show()
    qtbot.waitExposed(widget)
    return widget
