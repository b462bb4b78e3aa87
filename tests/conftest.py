"""Test-wide settings: Qt runs offscreen (CI has no screen), and no modal dialog may hang the suite."""

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def pytest_configure(config):
    config.addinivalue_line("markers", "real_dialogs: the test answers modal dialogs itself (no guard)")


@pytest.fixture(autouse=True)
def _no_unanswered_modal_dialogs(request, monkeypatch):
    """A modal dialog's exec() waits for a click that never comes offscreen: fail the test instead of hanging.

    Tests that show dialogs patch the studio's dialog functions (or answer them and mark `real_dialogs`).
    """
    if "real_dialogs" in request.keywords:
        yield
        return
    try:
        from PySide6.QtWidgets import QDialog, QMenu, QMessageBox
    except ImportError:  # pragma: no cover - the test extra installs PySide6
        yield
        return

    def refuse(self, *args, **kwargs):
        raise AssertionError(f"a modal {type(self).__name__} ({self.objectName() or self.windowTitle()!r}) was "
                             f"opened in a test without being answered; patch the dialog function instead")

    for cls in (QDialog, QMessageBox, QMenu):
        monkeypatch.setattr(cls, "exec", refuse)
    yield
