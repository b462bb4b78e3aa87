"""The project file commands: New, Open, Open Recent, Save, Save As, Export, and asking to save before losing work.

`ProjectActions` is mixed into the main window. New and Open replace the contents of the one `Document` (every
panel keeps observing the same object); a file that can't be opened leaves the current project untouched. The
window title shows the project's name and a `*` while it has unsaved changes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QFileDialog

from core.project import PROJECT_SUFFIX, ProjectError
from studio.dialogs import examples_dialog, export_dialog, messages
from studio.document import Document

APP_TITLE = "Backprop Studio"
PROJECT_FILTER = f"Backprop Studio projects (*{PROJECT_SUFFIX});;All files (*)"


def open_document(path: str | Path) -> tuple[Document | None, str]:
    """(document, "") for a project file, or (None, one line saying why it can't be opened).

    A project file is untrusted input: core.project refuses what it can name (ProjectError). Anything else a
    file still manages to raise is a bug, but it must not escape File → Open or stop the app starting, so it
    is reported the same way, naming the file and the error type.
    """
    try:
        return Document.open(path), ""
    except ProjectError as error:
        return None, str(error)
    except (ValueError, TypeError, OverflowError, MemoryError, RecursionError, OSError) as error:
        return None, f"{Path(path).name} can't be opened ({type(error).__name__}: {str(error)[:200]})"


class ProjectActions:
    """File commands of the main window (a mixin: it uses the window's document, settings and autosaver)."""

    def _update_title(self, *_args: Any) -> None:
        marker = "*" if self.document.is_dirty else ""
        self.setWindowTitle(f"{self.document.display_name}{marker} — {APP_TITLE}")

    def _ask_open_path(self) -> str:
        path, _ = QFileDialog.getOpenFileName(self, "Open project", self._dialog_folder(), PROJECT_FILTER)
        return path

    def _ask_save_path(self) -> str:
        suggested = str(Path(self._dialog_folder()) / f"{self.document.display_name}{PROJECT_SUFFIX}")
        path, _ = QFileDialog.getSaveFileName(self, "Save project", suggested, PROJECT_FILTER)
        if path and not Path(path).suffix:
            path += PROJECT_SUFFIX
        return path

    def _dialog_folder(self) -> str:
        if self.document.path is not None:
            return str(self.document.path.parent)
        recent = self.settings.recent_files()
        return str(Path(recent[0]).parent) if recent else str(Path.home())

    def _refuse_while_training(self, what: str) -> bool:
        if self.document.is_training:
            messages.show_information(self, APP_TITLE, f"Stop training before {what}.")
            return True
        return False

    def maybe_save(self) -> bool:
        """Ask to save unsaved changes; False when the user cancels (the caller must then do nothing)."""
        if not self.document.is_dirty and not self.document.is_training:  # a run's weights are unsaved work too
            return True
        answer = messages.ask_save_changes(self, self.document.display_name)
        if answer == "save":
            return self.save_project()
        return answer == "discard"

    def new_project(self) -> None:
        if self._refuse_while_training("starting a new project") or not self.maybe_save():
            return
        self.document.replace_with(Document())
        self.autosaver.discard()

    def open_project_dialog(self) -> None:
        if self._refuse_while_training("opening another project") or not self.maybe_save():
            return
        path = self._ask_open_path()
        if path:
            self.open_project(path, ask_to_save=False)

    def open_example_dialog(self) -> None:
        """File → Examples: pick a bundled example; it opens as an untitled copy named after it."""
        if self._refuse_while_training("opening an example") or not self.maybe_save():
            return
        dialog = examples_dialog.ExamplesDialog(examples_dialog.bundled_examples(), self)
        if dialog.exec() and dialog.chosen is not None:
            self.open_example(dialog.chosen)

    def open_example(self, example: examples_dialog.Example) -> None:
        opened = Document.from_project(example.project)  # no path: Save asks where, never over the bundled file
        opened.untitled_name = example.name
        self.document.replace_with(opened)
        self.autosaver.discard()
        self.statusBar().showMessage(f"Opened a copy of the example {example.name}; Save asks where to keep it.",
                                     8000)
        if self.document.warnings:
            messages.show_information(self, "Opened with warnings", "\n\n".join(self.document.warnings))

    def open_project(self, path: str | Path, ask_to_save: bool = True) -> bool:
        """Open a project file; on any error show it and keep the current project untouched."""
        if ask_to_save and (self._refuse_while_training("opening another project") or not self.maybe_save()):
            return False
        opened, error = open_document(path)
        if opened is None:
            self.statusBar().showMessage(error, 10000)
            messages.show_error(self, "Can't open project", error)
            return False
        self.document.replace_with(opened)
        self.autosaver.discard()
        self.settings.add_recent_file(path)
        self.statusBar().showMessage(f"Opened {Path(path).name}", 5000)
        if self.document.warnings:
            messages.show_information(self, "Opened with warnings", "\n\n".join(self.document.warnings))
        return True

    def save_project(self) -> bool:
        if self.document.path is None:
            return self.save_project_as()
        return self._save_to(self.document.path)

    def save_project_as(self) -> bool:
        path = self._ask_save_path()
        return bool(path) and self._save_to(Path(path))

    def _save_to(self, path: Path) -> bool:
        # The weights and history reach the document when a run ends: end it first, or the file gets neither.
        stopped = self.controller.finish_now()
        try:
            self.document.save(path)
        except ProjectError as error:
            messages.show_error(self, "Can't save project", str(error))
            return False
        self.settings.add_recent_file(path)
        self.statusBar().showMessage(f"Stopped training and saved {path.name} with the weights and history so far"
                                     if stopped else f"Saved {path.name}", 10_000 if stopped else 5000)
        return True

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        files = self.settings.recent_files()
        for number, path in enumerate(files, start=1):
            action = self.recent_menu.addAction(f"&{number} {Path(path).name}")
            action.setToolTip(path)
            action.setStatusTip(path)
            action.triggered.connect(lambda _checked=False, p=path: self._open_recent(p))
        if not files:
            self.recent_menu.addAction("No recent projects").setEnabled(False)

    def _open_recent(self, path: str) -> None:
        if not Path(path).exists():
            self.settings.remove_recent_file(path)
            messages.show_error(self, "Can't open project", f"{path} no longer exists.")
            return
        self.open_project(path)

    def export_network(self) -> None:
        export_dialog.open_export_dialog(self, self.settings, self.document)  # disabled while training: the weights arrive when a run ends
