"""The project file: one versioned zip holding the spec, the data reference, trained weights and the run history.

Layout of a `.bps` file (a zip archive)::

    project.json   {"format": "backprop-studio-project", "version": 1, "app_version": "0.1.0",
                    "spec": {...core.spec...},
                    "data": {"config": {"source": {...}, "val_fraction": .., ...}, "content_hash": "sha256 hex"},
                    "history": [{...per-epoch record...}, ...], "has_weights": true, "extra": {...}}
    weights.npz    the trained network's state (name -> array), only when trained

Writes are atomic (a temporary file in the same folder, then `os.replace`), so a crash never leaves half a
project, and the next save removes temporary files a killed save left behind. Loading never executes code
and trusts nothing: JSON checked field by field, .npy headers read before the weights (no pickle), sizes checked
against the memory budget before decompressing. Files written by older versions are migrated step by step
(`_MIGRATIONS`); files from a newer program are refused, not guessed at.
No Qt here: the command line uses this module too.
"""

from __future__ import annotations

import io
import json
import os
import stat
import tempfile
import time
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from core.memory_budget import MemoryBudgetError
from core.network.memory import check_network_memory
from core.project_errors import ManifestError, ProjectError, short_repr
from core.project_files import MAX_MANIFEST_BYTES, not_a_project, open_archive, open_regular_file, read_member
from core.project_manifest import (
    DEFAULT_SPLIT, check_data_config, check_history, decode_manifest, require_mapping,
)
from core.project_weights import WeightsUnusable, max_weights_bytes, parse_weights
from core.spec import Spec, SpecError, validate_spec

PROJECT_VERSION = 1
PROJECT_FORMAT = "backprop-studio-project"
PROJECT_SUFFIX = ".bps"
_MANIFEST = "project.json"
_WEIGHTS = "weights.npz"
_TEMP_SUFFIX = ".tmp"


@dataclass
class Project:
    """What a project file holds, migrated to the current version and validated."""

    spec: Spec
    data_config: dict[str, Any]
    data_hash: str | None = None  # the data set's content hash when saved: lets the studio warn if it changed
    weights: dict[str, np.ndarray] | None = None
    history: list[dict[str, Any]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    file_version: int = PROJECT_VERSION  # the version the file was written in (before migration)
    app_version: str = ""
    warnings: list[str] = field(default_factory=list)  # problems that did not stop it opening (unusable weights)


def save_project(path: str | os.PathLike[str], spec: Mapping[str, Any], data_config: dict[str, Any],
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
        "spec": spec.to_json(),
        "data": {"config": _json_safe(data_config), "content_hash": data_hash},
        "history": _json_safe(list(history or [])),
        "has_weights": weights is not None,
        "extra": _json_safe(dict(extra or {})),
    }
    payload = json.dumps(manifest, indent=1, allow_nan=True).encode("utf-8")
    weights_bytes = _npz_bytes(weights) if weights is not None else None
    folder = target.parent if str(target.parent) else Path(".")
    started = time.time()
    try:
        handle, temp_name = tempfile.mkstemp(prefix=_temp_prefix(target), suffix=_TEMP_SUFFIX, dir=folder)
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
        _remove_stale_temporaries(target, folder, started)
    except OSError as error:
        _remove_quietly(temp_name)
        raise ProjectError(f"can't save {target}: {error.strerror or error}", target) from error
    except BaseException:
        _remove_quietly(temp_name)
        raise


def load_project(path: str | os.PathLike[str]) -> Project:
    """Read, migrate and validate a project file, or raise ProjectError saying in one line what is wrong.

    Nothing in the file is trusted (see core.project_files, core.project_manifest, core.project_weights): a
    non-regular file is refused before it is opened for reading, sizes are checked before decompressing, the
    network's memory before anything is built. Weights that don't fit the network are dropped with a warning
    in `Project.warnings` and the project opens untrained.
    """
    source = Path(path)
    name = source.name
    with open_regular_file(source) as handle, open_archive(handle, source) as archive:
        names = set(archive.namelist())
        if _MANIFEST not in names:
            raise ProjectError(f"{name} is not a Backprop Studio project: it has no {_MANIFEST}", source)
        manifest = _read_manifest(read_member(archive, _MANIFEST, source, MAX_MANIFEST_BYTES), source)
        version = manifest["version"]
        try:
            manifest = migrate_manifest(manifest)
            spec = validate_spec(manifest.get("spec"))
        except ManifestError as error:
            raise ProjectError(f"{name} is damaged: {error}", source) from None
        except SpecError as error:
            raise ProjectError(f"{name} holds an invalid network: {error}", source) from None
        try:
            check_network_memory(spec)
        except MemoryBudgetError as error:
            raise ProjectError(f"{name}: {error}", source) from None
        weights, warnings = _read_weights(archive, names, manifest, spec, source)
    project = _project_from_manifest(manifest, spec, weights, version, source)
    project.warnings = warnings
    return project


def _read_manifest(raw: bytes, source: Path) -> dict[str, Any]:
    try:
        manifest = decode_manifest(raw)
    except ManifestError as error:
        raise ProjectError(f"{source.name} is damaged: {error}", source) from None
    if not isinstance(manifest, dict) or manifest.get("format") != PROJECT_FORMAT:
        raise ProjectError(not_a_project(source), source)
    version = manifest.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        raise ProjectError(f"{source.name} is damaged: its version must be a whole number, got "
                           f"{short_repr(version)}", source)
    if version > PROJECT_VERSION:
        raise ProjectError(f"{source.name} was saved by a newer Backprop Studio (project version {version}); this "
                           f"one opens versions up to {PROJECT_VERSION}. Update Backprop Studio to open it.", source)
    return manifest


def _read_weights(archive: zipfile.ZipFile, names: set[str], manifest: dict[str, Any], spec: dict[str, Any],
                  source: Path) -> tuple[dict[str, np.ndarray] | None, list[str]]:
    """The checked weights, or None and a warning saying why the project opens untrained."""
    if _WEIGHTS not in names:
        if manifest.get("has_weights"):
            return None, [f"{source.name} says it holds trained weights but its {_WEIGHTS} is missing; it opens "
                          f"untrained"]
        return None, []
    limit = max_weights_bytes(spec)
    if archive.getinfo(_WEIGHTS).file_size > limit:
        reason = "they are larger than this network's parameters"
    else:
        try:
            return parse_weights(read_member(archive, _WEIGHTS, source, limit), spec), []
        except WeightsUnusable as error:
            reason = str(error)
    return None, [f"{source.name}: the saved weights don't fit the network ({reason}); it opens untrained, "
                  f"train it again"]


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
    data = require_mapping(manifest.get("data") or {}, "its data reference")
    source = data.get("source", data)
    split = require_mapping(manifest.get("split") or {}, "its split settings")
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


def _project_from_manifest(manifest: dict[str, Any], spec: dict[str, Any], weights: dict[str, np.ndarray] | None,
                           file_version: int, source: Path) -> Project:
    data = manifest.get("data")
    try:
        config = check_data_config(require_mapping(data, "its data reference").get("config"))
        history = check_history(manifest.get("history", []))
    except ManifestError as error:
        raise ProjectError(f"{source.name} is damaged: {error}", source) from None
    extra = manifest.get("extra") or {}
    data_hash = data.get("content_hash")
    app_version = manifest.get("app_version", "")
    return Project(spec=spec, data_config=config,
                   data_hash=data_hash if isinstance(data_hash, str) else None, weights=weights, history=history,
                   extra=extra if isinstance(extra, dict) else {}, file_version=file_version,
                   app_version=app_version if isinstance(app_version, str) else "")


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


def _app_version() -> str:
    try:
        from importlib.metadata import version
        return version("backprop-studio")
    except Exception:  # not installed (running from a source tree)
        return "0.1.0"


def _temp_prefix(target: Path) -> str:
    return f".{target.name}."


def _remove_stale_temporaries(target: Path, folder: Path, started: float) -> None:
    """Delete `.<name>.*.tmp` files an earlier save of this project left behind when it was killed.

    Only regular files named with this project's own temporary pattern and last written before this save
    began: a save running at the same moment in another process keeps its file.
    """
    prefix = _temp_prefix(target)
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if not (entry.name.startswith(prefix) and entry.name.endswith(_TEMP_SUFFIX)):
            continue
        middle = entry.name[len(prefix):-len(_TEMP_SUFFIX)]
        try:
            status = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if middle and "." not in middle and stat.S_ISREG(status.st_mode) and status.st_mtime < started:
            _remove_quietly(entry.path)


def _remove_quietly(name: str) -> None:
    try:
        os.remove(name)
    except OSError:
        pass


__all__ = ["DEFAULT_SPLIT", "PROJECT_VERSION", "PROJECT_SUFFIX", "Project", "ProjectError", "load_project",
           "save_project", "migrate_manifest"]
