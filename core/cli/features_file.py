"""Reading raw features for prediction from a CSV or NPZ file, matching columns to the model's feature names.

CSV: one row per sample; with a header row, columns are picked by feature name (extra columns such as the target
are ignored); without one, the file must have exactly as many columns as the model has features. NPZ: the array
"x" or "features", or the only array. Errors name the file and what is wrong.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from core.cli.errors import CliError


def read_features(path: str | Path, feature_names: list[str]) -> np.ndarray:
    source = Path(path)
    if not source.is_file():
        raise CliError(f"{source}: no such data file")
    if source.suffix.lower() == ".npz":
        return _read_npz(source, len(feature_names))
    return _read_csv(source, feature_names)


def _read_npz(source: Path, width: int) -> np.ndarray:
    try:
        with np.load(source, allow_pickle=False) as arrays:
            names = arrays.files
            key = next((k for k in ("x", "features", "X") if k in names), names[0] if len(names) == 1 else None)
            if key is None:
                raise CliError(f"{source}: holds arrays {names}; name the features array 'x' or 'features'")
            x = np.asarray(arrays[key])
    except (ValueError, OSError) as error:
        raise CliError(f"{source}: can't read it as .npz ({error})") from error
    if x.ndim == 1:
        x = x.reshape(-1, 1) if width == 1 else x.reshape(1, -1)
    return _checked(x, width, source)


def _read_csv(source: Path, feature_names: list[str]) -> np.ndarray:
    try:
        text = source.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise CliError(f"{source}: can't read it ({error})") from error
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise CliError(f"{source}: the file is empty")
    try:
        dialect = csv.Sniffer().sniff(lines[0], delimiters=",;\t ")
    except csv.Error:
        dialect = csv.excel
    rows = [[cell.strip() for cell in row] for row in csv.reader(lines, dialect)]
    header = rows[0]
    has_header = not all(_is_number(cell) for cell in header)
    body = rows[1:] if has_header else rows
    columns = list(range(len(feature_names)))
    if has_header:
        missing = [name for name in feature_names if name not in header]
        if missing and len(header) != len(feature_names):
            raise CliError(f"{source}: the header has no column named {', '.join(map(repr, missing))}; the model "
                           f"needs {', '.join(map(repr, feature_names))}")
        if not missing:
            columns = [header.index(name) for name in feature_names]
    elif rows and len(rows[0]) != len(feature_names):
        raise CliError(f"{source}: rows have {len(rows[0])} columns but the model needs {len(feature_names)} "
                       f"({', '.join(feature_names)}); add a header row to pick columns by name")
    x = np.empty((len(body), len(columns)), dtype=np.float64)
    for r, row in enumerate(body):
        line = r + (2 if has_header else 1)
        if len(row) <= max(columns):
            raise CliError(f"{source}: line {line} has {len(row)} columns, expected at least {max(columns) + 1}")
        for c, column in enumerate(columns):
            try:
                x[r, c] = float(row[column])
            except ValueError:
                raise CliError(f"{source}: line {line}, column {column + 1}: {row[column]!r} is not a number") \
                    from None
    return _checked(x, len(feature_names), source)


def _checked(x: np.ndarray, width: int, source: Path) -> np.ndarray:
    if x.ndim != 2 or x.shape[1] != width:
        raise CliError(f"{source}: features have shape {x.shape}, the model needs {width} columns")
    if len(x) == 0:
        raise CliError(f"{source}: no rows to predict")
    if x.dtype.kind not in "biuf":
        raise CliError(f"{source}: features must be numbers, got {x.dtype}")
    bad = ~np.isfinite(x.astype(np.float64)).all(axis=1)
    if bad.any():
        raise CliError(f"{source}: row {int(np.flatnonzero(bad)[0]) + 1} has a missing or non-finite value")
    return x.astype(np.float32)


def _is_number(cell: str) -> bool:
    try:
        float(cell)
        return True
    except ValueError:
        return False
