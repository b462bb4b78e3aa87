"""Weights (a network's `get_state()`: name → array) as one blob plus a JSON layout, and back.

The blob is the arrays' values, little-endian, one after another; the layout lists each array's name, shape and
dtype in that order. A float32 network's arrays stay float32 (half the bytes: a checkpoint of a 2 M-weight network
is 8 MB, not 16 MB); anything else is stored as float64. A layout entry without a dtype (stores written before
2026-12-05) means float64. Reading trusts nothing: the layout is checked field by field, its sizes must add up to
the blob's length exactly, and the blob's size is checked against the memory budget before anything is copied.
No pickle, no code: `np.frombuffer` over bytes.
"""

from __future__ import annotations

import json
import math
from typing import Any, Mapping

import numpy as np

from core.memory_budget import check_allocation

_DTYPES = {"float32": np.dtype("<f4"), "float64": np.dtype("<f8")}


class WeightsBlobError(ValueError):
    """A stored weights blob or layout that doesn't hold together."""


def encode_weights(weights: Mapping[str, Any]) -> tuple[str, bytes]:
    """(layout JSON, blob) for `weights`; float32 arrays stay float32, every other one becomes float64."""
    layout, parts = [], []
    for name, value in weights.items():
        kind = "float32" if np.asarray(value).dtype == np.float32 else "float64"
        array = np.ascontiguousarray(value, dtype=_DTYPES[kind])
        layout.append({"name": str(name), "shape": [int(n) for n in array.shape], "dtype": kind})
        parts.append(array.tobytes())
    return json.dumps(layout), b"".join(parts)


def decode_weights(layout_json: str, blob: bytes, where: str) -> dict[str, np.ndarray]:
    """The arrays back from `encode_weights`' output; WeightsBlobError (naming `where`) when they don't fit."""
    try:
        layout = json.loads(layout_json)
    except (TypeError, ValueError):
        raise WeightsBlobError(f"{where}: the weights' layout is not JSON") from None
    if not isinstance(layout, list) or not isinstance(blob, (bytes, bytearray, memoryview)):
        raise WeightsBlobError(f"{where}: the weights' layout is not a list of arrays")
    check_allocation(f"{where}: its weights", len(blob))
    weights, offset = {}, 0
    for index, entry in enumerate(layout):
        name, shape, dtype = _checked_entry(entry, f"{where}: array {index + 1}")
        count = math.prod(shape)
        end = offset + count * dtype.itemsize
        if end > len(blob):
            raise WeightsBlobError(f"{where}: array {name!r} runs past the end of the stored weights")
        weights[name] = np.frombuffer(blob, dtype=dtype, count=count, offset=offset).reshape(shape).copy()
        offset = end
    if offset != len(blob):
        raise WeightsBlobError(f"{where}: {len(blob) - offset} stored bytes belong to no array")
    return weights


def _checked_entry(entry: Any, where: str) -> tuple[str, tuple[int, ...], np.dtype]:
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not isinstance(entry.get("shape"),
                                                                                                 list):
        raise WeightsBlobError(f"{where}: needs a name and a shape")
    shape = entry["shape"]
    if len(shape) > 8 or not all(isinstance(n, int) and not isinstance(n, bool) and 0 <= n < 2**40 for n in shape):
        raise WeightsBlobError(f"{where}: shape {shape!r} is not a list of sizes")
    kind = entry.get("dtype", "float64")
    if not isinstance(kind, str) or kind not in _DTYPES:
        raise WeightsBlobError(f"{where}: dtype {kind!r} is not one of {', '.join(_DTYPES)}")
    return entry["name"], tuple(shape), _DTYPES[kind]
