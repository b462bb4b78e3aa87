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
