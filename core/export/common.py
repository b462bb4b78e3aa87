"""What every exporter shares: `ExportError`, atomic file writing, and `atomic_files` for multi-file exports.

Every export file is written to a temporary file in its own folder and moved into place with `os.replace`, so a
crash or a full disk never leaves half a model behind. A folder that can't be written gives an `ExportError`
naming the path and the reason, never a raw OSError traceback.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


class ExportError(Exception):
    """An export that could not be written or a model that can't be exported; the message says what to do."""

    def __init__(self, message: str, path: str | os.PathLike[str] | None = None):
        super().__init__(message)
        self.path = os.fspath(path) if path is not None else None


def _describe(error: OSError) -> str:
    return error.strerror or str(error)


def check_writable_folder(path: str | os.PathLike[str]) -> Path:
    """The folder `path` will be written into, or ExportError when it is missing or read-only."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise ExportError(f"can't export to {target}: it is a folder; give a file name", target)
    if not folder.exists():
        raise ExportError(f"can't export to {target}: the folder {folder} does not exist", target)
    if not folder.is_dir():
        raise ExportError(f"can't export to {target}: {folder} is not a folder", target)
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ExportError(f"can't export to {target}: the folder {folder} is not writable (permission denied)",
                          target)
    return folder


def _temporary_copy(target: Path, data: bytes) -> str:
    """Write `data` to a temporary file beside `target` (fsynced) and return its name."""
    folder = check_writable_folder(target)
    try:
        handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as error:
        raise ExportError(f"can't export to {target}: {_describe(error)}", target) from error
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
    except OSError as error:
        _remove_quietly(temp_name)
        raise ExportError(f"can't export to {target}: {_describe(error)}", target) from error
    return temp_name


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write `data` to `path` atomically; ExportError (and no file change) on failure."""
    with atomic_files() as stage:
        stage(path, data)
    return Path(path)


def atomic_write_text(path: str | os.PathLike[str], text: str) -> Path:
    return atomic_write_bytes(path, text.encode("utf-8"))


@contextmanager
def atomic_files() -> Iterator:
    """Stage several files, then move them all into place at the end of the `with` block.

    Usage: ``with atomic_files() as stage: stage("a.npz", bytes_a); stage("a.json", bytes_b)``. If anything
    fails before the end, no target is touched and the temporary files are removed.
    """
    staged: list[tuple[str, Path]] = []

    def stage(path: str | os.PathLike[str], data: bytes) -> None:
        target = Path(path)
        staged.append((_temporary_copy(target, data), target))

    try:
        yield stage
        for temp_name, target in staged:
            try:
                os.replace(temp_name, target)
            except OSError as error:
                raise ExportError(f"can't export to {target}: {_describe(error)}", target) from error
    finally:
        for temp_name, _ in staged:
            _remove_quietly(temp_name)


def _remove_quietly(name: str) -> None:
    try:
        os.remove(name)
    except OSError:
        pass
