"""`FeatureTransform`: extra inputs computed from a 2-D point, as in TensorFlow Playground.

Names are chosen from ``x, y, x², y², xy, sin x, sin y`` (ASCII spellings such as "x^2" are accepted and stored
in the canonical form). The transform is applied before scaling, both in training and in exported models.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from core.data.errors import DataError

_FEATURES: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "x": lambda x, y: x,
    "y": lambda x, y: y,
    "x²": lambda x, y: x * x,
    "y²": lambda x, y: y * y,
    "xy": lambda x, y: x * y,
    "sin x": lambda x, y: np.sin(x),
    "sin y": lambda x, y: np.sin(y),
}
FEATURE_TRANSFORM_NAMES: tuple[str, ...] = tuple(_FEATURES)
_ALIASES = {"x^2": "x²", "x2": "x²", "y^2": "y²", "y2": "y²", "x*y": "xy", "sin(x)": "sin x", "sin(y)": "sin y",
            "sinx": "sin x", "siny": "sin y"}


@dataclass
class FeatureTransform:
    """The network's inputs, in this order, computed from each point's raw (x, y)."""

    names: list[str] = field(default_factory=lambda: ["x", "y"])

    def __post_init__(self) -> None:
        if isinstance(self.names, str):
            raise DataError(f"feature transform: names must be a list of feature names, got {self.names!r}")
        canonical = [_canonical(str(name)) for name in self.names]
        unknown = [name for name in canonical if name not in _FEATURES]
        if unknown:
            raise DataError(f"feature transform: unknown feature {unknown[0]!r}; choose from "
                            f"{', '.join(FEATURE_TRANSFORM_NAMES)}")
        if not canonical or len(set(canonical)) != len(canonical):
            raise DataError("feature transform: choose at least one feature, each at most once")
        self.names = canonical

    @property
    def output_size(self) -> int:
        return len(self.names)

    def apply(self, x: np.ndarray) -> np.ndarray:
        """(n, 2) points → (n, len(names)) float32 features, in the order of `names`."""
        if x.ndim != 2 or x.shape[1] != 2:
            raise DataError(f"feature transform needs 2-D points (n, 2), got shape {x.shape}")
        first, second = x[:, 0].astype(np.float32), x[:, 1].astype(np.float32)
        return np.ascontiguousarray(np.column_stack([_FEATURES[name](first, second) for name in self.names]),
                                    dtype=np.float32)

    def to_dict(self) -> dict[str, Any]:
        return {"names": list(self.names)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FeatureTransform:
        if not isinstance(data, dict) or not isinstance(data.get("names"), list):
            raise DataError("feature transform settings must be a dict with a list of 'names'")
        return cls(list(data["names"]))


def _canonical(name: str) -> str:
    """'X^2' → 'x²', 'Sin(y)' → 'sin y'; unknown names come back as given, for the error message."""
    key = " ".join(name.lower().split())
    return _ALIASES.get(key, key if key in _FEATURES else name.strip())
