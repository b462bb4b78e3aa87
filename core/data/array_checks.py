"""Checks on arrays from binary files (NPZ, IDX): numeric, finite, rows line up."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from core.data.errors import DataError

_CHUNK_ROWS = 8192


def as_feature_matrix(array: np.ndarray, path: Path, what: str) -> np.ndarray:
    """(n, d) float32, C-contiguous, finite; images (n, h, w) are flattened to (n, h·w) without a copy."""
    if array.dtype.kind not in "biuf":
        raise DataError(f"{what} must hold numbers, but its dtype is {array.dtype}", path=path)
    if array.ndim == 0:
        raise DataError(f"{what} is a single number, not an array of samples", path=path)
    if len(array) == 0:
        raise DataError(f"{what} holds no samples", path=path)
    matrix = array.reshape(len(array), -1) if array.ndim != 2 else array
    with np.errstate(over="ignore"):  # 1e300 becomes infinity in float32, which check_finite then names.
        matrix = np.ascontiguousarray(matrix, dtype=np.float32)
    check_finite(matrix, path, what)
    return matrix


def check_finite(matrix: np.ndarray, path: Path, what: str, names: list[str] | None = None) -> None:
    """DataError naming the first NaN or infinite value's row and column (both 1-based) of a 2-D array."""
    if matrix.dtype.kind != "f":
        return
    for start in range(0, len(matrix), _CHUNK_ROWS):  # Chunks: no full-size boolean temporary.
        chunk = matrix[start:start + _CHUNK_ROWS]
        bad = ~np.isfinite(chunk)
        if bad.any():
            row, column = (int(i) for i in np.argwhere(bad)[0])
            value = chunk[row, column]
            kind = "NaN" if np.isnan(value) else "an infinite value"
            raise DataError(
                f"{what} holds {kind}; every value must be a finite number",
                path=path, row=start + row + 1, column=names[column] if names else column + 1, row_label="row",
            )


def check_same_length(first: np.ndarray, second: np.ndarray, path: Path, first_name: str, second_name: str) -> None:
    if len(first) != len(second):
        raise DataError(
            f"{first_name} has {len(first)} rows but {second_name} has {len(second)}; they must match one to one",
            path=path,
        )
