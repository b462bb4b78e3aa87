"""`Dataset`: examples ready for the engine, plus a `DatasetSummary` of them for people and project files.

A Dataset is treated as an immutable value: loaders build a new one instead of editing arrays in place, which is
what makes the cached `content_hash` safe.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from core.data.errors import DataError

Task = Literal["classification", "regression"]
TASKS: tuple[str, ...] = ("classification", "regression")


@dataclass(eq=False)
class Dataset:
    """Features `x` (float32, (n, d), C-contiguous) and targets `y`.

    Classification: `y` holds int64 class indices, shape (n,), and ``class_names[i]`` names index i.
    Regression: `y` is float32 with shape (n, k), one column per name in `target_names`.
    `source` is a JSON-serialisable reference that `core.data.load_source` rebuilds the data set from.
    """

    name: str
    x: np.ndarray
    y: np.ndarray
    task: Task
    feature_names: list[str]
    class_names: list[str] | None
    target_names: list[str]
    source: dict[str, Any]
    _hash: str | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        # No-ops (no copies) when the loader already produced the right layout.
        self.x = np.ascontiguousarray(self.x, dtype=np.float32)
        if self.x.ndim != 2:
            raise DataError(f"data set {self.name!r}: features must be a 2-D array, got shape {self.x.shape}")
        if self.task not in TASKS:
            raise DataError(f"data set {self.name!r}: task must be one of {TASKS}, got {self.task!r}")
        if self.task == "classification":
            self.y = np.ascontiguousarray(self.y, dtype=np.int64)
            if self.y.ndim != 1:
                raise DataError(f"data set {self.name!r}: class labels must be 1-D, got shape {self.y.shape}")
            if not self.class_names:
                raise DataError(f"data set {self.name!r}: a classification data set needs class names")
            if self.y.size and (self.y.min() < 0 or self.y.max() >= len(self.class_names)):
                raise DataError(f"data set {self.name!r}: class indices must lie in 0..{len(self.class_names) - 1}")
        else:
            y = np.asarray(self.y, dtype=np.float32)
            self.y = np.ascontiguousarray(y.reshape(-1, 1) if y.ndim == 1 else y)
            if self.y.ndim != 2:
                raise DataError(f"data set {self.name!r}: regression targets must be (n, k), got shape {self.y.shape}")
            self.class_names = None
        if len(self.y) != len(self.x):
            raise DataError(f"data set {self.name!r}: {len(self.x)} feature rows but {len(self.y)} targets")
        if len(self.feature_names) != self.x.shape[1]:
            raise DataError(
                f"data set {self.name!r}: {len(self.feature_names)} feature names for {self.x.shape[1]} features"
            )
        if len(self.target_names) != (1 if self.task == "classification" else self.y.shape[1]):
            raise DataError(f"data set {self.name!r}: target names do not match the targets")

    @property
    def num_samples(self) -> int:
        return int(self.x.shape[0])

    @property
    def num_features(self) -> int:
        return int(self.x.shape[1])

    @property
    def num_classes(self) -> int:
        return len(self.class_names) if self.task == "classification" and self.class_names else 0

    @property
    def output_size(self) -> int:
        """Units the network's last layer needs: one per class, or one per regression target."""
        return self.num_classes if self.task == "classification" else int(self.y.shape[1])

    @property
    def content_hash(self) -> str:
        """sha256 (hex) of x and y: their dtypes, shapes and bytes. Names and source do not count."""
        if self._hash is None:
            digest = hashlib.sha256()
            for array in (self.x, self.y):
                digest.update(f"{array.dtype.str}{array.shape};".encode())
                digest.update(np.ascontiguousarray(array))  # the buffer itself: no copy
            self._hash = digest.hexdigest()
        return self._hash

    def summary(self) -> DatasetSummary:
        class_counts = target_min = target_max = None
        if self.task == "classification":
            class_counts = np.bincount(self.y, minlength=self.num_classes).tolist()
        elif self.num_samples:
            target_min = self.y.min(axis=0).astype(float).tolist()
            target_max = self.y.max(axis=0).astype(float).tolist()
        return DatasetSummary(
            name=self.name,
            num_samples=self.num_samples,
            num_features=self.num_features,
            task=self.task,
            feature_names=list(self.feature_names),
            class_names=list(self.class_names) if self.class_names else None,
            class_counts=class_counts,
            target_names=list(self.target_names),
            target_min=target_min,
            target_max=target_max,
            content_hash=self.content_hash,
        )


@dataclass(frozen=True)
class DatasetSummary:
    """The numbers a data-set panel or a project file shows; every field is plain JSON-friendly data."""

    name: str
    num_samples: int
    num_features: int
    task: Task
    feature_names: list[str]
    class_names: list[str] | None
    class_counts: list[int] | None
    target_names: list[str]
    target_min: list[float] | None
    target_max: list[float] | None
    content_hash: str

    def describe(self) -> str:
        """A few lines for people, e.g. for a tooltip or the command line."""
        lines = [f"{self.name}: {self.num_samples} samples, {self.num_features} features, {self.task}"]
        if self.class_names is not None and self.class_counts is not None:
            counts = ", ".join(f"{name} {count}" for name, count in zip(self.class_names, self.class_counts))
            lines.append(f"{len(self.class_names)} classes: {counts}")
        elif self.target_min is not None and self.target_max is not None:
            for name, low, high in zip(self.target_names, self.target_min, self.target_max):
                lines.append(f"target {name}: {low:.4g} to {high:.4g}")
        shown = ", ".join(self.feature_names[:8]) + (", ..." if self.num_features > 8 else "")
        lines.append(f"features: {shown}")
        lines.append(f"content hash: {self.content_hash[:16]}")
        return "\n".join(lines)
