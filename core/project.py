"""The project file: one versioned zip holding the spec, the data reference, trained weights and the run history.

Layout of a `.bps` file (a zip archive)::

    project.json   {"format": "backprop-studio-project", "version": 1, "app_version": "0.1.0",
                    "spec": {...core.spec...},
                    "data": {"config": {"source": {...}, "val_fraction": .., ...}, "content_hash": "sha256 hex"},
                    "history": [{...per-epoch record...}, ...], "has_weights": true, "extra": {...}}
    weights.npz    the trained network's state (name -> array), only when trained

Writes are atomic (a temporary file in the same folder, then `os.replace`), so a crash never leaves half a
project. Loading never executes code: JSON, and `np.load(..., allow_pickle=False)`. Files written by older
versions are migrated step by step (`_MIGRATIONS`); files from a newer program are refused, not guessed at.
No Qt here: the command line uses this module too.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from core.spec import SpecError, validate_spec

PROJECT_VERSION = 1
PROJECT_FORMAT = "backprop-studio-project"
PROJECT_SUFFIX = ".bps"
_MANIFEST = "project.json"
_WEIGHTS = "weights.npz"

DEFAULT_SPLIT = {"val_fraction": 0.2, "test_fraction": 0.2, "scaling": "standard", "feature_transform": []}


class ProjectError(Exception):
    """A project file that can't be read or written; the message names the file and says what is wrong."""

    def __init__(self, message: str, path: str | os.PathLike[str] | None = None):
        super().__init__(message)
        self.path = os.fspath(path) if path is not None else None


@dataclass
class Project:
    """What a project file holds, migrated to the current version and validated."""

    spec: dict[str, Any]
    data_config: dict[str, Any]
    data_hash: str | None = None  # the data set's content hash when saved: lets the studio warn if it changed
    weights: dict[str, np.ndarray] | None = None
    history: list[dict[str, Any]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    file_version: int = PROJECT_VERSION  # the version the file was written in (before migration)
    app_version: str = ""


def save_project(path: str | os.PathLike[str], spec: dict[str, Any], data_config: dict[str, Any],
                 weights: dict[str, np.ndarray] | None, history: list[dict[str, Any]] | None,
                 extra: dict[str, Any] | None = None, *, data_hash: str | None = None) -> None:
    """Write a project atomically; raise ProjectError (and leave any existing file untouched) on failure."""
    target = Path(path)
    try:
        spec = validate_spec(spec)
    except SpecError as error:
        raise ProjectError(f"can't save {target.name}: the network is invalid: {error}", target) from error
    manifest = {
        "format": PROJECT_FORMAT, "version": PROJECT_VERSION, "app_version": _app_version(),
        "spec": spec,
        "data": {"config": _json_safe(data_config), "content_hash": data_hash},
        "history": _json_safe(list(history or [])),
        "has_weights": weights is not None,
        "extra": _json_safe(dict(extra or {})),
    }
    payload = json.dumps(manifest, indent=1, allow_nan=True).encode("utf-8")
    weights_bytes = _npz_bytes(weights) if weights is not None else None
    folder = target.parent if str(target.parent) else Path(".")
    try:
        handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as error:
        raise ProjectError(f"can't save {target}: {error.strerror or error}", target) from error
    try:
        with os.fdopen(handle, "wb") as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(_MANIFEST, payload)
            if weights_bytes is not None:
                archive.writestr(_WEIGHTS, weights_bytes)
        with open(temp_name, "rb+") as written:
            os.fsync(written.fileno())
        os.replace(temp_name, target)
    except OSError as error:
        _remove_quietly(temp_name)
        raise ProjectError(f"can't save {target}: {error.strerror or error}", target) from error
    except BaseException:
        _remove_quietly(temp_name)
        raise


def load_project(path: str | os.PathLike[str]) -> Project:
    """Read, migrate and validate a project file, or raise ProjectError saying what is wrong with it."""
    source = Path(path)
    name = source.name
    if not source.exists():
        raise ProjectError(f"{source} does not exist", source)
    if source.is_dir():
        raise ProjectError(f"{source} is a folder, not a project file", source)
    try:
        if not zipfile.is_zipfile(source):
            raise ProjectError(_not_a_project(source), source)
        with zipfile.ZipFile(source) as archive:
            names = set(archive.namelist())
            if _MANIFEST not in names:
                raise ProjectError(f"{name} is not a Backprop Studio project: it has no {_MANIFEST}", source)
            manifest_bytes = archive.read(_MANIFEST)
            weights_bytes = archive.read(_WEIGHTS) if _WEIGHTS in names else None
    except ProjectError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError) as error:
        raise ProjectError(f"{name} is damaged or truncated and can't be opened ({error})", source) from error
    except OSError as error:
        raise ProjectError(f"can't read {source}: {error.strerror or error}", source) from error

    try:
        manifest = json.loads(manifest_bytes.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ProjectError(f"{name} is damaged: its {_MANIFEST} is not valid JSON ({error})", source) from error
    if not isinstance(manifest, dict) or manifest.get("format") != PROJECT_FORMAT:
        raise ProjectError(_not_a_project(source), source)
    version = manifest.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        raise ProjectError(f"{name} is damaged: its version must be a whole number, got {version!r}", source)
    if version > PROJECT_VERSION:
        raise ProjectError(f"{name} was saved by a newer Backprop Studio (project version {version}); this one "
                           f"opens versions up to {PROJECT_VERSION}. Update Backprop Studio to open it.", source)
    manifest = migrate_manifest(manifest)
    weights = _load_weights(weights_bytes, source) if weights_bytes is not None else None
    return _project_from_manifest(manifest, weights, version, source)


def migrate_manifest(manifest: dict[str, Any]) -> dict[str, Any]:
    """Upgrade a manifest of any older version to `PROJECT_VERSION`, one version at a time."""
    version = manifest["version"]
    while version < PROJECT_VERSION:
        manifest = _MIGRATIONS[version](manifest)
        version += 1
        manifest["version"] = version
    return manifest


def _migrate_0_to_1(manifest: dict[str, Any]) -> dict[str, Any]:
    """Version 0 (the early drafts) kept the spec under "network", the data source under "data" with the split
    settings beside it, and the hash as "data_sha256"; it had no "extra"."""
    data = manifest.get("data") or {}
    source = data.get("source", data) if isinstance(data, dict) else {}
    split = manifest.get("split") or {}
    config = {"source": source, **DEFAULT_SPLIT, **{k: split[k] for k in DEFAULT_SPLIT if k in split}}
    return {
        "format": PROJECT_FORMAT, "version": 1, "app_version": manifest.get("app_version", ""),
        "spec": manifest.get("network"),
        "data": {"config": config, "content_hash": manifest.get("data_sha256")},
        "history": manifest.get("history", []),
        "has_weights": manifest.get("has_weights", False),
        "extra": {},
    }


_MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {0: _migrate_0_to_1}


def _project_from_manifest(manifest: dict[str, Any], weights: dict[str, np.ndarray] | None, file_version: int,
                           source: Path) -> Project:
    name = source.name
    try:
        spec = validate_spec(manifest.get("spec"))
    except SpecError as error:
        raise ProjectError(f"{name} holds an invalid network: {error}", source) from error
    data = manifest.get("data")
    config = data.get("config") if isinstance(data, dict) else None
    if not isinstance(config, dict) or not isinstance(config.get("source"), dict):
        raise ProjectError(f"{name} is damaged: its data reference is missing or not a mapping", source)
    config = {**DEFAULT_SPLIT, **config}
    history = manifest.get("history", [])
    if not isinstance(history, list) or not all(isinstance(record, dict) for record in history):
        raise ProjectError(f"{name} is damaged: its run history must be a list of records", source)
    if manifest.get("has_weights") and weights is None:
        raise ProjectError(f"{name} is damaged: it says it holds trained weights but {_WEIGHTS} is missing",
                           source)
    extra = manifest.get("extra") or {}
    data_hash = data.get("content_hash")
    return Project(spec=spec, data_config=config, data_hash=data_hash if isinstance(data_hash, str) else None,
                   weights=weights, history=history, extra=extra if isinstance(extra, dict) else {},
                   file_version=file_version, app_version=str(manifest.get("app_version", "")))


def _load_weights(raw: bytes, source: Path) -> dict[str, np.ndarray]:
    try:
        with np.load(io.BytesIO(raw), allow_pickle=False) as arrays:
            return {key: arrays[key] for key in arrays.files}
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as error:
        raise ProjectError(f"{source.name} is damaged: its trained weights can't be read ({error})", source) \
            from error


def _npz_bytes(weights: dict[str, np.ndarray]) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **{str(key): np.asarray(value) for key, value in weights.items()})
    return buffer.getvalue()


def _json_safe(value: Any) -> Any:
    """Plain JSON types for what training produces (NumPy scalars and small arrays)."""
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, np.ndarray):
        return _json_safe(value.tolist())
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return float(value)  # NaN/inf stay (a diverged run's loss); Python's json reads them back
    if value is None or isinstance(value, (str, int, bool)):
        return value
    return str(value)


def _not_a_project(source: Path) -> str:
    return f"{source.name} is not a Backprop Studio project file (expected a {PROJECT_SUFFIX} project saved by " \
           f"Backprop Studio)"


def _app_version() -> str:
    try:
        from importlib.metadata import version
        return version("backprop-studio")
    except Exception:  # not installed (running from a source tree)
        return "0.1.0"


def _remove_quietly(name: str) -> None:
    try:
        os.remove(name)
    except OSError:
        pass


__all__ = ["PROJECT_VERSION", "PROJECT_SUFFIX", "Project", "ProjectError", "load_project", "save_project",
           "migrate_manifest"]
