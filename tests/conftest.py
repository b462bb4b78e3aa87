"""Test-wide settings: Qt runs offscreen (CI has no screen), the kernel cache holds no stale kernels, and no modal
dialog may hang the suite."""

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# As the app and the command line do before numba is imported: pick the kernel cache, and drop cached kernels
# compiled from other sources (Numba re-checks only a kernel's own file; core.kernel_cache.drop_stale_kernels).
from core.kernel_cache import configure_kernel_cache  # noqa: E402

configure_kernel_cache()

DIALOG_WATCHDOG_MS = 5000


@pytest.fixture(autouse=True)
def _garbage_collected_on_the_gui_thread(request):
    """Qt tests: cyclic garbage is collected on the GUI thread only (see studio.qt_threads), as in the app."""
    if "qtbot" in request.fixturenames or "qapp" in request.fixturenames:
        request.getfixturevalue("qapp")
        from studio.qt_threads import collect_garbage_on_gui_thread
        collect_garbage_on_gui_thread()
    yield


@pytest.fixture(autouse=True)
def _no_unanswered_modal_dialogs(monkeypatch):
    """A modal dialog's exec() waits for a click that never comes offscreen. Tests answer their dialogs (with a
    timer, or by patching the studio's dialog functions); one that is still open after 5 s is closed by this
    watchdog and the test fails, instead of the whole suite hanging.
    """
    try:
        import shiboken6
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QDialog, QMenu, QMessageBox
    except ImportError:  # pragma: no cover - the test extra installs PySide6
        yield
        return
    unanswered: list[str] = []

    def guard(original):
        def exec_with_watchdog(self, *args, **kwargs):
            def close_if_still_open():
                if self.isVisible():
                    unanswered.append(f"{type(self).__name__} {self.objectName() or self.windowTitle()!r}")
                    self.close() if isinstance(self, QMenu) else self.reject()

            watchdog = QTimer(self)  # a child: it dies with the dialog, never firing into a later test
            watchdog.setSingleShot(True)
            watchdog.timeout.connect(close_if_still_open)
            watchdog.start(DIALOG_WATCHDOG_MS)
            try:
                return original(self, *args, **kwargs)
            finally:
                if shiboken6.isValid(watchdog):
                    watchdog.stop()
        return exec_with_watchdog

    for cls in (QDialog, QMessageBox, QMenu):
        monkeypatch.setattr(cls, "exec", guard(cls.exec))
    yield
    assert not unanswered, f"modal dialogs opened and never answered: {unanswered}"
