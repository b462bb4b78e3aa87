"""Weights (a network's `get_state()`: name → array) as one float64 blob plus a JSON layout, and back.

The blob is the arrays' values as little-endian float64, one after another; the layout lists each array's name
and shape in that order. Reading trusts nothing: the layout is checked field by field, its sizes must add up to
the blob's length exactly, and the blob's size is checked against the memory budget before anything is copied.
No pickle, no code: `np.frombuffer` over bytes.
"""

from __future__ import annotations

import json
import math
from typing import Any, Mapping

import numpy as np

from core.memory_budget import check_allocation

_FLOAT = np.dtype("<f8")


class WeightsBlobError(ValueError):
    """A stored weights blob or layout that doesn't hold together."""


def encode_weights(weights: Mapping[str, Any]) -> tuple[str, bytes]:
    """(layout JSON, blob) for `weights`; every array is converted to float64."""
    layout, parts = [], []
    for name, value in weights.items():
        array = np.ascontiguousarray(value, dtype=_FLOAT)
        layout.append({"name": str(name), "shape": [int(n) for n in array.shape]})
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
        name, shape = _checked_entry(entry, f"{where}: array {index + 1}")
        count = math.prod(shape)
        end = offset + count * _FLOAT.itemsize
        if end > len(blob):
            raise WeightsBlobError(f"{where}: array {name!r} runs past the end of the stored weights")
        weights[name] = np.frombuffer(blob, dtype=_FLOAT, count=count, offset=offset).reshape(shape).copy()
        offset = end
    if offset != len(blob):
        raise WeightsBlobError(f"{where}: {len(blob) - offset} stored bytes belong to no array")
    return weights


def _checked_entry(entry: Any, where: str) -> tuple[str, tuple[int, ...]]:
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not isinstance(entry.get("shape"),
                                                                                                 list):
        raise WeightsBlobError(f"{where}: needs a name and a shape")
    shape = entry["shape"]
    if len(shape) > 8 or not all(isinstance(n, int) and not isinstance(n, bool) and 0 <= n < 2**40 for n in shape):
        raise WeightsBlobError(f"{where}: shape {shape!r} is not a list of sizes")
    return entry["name"], tuple(shape)
