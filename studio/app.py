"""The application entry point: `backprop-studio` / `python -m studio`.

Builds the QApplication with a light theme that every plot follows (pyqtgraph's config options), then opens
the project given with `--project`, or offers to restore an autosave left by a crash, or starts the default
playground project (circles, 2-8-8-2 tanh, Adam lr 0.01, batch 10) so pressing Train shows learning at once.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from studio.dialogs.about import studio_version


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="backprop-studio", description="Backprop Studio: build, train and "
                                     "watch neural networks.")
    parser.add_argument("--version", action="version", version=f"Backprop Studio {studio_version()}")
    parser.add_argument("--project", metavar="PATH", help="open this project file (.bps)")
    parser.add_argument("project_file", nargs="?", metavar="PROJECT", help="same as --project")
    args, _qt_arguments = parser.parse_known_args(argv)
    return args


def apply_theme(app) -> None:
    """Fusion style with a light palette; white plot backgrounds with black axes and antialiased curves."""
    import pyqtgraph as pg
    from PySide6.QtGui import QColor, QPalette

    app.setStyle("Fusion")
    palette = app.style().standardPalette()
    palette.setColor(QPalette.ColorRole.Highlight, QColor("#2f6fdb"))
    palette.setColor(QPalette.ColorRole.Link, QColor("#2f6fdb"))
    app.setPalette(palette)
    pg.setConfigOptions(antialias=True, background="w", foreground="k")


def startup_document(project_path: str | None, parent=None):
    """The document to open with: the named project, a restored autosave (if the user wants it), or the default.

    Returns (document, message): message is an error to show when the named project could not be opened.
    """
    from core.project import ProjectError
    from studio.autosave import autosave_description, pending_autosave, restore_autosave
    from studio.dialogs.crash_restore import ask_restore
    from studio.document import Document

    pending = pending_autosave()
    if pending is not None:
        if ask_restore(parent, autosave_description(pending)):
            try:
                return restore_autosave(pending), None
            except ProjectError as error:
                pending.unlink(missing_ok=True)
                return Document(), f"The autosave could not be restored: {error}"
        pending.unlink(missing_ok=True)
    if project_path:
        from studio.window.project_actions import open_document
        opened, error = open_document(project_path)
        return (opened, None) if opened is not None else (Document(), error)
    return Document(), None


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    from studio.cli_entry import dispatch  # headless commands (train/predict/export) and app flags (--self-test, ...)
    if (code := dispatch(argv)) is not None:
        return code
    args = parse_arguments(argv)  # dispatch() has pointed Numba's cache at a writable folder already

    from PySide6.QtCore import QCoreApplication
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from studio.settings import APPLICATION, ORGANIZATION

    if not QCoreApplication.organizationName():
        QCoreApplication.setOrganizationName(ORGANIZATION)
        QCoreApplication.setApplicationName(APPLICATION)
    app = QApplication.instance() or QApplication([sys.argv[0], *argv])
    app.setApplicationDisplayName("Backprop Studio")
    app.setApplicationVersion(studio_version())
    icon = Path(__file__).resolve().parent.parent / "resources" / "icons" / "backprop-studio.svg"
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    apply_theme(app)
    from studio.qt_threads import collect_garbage_on_gui_thread
    collect_garbage_on_gui_thread()

    window, report = open_startup_window(args.project or args.project_file)
    from studio.startup import start_kernel_warmup
    from studio.startup.probe import install_startup_probe
    warmup = start_kernel_warmup(window)  # a cold cache compiles in a child process; the window stays live
    install_startup_probe(app, window, warmup)
    report()
    return app.exec()


def open_startup_window(project_path: str | None):
    """The shown main window around the start-up document, and a function that tells the user (once the
    window is up) why the named project could not be opened, or what was wrong with what did open.

    A project that can't be opened never stops the start: the window shows the default project, the status
    bar says why in one line, and an error box says it too.
    """
    from studio.dialogs import messages
    from studio.main_window import MainWindow

    document, error = startup_document(project_path)
    window = MainWindow(document)
    if document.path is not None:
        window.settings.add_recent_file(document.path)
    window.show()

    def report() -> None:
        if error:
            window.statusBar().showMessage(error.splitlines()[0] if error else "", 30000)
            messages.show_error(window, "Can't open project", error)
        elif document.warnings:
            messages.show_information(window, "Opened with warnings", "\n\n".join(document.warnings))

    return window, report

