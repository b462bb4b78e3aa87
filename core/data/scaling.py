"""`Scaler`: standardisation or min-max scaling, fitted on the training part only and stored with the model.

``transform(x) = (x - offset) / scale``. Constant features get scale 1 so they map to 0 instead of NaN.
Statistics are accumulated in float64 over row chunks, so fitting a 60,000 × 784 set needs no float64 copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from core.data.errors import DataError

ScalingKind = Literal["none", "standard", "minmax"]
SCALING_KINDS: tuple[str, ...] = ("none", "standard", "minmax")
_CHUNK_ROWS = 4096


@dataclass(eq=False)
class Scaler:
    """kind "none" (identity), "standard" (zero mean, unit variance) or "minmax" (to [0, 1])."""

    kind: ScalingKind = "standard"
    offset: np.ndarray | None = None
    scale: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.kind not in SCALING_KINDS:
            raise DataError(f"scaling must be one of {', '.join(map(repr, SCALING_KINDS))}, got {self.kind!r}")

    @property
    def is_fitted(self) -> bool:
        return self.offset is not None and self.scale is not None

    def fit(self, x: np.ndarray) -> Scaler:
        """Learn offset and scale from `x` (the training features); returns self."""
        if x.ndim != 2 or len(x) == 0:
            raise DataError(f"the scaler needs a non-empty (n, d) array to fit, got shape {x.shape}")
        width = x.shape[1]
        if self.kind == "none":
            offset, scale = np.zeros(width), np.ones(width)
        elif self.kind == "minmax":
            offset, high = x.min(axis=0).astype(np.float64), x.max(axis=0).astype(np.float64)
            scale = high - offset
        else:
            offset, scale = _mean_and_std(x)
        scale = np.where(scale > 0, scale, 1.0)
        self.offset, self.scale = offset.astype(np.float32), scale.astype(np.float32)
        return self

    def transform(self, x: np.ndarray, *, out: np.ndarray | None = None) -> np.ndarray:
        """Scaled float32 copy of `x`, or scaled in place when ``out is x`` (saves a copy of big sets)."""
        offset, scale = self._fitted(x)
        if self.kind == "none":  # Identity: skip a pass over a possibly large array.
            if out is None:
                return np.array(x, dtype=np.float32)
            if out is not x:
                out[...] = x
            return out
        result = np.subtract(x, offset, out=out, dtype=np.float32, casting="same_kind")
        return np.divide(result, scale, out=result)

    def inverse_transform(self, x: np.ndarray) -> np.ndarray:
        offset, scale = self._fitted(x)
        return (np.asarray(x, dtype=np.float32) * scale + offset).astype(np.float32)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind,
                "offset": None if self.offset is None else self.offset.tolist(),
                "scale": None if self.scale is None else self.scale.tolist()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Scaler:
        if not isinstance(data, dict) or "kind" not in data:
            raise DataError("scaler settings must be a dict with a 'kind'")
        offset, scale = data.get("offset"), data.get("scale")
        if (offset is None) != (scale is None):
            raise DataError("scaler settings need both 'offset' and 'scale', or neither")
        scaler = cls(kind=data["kind"])
        if offset is not None:
            scaler.offset = np.asarray(offset, dtype=np.float32)
            scaler.scale = np.asarray(scale, dtype=np.float32)
            if scaler.offset.ndim != 1 or scaler.offset.shape != scaler.scale.shape or not (scaler.scale > 0).all():
                raise DataError("scaler settings: 'offset' and 'scale' must be lists of equal length, scale > 0")
        return scaler

    def _fitted(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if self.offset is None or self.scale is None:
            raise DataError("the scaler has not been fitted yet")
        if x.ndim != 2 or x.shape[1] != len(self.offset):
            raise DataError(f"the scaler was fitted on {len(self.offset)} features, got shape {x.shape}")
        return self.offset, self.scale


def _mean_and_std(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Column means and (population) standard deviations in float64, two passes over row chunks."""
    total = np.zeros(x.shape[1])
    for start in range(0, len(x), _CHUNK_ROWS):
        total += x[start:start + _CHUNK_ROWS].sum(axis=0, dtype=np.float64)
    mean = total / len(x)
    squares = np.zeros(x.shape[1])
    for start in range(0, len(x), _CHUNK_ROWS):
        squares += np.square(x[start:start + _CHUNK_ROWS] - mean).sum(axis=0)
    return mean, np.sqrt(squares / len(x))
