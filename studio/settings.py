"""The studio's persistent settings (QSettings, INI format) and the user-data folder for autosave.

Settings carry a version; `_migrate` upgrades older ones. The window layout is stored with its own
`LAYOUT_VERSION`: when the docks change between releases, an old layout is ignored instead of restored wrongly.
Tests redirect both: `QSettings.setPath` for settings and the environment variable `BACKPROP_STUDIO_DATA_DIR`.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QByteArray, QCoreApplication, QSettings

ORGANIZATION = "BackpropStudio"
APPLICATION = "Backprop Studio"
SETTINGS_VERSION = 1
LAYOUT_VERSION = 1
MAX_RECENT_FILES = 8
DATA_DIR_VARIABLE = "BACKPROP_STUDIO_DATA_DIR"


def user_data_folder() -> Path:
    """Where autosaves live: platformdirs' per-user data folder (or $BACKPROP_STUDIO_DATA_DIR)."""
    override = os.environ.get(DATA_DIR_VARIABLE)
    if override:
        folder = Path(override)
    else:
        from platformdirs import user_data_dir
        folder = Path(user_data_dir("backprop-studio", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class StudioSettings:
    """Typed access to the few things the studio remembers between starts."""

    def __init__(self) -> None:
        organization = QCoreApplication.organizationName() or ORGANIZATION
        application = QCoreApplication.applicationName() or APPLICATION
        self._qsettings = QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, organization,
                                    application)
        self._migrate()

    def _migrate(self) -> None:
        version = int(self._qsettings.value("settings_version", 0) or 0)
        if version < 1:  # version 0 had no layout version: drop any stored layout rather than misapply it
            self._qsettings.remove("window/state")
        self._qsettings.setValue("settings_version", SETTINGS_VERSION)

    # ---- recent files ---------------------------------------------------------------------------------
    def recent_files(self) -> list[str]:
        value = self._qsettings.value("recent_files", [])
        if isinstance(value, str):  # QSettings gives a lone string for a one-item list
            value = [value]
        return [str(path) for path in (value or []) if path]

    def add_recent_file(self, path: str | os.PathLike[str]) -> list[str]:
        path = os.path.abspath(os.fspath(path))
        files = [path] + [p for p in self.recent_files() if p != path]
        self._qsettings.setValue("recent_files", files[:MAX_RECENT_FILES])
        return self.recent_files()

    def remove_recent_file(self, path: str) -> None:
        self._qsettings.setValue("recent_files", [p for p in self.recent_files() if p != path])

    # ---- export folder --------------------------------------------------------------------------------
    def export_folder(self) -> str | None:
        """The folder the last export went to (the Export dialog starts there), or None."""
        value = self._qsettings.value("export/folder")
        return str(value) if value else None

    def set_export_folder(self, path: str | os.PathLike[str]) -> None:
        self._qsettings.setValue("export/folder", os.path.abspath(os.fspath(path)))

    # ---- training speed ---------------------------------------------------------------------------------
    def training_speed(self) -> str | None:
        """The label of the training speed chosen last (studio.training.speed.SPEEDS), or None."""
        value = self._qsettings.value("training/speed")
        return str(value) if value else None

    def set_training_speed(self, label: str) -> None:
        self._qsettings.setValue("training/speed", str(label))

    # ---- window layout ----------------------------------------------------------------------------------
    def save_window(self, geometry: QByteArray, state: QByteArray) -> None:
        self._qsettings.setValue("window/geometry", geometry)
        self._qsettings.setValue("window/state", state)
        self._qsettings.setValue("window/layout_version", LAYOUT_VERSION)
        self._qsettings.sync()

    def window_geometry(self) -> QByteArray | None:
        value = self._qsettings.value("window/geometry")
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def window_state(self) -> QByteArray | None:
        """The saved dock layout, or None when there is none or it was saved for another dock layout."""
        if int(self._qsettings.value("window/layout_version", 0) or 0) != LAYOUT_VERSION:
            return None
        value = self._qsettings.value("window/state")
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def sync(self) -> None:
        self._qsettings.sync()
