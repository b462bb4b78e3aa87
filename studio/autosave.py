"""Autosave: while the project has unsaved changes, write a copy to the user's data folder every minute.

The copy is removed when the project is saved or the studio closes normally, so an autosave found at start-up
means the last session ended without saving (a crash): the studio then offers to restore it.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from core.project import ProjectError, load_project, save_project
from studio.document import Document
from studio.settings import user_data_folder

AUTOSAVE_FILE_NAME = "autosave.bps"
AUTOSAVE_INTERVAL_MS = 60_000


def autosave_path(folder: Path | None = None) -> Path:
    return (folder or user_data_folder()) / AUTOSAVE_FILE_NAME


def pending_autosave(folder: Path | None = None) -> Path | None:
    """The autosave a crashed session left behind, or None."""
    path = autosave_path(folder)
    return path if path.is_file() else None


def restore_autosave(path: Path) -> Document:
    """A dirty document with the autosaved contents, saving to the original project's path (if it had one).

    Raises ProjectError when the autosave can't be read."""
    project = load_project(path)
    original = project.extra.get("autosave_of")
    document = Document.from_project(project, original if isinstance(original, str) else None)
    document.mark_dirty()
    return document


def autosave_description(path: Path) -> str:
    """"net.bps, autosaved 14:02" for the restore question; empty when unreadable."""
    try:
        extra = load_project(path).extra
    except ProjectError:
        return ""
    name = Path(extra["autosave_of"]).name if isinstance(extra.get("autosave_of"), str) else "an untitled project"
    saved = extra.get("saved_at")
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(saved)) if isinstance(saved, (int, float)) else "?"
    return f"{name}, autosaved {when}"


class Autosaver(QObject):
    """Saves `document` to the autosave file on a timer while it is dirty; discards the file once clean."""

    saved = Signal(str)
    failed = Signal(str)

    def __init__(self, document: Document, folder: Path | None = None, interval_ms: int = AUTOSAVE_INTERVAL_MS,
                 parent: QObject | None = None):
        super().__init__(parent)
        self._document = document
        self._folder = folder
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._on_timeout)
        self.timer.start()
        document.dirty_changed.connect(self._on_dirty_changed)

    @property
    def path(self) -> Path:
        return autosave_path(self._folder)

    def save_now(self) -> bool:
        document = self._document
        extra = {"autosave_of": str(document.path) if document.path else None, "saved_at": time.time()}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            save_project(self.path, document.spec, document.data_config, document.weights, document.history,
                         extra, data_hash=document.dataset.content_hash if document.dataset is not None else None)
        except (ProjectError, OSError) as error:
            self.failed.emit(f"Autosave failed: {error}")
            return False
        self.saved.emit(str(self.path))
        return True

    def discard(self) -> None:
        try:
            self.path.unlink()
        except FileNotFoundError:
            pass

    def _on_timeout(self) -> None:
        if self._document.is_dirty:
            self.save_now()

    def _on_dirty_changed(self, dirty: bool) -> None:
        if not dirty:  # saved (or everything undone): the autosave is stale
            self.discard()
