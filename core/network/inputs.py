"""Checking and converting a network's input: a finite 2-D (samples × features) array of numbers."""

from __future__ import annotations

from typing import Any

import numpy as np

from core.network.errors import NetworkError


def check_input(x: Any, input_size: int, dtype: np.dtype, what: str = "input") -> np.ndarray:
    """`x` as a C-contiguous array of `dtype`, or NetworkError naming the problem (and the first bad row)."""
    if not isinstance(x, np.ndarray):
        try:
            x = np.asarray(x)
        except Exception as exc:  # ragged nested lists and the like
            raise NetworkError(f"{what} could not be read as an array: {exc}") from None
    if x.dtype.kind not in "biuf":
        raise NetworkError(f"{what} must be numbers, got values of dtype {x.dtype}")
    if x.ndim != 2:
        hint = (f"; for one sample use x.reshape(1, -1), for one feature x.reshape(-1, 1)" if x.ndim == 1 else "")
        raise NetworkError(f"{what} must be 2-D (samples × features), got a {x.ndim}-D array of shape "
                           f"{x.shape}{hint}")
    if x.shape[0] == 0:
        raise NetworkError(f"{what} has no rows")
    if x.shape[1] != input_size:
        raise NetworkError(f"{what} has {x.shape[1]} feature{'s' if x.shape[1] != 1 else ''}, the network "
                           f"expects {input_size}")
    if x.dtype.kind == "f":
        _check_finite(x, what, "")
    with np.errstate(over="ignore"):  # too-large values become inf and are reported just below
        converted = np.ascontiguousarray(x, dtype=dtype)
    if converted is not x and x.dtype.kind == "f" and x.dtype.itemsize > converted.dtype.itemsize:
        _check_finite(converted, what, f" (a value too large for {converted.dtype})")
    return converted


def _check_finite(x: np.ndarray, what: str, note: str) -> None:
    finite = np.isfinite(x)
    if finite.all():
        return
    row = int(np.flatnonzero(~finite.all(axis=1))[0])
    kind = "NaN" if np.isnan(x[row]).any() else "inf"
    raise NetworkError(f"{what} row {row} contains {kind}{note}")


def as_float_dtype(dtype: Any) -> np.dtype:
    """float32 or float64 from a name or dtype-like, or NetworkError."""
    try:
        resolved = np.dtype(dtype)
    except TypeError:
        resolved = None
    if resolved not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise NetworkError(f"dtype must be float32 or float64, got {dtype!r}")
    return resolved
