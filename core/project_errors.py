"""The errors of reading and writing project files (kept apart so the project_* modules share them)."""

from __future__ import annotations

import os


class ProjectError(Exception):
    """A project file that can't be read or written; the message names the file and says what is wrong."""

    def __init__(self, message: str, path: str | os.PathLike[str] | None = None):
        super().__init__(message)
        self.path = os.fspath(path) if path is not None else None


class ManifestError(ValueError):
    """Something wrong inside a project's manifest; `load_project` turns it into "<file> is damaged: <msg>"."""


def short_repr(value: object, limit: int = 60) -> str:
    """`repr(value)` cut to `limit` characters, so a message stays one short line whatever a file holds."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 1] + "…"
