"""Data-source references: the JSON dict a project stores, and `load_source` which rebuilds the data set.

Kinds: ``{"kind": "playground", "name", "num_points", "noise", "seed", "added_points"}``,
``{"kind": "sklearn", "name"}`` and ``{"kind": "file", "path", "format": "csv"|"npz"|"idx", ...options}``.
`load_file` picks the loader from a file's name.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable

from core.data.bundled import load_sklearn
from core.data.csv_loader import load_csv
from core.data.dataset import Dataset
from core.data.errors import DataError
from core.data.idx_loader import load_idx
from core.data.npz_loader import load_npz
from core.data.playground import DEFAULT_NOISE, DEFAULT_NUM_POINTS, _build as _build_playground

# Options each file format's loader accepts from a source dict (besides "path").
_FILE_OPTIONS: dict[str, tuple[str, ...]] = {
    "csv": ("delimiter", "header", "target", "categorical", "missing", "max_classes", "task", "max_bytes"),
    "npz": ("features", "targets", "task", "max_classes", "max_bytes"),
    "idx": ("labels_path", "max_classes", "max_bytes"),
}
_CSV_SUFFIXES = (".csv", ".tsv", ".txt", ".data", ".dat")


def load_source(source: dict[str, Any]) -> Dataset:
    """The data set a `Dataset.source` dict describes; DataError naming the field if the dict is invalid."""
    if not isinstance(source, dict):
        raise DataError(f"data source must be a dict, got {type(source).__name__}")
    kind = source.get("kind")
    if kind in ("playground", "sklearn") and not isinstance(source.get("name", ""), str):
        raise DataError(f"data source: field 'name' must be a data set's name, got {source['name']!r}")
    if kind == "playground":
        _require_fields(source, ("name",), ("num_points", "noise", "seed", "added_points"))
        full = {"kind": "playground", "name": source["name"], "num_points": source.get("num_points", DEFAULT_NUM_POINTS),
                "noise": source.get("noise", DEFAULT_NOISE), "seed": source.get("seed", 0),
                "added_points": source.get("added_points", [])}
        return _build_playground(full)
    if kind == "sklearn":
        _require_fields(source, ("name",), ())
        return load_sklearn(source["name"])
    if kind == "file":
        _require_fields(source, ("path", "format"), None)  # Options are checked per format.
        return _load_file_source(source)
    raise DataError(f"data source: field 'kind' must be 'playground', 'sklearn' or 'file', got {kind!r}")


def load_file(path: str | os.PathLike[str], **options: Any) -> Dataset:
    """Load a user's file, choosing the loader by name: .csv .tsv .txt → CSV, .npz → NPZ, IDX (-ubyte, .idx*,
    optionally .gz) → IDX. For IDX the labels file is `labels_path`, or guessed from an MNIST-style name."""
    file_format = detect_format(path)
    if file_format == "csv":
        return load_csv(path, **options)
    if file_format == "npz":
        return load_npz(path, **options)
    labels_path = options.pop("labels_path", None) or guess_labels_path(path)
    return load_idx(path, labels_path, **options)


def detect_format(path: str | os.PathLike[str]) -> str:
    name = Path(path).name.lower()
    inner = name[:-3] if name.endswith(".gz") else name
    if inner.endswith(_CSV_SUFFIXES) and not name.endswith(".gz"):
        return "csv"
    if name.endswith(".npz"):
        return "npz"
    if inner.endswith("-ubyte") or ".idx" in inner or inner.endswith(".idx"):
        return "idx"
    raise DataError("is not a supported data file: use .csv, .tsv, .txt, .npz or IDX (-ubyte, .idx, .gz) files",
                    path=path)


def guess_labels_path(images_path: str | os.PathLike[str]) -> str:
    """MNIST naming: train-images-idx3-ubyte(.gz) → train-labels-idx1-ubyte(.gz)."""
    images = Path(images_path)
    name = images.name.replace("images", "labels").replace("idx3", "idx1")
    candidate = images.with_name(name)
    if name == images.name or not candidate.exists():
        raise DataError("needs a labels file: pass labels_path (no MNIST-style '...-labels-idx1-ubyte' file "
                        "found next to it)", path=images)
    return os.fspath(candidate)


def _load_file_source(source: dict[str, Any]) -> Dataset:
    file_format, path = source["format"], source["path"]
    if not isinstance(file_format, str) or file_format not in _FILE_OPTIONS:
        raise DataError(f"data source: field 'format' must be one of {list(_FILE_OPTIONS)}, got {file_format!r}")
    if not isinstance(path, str) or not path:
        raise DataError(f"data source: field 'path' must be a file path, got {path!r}")
    allowed = _FILE_OPTIONS[file_format]
    unknown = sorted(set(source) - {"kind", "path", "format"} - set(allowed))
    if unknown:
        raise DataError(f"data source: field {unknown[0]!r} is not an option of the {file_format} loader")
    options = {key: source[key] for key in allowed if key in source}
    loaders: dict[str, Callable[..., Dataset]] = {"csv": load_csv, "npz": load_npz}
    if file_format == "idx":
        labels_path = options.pop("labels_path", None)
        if not isinstance(labels_path, str):
            raise DataError(f"data source: field 'labels_path' must be a file path, got {labels_path!r}")
        return load_idx(path, labels_path, **options)
    try:
        return loaders[file_format](path, **options)
    except TypeError as error:  # An option of the wrong type that the loader's checks missed.
        raise DataError(f"data source: {error}") from None


def _require_fields(source: dict[str, Any], required: tuple[str, ...], optional: tuple[str, ...] | None) -> None:
    for field in required:
        if field not in source:
            raise DataError(f"data source: field {field!r} is missing")
    unknown = [] if optional is None else sorted(set(source) - {"kind", *required, *optional})
    if unknown:
        raise DataError(f"data source: field {unknown[0]!r} is not known for kind {source['kind']!r}")
