"""Load a NumPy `.npz` archive: named arrays for features and targets. Never unpickles.

Nothing is decompressed before the zip directory, each array's .npy header and the memory budget agree (see
`npz_members`), so zip bombs, headers claiming 10¹² values and object arrays are refused before any data is read.
Optional string arrays `feature_names` and `class_names` name the columns and the classes.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import numpy as np

from core.data.array_checks import as_feature_matrix, check_same_length
from core.data.dataset import Dataset
from core.data.errors import DataError
from core.data.file_checks import ensure_fits_in_memory, require_file
from core.data.labels import check_max_classes, check_task, encode_classes, infer_task
from core.data.npz_members import DAMAGED_ARCHIVE_ERRORS, ArrayHeader, check_central_directory, read_member_header

_NAME_ARRAYS = ("feature_names", "class_names")


def load_npz(
    path: str | os.PathLike[str],
    *,
    features: str = "x",
    targets: str = "y",
    task: str | None = None,
    max_classes: int | None = None,
    max_bytes: int | None = None,
) -> Dataset:
    """Features from array `features` ((n, d), or (n, ...) flattened), targets from array `targets`.

    Integer or text targets with few values are classes; pass task="regression" to treat numbers as values.
    """
    file = require_file(path)
    check_task(task, path=file)
    check_max_classes(max_classes, path=file)
    for option, name in (("features", features), ("targets", targets)):
        if not isinstance(name, str):
            raise DataError(f"{option} must be an array's name, got {name!r}", path=file)
    if not zipfile.is_zipfile(file):
        raise DataError("is not a .npz archive (it is not a zip file)", path=file)
    check_central_directory(file)
    headers = _read_headers(file, features, targets)
    features_key, targets_key = _find(features, headers, file), _find(targets, headers, file)
    _check_dtypes(headers, features_key, targets_key, file)
    x_header, y_header = headers[features_key], headers[targets_key]
    # The raw features and their float32 copy exist together for a moment; names take ~100 bytes each.
    width = x_header.count // x_header.shape[0] if x_header.shape and x_header.shape[0] else 0
    needed = x_header.count * (x_header.dtype.itemsize + 4) + 2 * y_header.nbytes + 100 * width + sum(
        headers[key].nbytes + 100 * headers[key].count for key in _NAME_ARRAYS if key in headers)
    ensure_fits_in_memory(file, needed, max_bytes)

    try:
        with np.load(file, allow_pickle=False) as archive:
            raw_features = archive[features_key]
            raw_targets = archive[targets_key]
            names_array = archive["feature_names"] if "feature_names" in headers else None
            classes_array = archive["class_names"] if "class_names" in headers else None
    except DAMAGED_ARCHIVE_ERRORS as error:
        raise DataError(f"is damaged and cannot be read ({error})", path=file) from None

    x = as_feature_matrix(raw_features, file, f"array {features_key!r}")
    del raw_features
    if raw_targets.ndim == 0:
        raise DataError(f"array {targets_key!r} is a single value, not one target per sample", path=file)
    y_raw = raw_targets.reshape(len(raw_targets), -1) if raw_targets.ndim > 1 else raw_targets
    check_same_length(x, y_raw, file, f"array {features_key!r}", f"array {targets_key!r}")
    feature_names = _names(names_array, x.shape[1], file, "feature_names") or [f"x{i}" for i in range(x.shape[1])]
    source = {"kind": "file", "format": "npz", "path": os.path.abspath(file), "features": features_key,
              "targets": targets_key, "max_classes": max_classes}
    y, task, class_names, target_names = _targets(y_raw, task, max_classes, classes_array, file, targets_key)
    source["task"] = task
    return Dataset(name=file.name, x=x, y=y, task=task, feature_names=feature_names,  # type: ignore[arg-type]
                   class_names=class_names, target_names=target_names, source=source)


def _targets(y_raw: np.ndarray, task: str | None, max_classes: int | None, classes_array: np.ndarray | None,
             file: Path, key: str) -> tuple[np.ndarray, str, list[str] | None, list[str]]:
    if y_raw.dtype.kind not in "biufUS":
        raise DataError(f"array {key!r} must hold numbers or text labels, but its dtype is {y_raw.dtype}", path=file)
    if y_raw.dtype.kind == "S":
        y_raw = y_raw.astype(str)
    flat = y_raw.reshape(-1) if y_raw.ndim == 2 and y_raw.shape[1] == 1 else y_raw
    if task is None:
        task = infer_task(flat) if flat.ndim == 1 else "regression"
    if task == "regression":
        values = as_feature_matrix(y_raw, file, f"array {key!r}")
        return values, task, None, [key] if values.shape[1] == 1 else [f"{key}{i}" for i in range(values.shape[1])]
    if flat.ndim != 1:
        raise DataError(f"array {key!r} has shape {y_raw.shape}; class labels need one per sample", path=file)
    class_names = _names(classes_array, None, file, "class_names")
    if class_names is not None and flat.dtype.kind in "iu":
        if len(class_names) < 2 or flat.min() < 0 or flat.max() >= len(class_names):
            raise DataError(f"array {key!r} holds class indices outside 0..{len(class_names) - 1} "
                            "(the length of 'class_names') or fewer than two classes are named", path=file)
        if len(np.unique(flat)) < 2:
            raise DataError(f"array {key!r} holds a single class; classification needs at least two", path=file)
        return flat.astype(np.int64), task, class_names, ["class"]
    if flat.dtype.kind == "f":
        as_feature_matrix(flat.reshape(-1, 1), file, f"array {key!r}")  # NaN/inf check with the row.
    y, names = encode_classes(flat, max_classes=max_classes, path=file, column=None)
    return y, task, names, ["class"]


def _read_headers(file: Path, features: str, targets: str) -> dict[str, ArrayHeader]:
    """name -> header of the arrays the load reads (None for the others), from the .npy headers alone."""
    headers: dict[str, ArrayHeader | None] = {}
    try:
        with zipfile.ZipFile(file) as archive:
            members = {info.filename[:-4]: info for info in archive.infolist() if info.filename.endswith(".npy")}
            wanted = {name for name in members
                      if name.lower() in {str(features).lower(), str(targets).lower(), *_NAME_ARRAYS}}
            for name, info in members.items():
                headers[name] = read_member_header(archive, info, file) if name in wanted else None
    except DataError:
        raise
    except DAMAGED_ARCHIVE_ERRORS as error:
        raise DataError(f"is damaged and cannot be read ({error})", path=file) from None
    if not headers:
        raise DataError("holds no arrays", path=file)
    return headers  # type: ignore[return-value]


def _check_dtypes(headers: dict[str, ArrayHeader], features_key: str, targets_key: str, file: Path) -> None:
    """Refuse, before reading any data, arrays whose type the load cannot use (objects would need unpickling)."""
    kinds = {features_key: "biuf", targets_key: "biufUS", **{key: "US" for key in _NAME_ARRAYS}}
    for key, allowed in kinds.items():
        header = headers.get(key)
        if header is None:
            continue
        if header.dtype.hasobject:
            raise DataError(f"array {key!r} holds Python objects, which would need unpickling; refused", path=file)
        if header.dtype.kind not in allowed:
            what = "numbers" if allowed == "biuf" else "text" if allowed == "US" else "numbers or text labels"
            raise DataError(f"array {key!r} must hold {what}, but its dtype is {header.dtype}", path=file)


def _find(name: str, headers: dict, file: Path) -> str:
    if name in headers:
        return name
    matches = [key for key in headers if key.lower() == str(name).lower()]
    if len(matches) == 1:
        return matches[0]
    raise DataError(f"has no array named {name!r}; its arrays are {', '.join(map(repr, headers))}", path=file)


def _names(array: np.ndarray | None, expected: int | None, file: Path, key: str) -> list[str] | None:
    if array is None:
        return None
    if array.dtype.kind not in "US" or array.ndim != 1 or (expected is not None and len(array) != expected):
        raise DataError(f"array {key!r} must be a 1-D text array" +
                        (f" of {expected} names" if expected is not None else ""), path=file)
    return [str(name.decode() if isinstance(name, bytes) else name) for name in array.tolist()]


