"""`prepare`: turn a `Dataset` into the arrays a training run uses, and remember how, for export.

Order: split the raw rows (each row copied exactly once, into its part) → feature transform (2-D sets) →
scaler fitted on the training part only, applied in place to every part. `PreparedData.preprocess` replays the
transform and scaling on new raw inputs, e.g. the decision-boundary grid or an exported model's inputs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core.data.dataset import Dataset, Task
from core.data.errors import DataError
from core.data.feature_transform import FeatureTransform
from core.data.scaling import Scaler
from core.data.split import split_indices


@dataclass(eq=False)
class PreparedData:
    """C-contiguous float32 inputs and targets (as in `Dataset`) for training, validation and test."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    scaler: Scaler
    feature_transform: FeatureTransform | None
    task: Task
    num_classes: int
    class_names: list[str] | None
    feature_names: list[str]
    target_names: list[str] = field(default_factory=list)
    dataset_hash: str = ""  # The source Dataset's content_hash.
    seed: int = 0  # The split's seed.

    @property
    def input_size(self) -> int:
        return int(self.x_train.shape[1])

    @property
    def output_size(self) -> int:
        return self.num_classes if self.task == "classification" else int(self.y_train.shape[1])

    def preprocess(self, x_raw: np.ndarray) -> np.ndarray:
        """Raw features → network inputs: the same transform and (training-fitted) scaling as the data."""
        x = np.asarray(x_raw, dtype=np.float32)
        if self.feature_transform is not None:
            x = self.feature_transform.apply(x)
        return self.scaler.transform(x)

    def preprocessing_dict(self) -> dict[str, Any]:
        """What an exported model needs to turn raw inputs into network inputs (JSON-friendly)."""
        return {"feature_transform": None if self.feature_transform is None else self.feature_transform.to_dict(),
                "scaler": self.scaler.to_dict()}


def prepare(
    dataset: Dataset,
    *,
    val_fraction: float = 0.2,
    test_fraction: float = 0.0,
    scaling: str = "standard",
    feature_transform: FeatureTransform | list[str] | tuple[str, ...] | None = None,
    seed: int = 0,
) -> PreparedData:
    """Split, transform and scale `dataset`; the scaler sees only the training rows."""
    scaler = Scaler(kind=scaling)  # type: ignore[arg-type]
    transform = _as_transform(feature_transform)
    if transform is not None and dataset.num_features != 2:
        raise DataError(f"feature transforms are for 2-D data sets; {dataset.name!r} has "
                        f"{dataset.num_features} features")
    train, val, test = split_indices(dataset.y, dataset.task, val_fraction, test_fraction, seed)
    parts = []
    for indices in (train, val, test):
        x = dataset.x[indices]  # Fancy indexing: one new C-contiguous copy of just these rows.
        parts.append(transform.apply(x) if transform is not None else x)
    scaler.fit(parts[0])
    for x in parts:
        scaler.transform(x, out=x)
    y_parts = [np.ascontiguousarray(dataset.y[indices]) for indices in (train, val, test)]
    return PreparedData(
        x_train=parts[0], y_train=y_parts[0], x_val=parts[1], y_val=y_parts[1], x_test=parts[2], y_test=y_parts[2],
        scaler=scaler, feature_transform=transform, task=dataset.task, num_classes=dataset.num_classes,
        class_names=list(dataset.class_names) if dataset.class_names else None,
        feature_names=list(transform.names) if transform is not None else list(dataset.feature_names),
        target_names=list(dataset.target_names), dataset_hash=dataset.content_hash, seed=seed,
    )


def _as_transform(value: FeatureTransform | list[str] | tuple[str, ...] | None) -> FeatureTransform | None:
    if value is None or isinstance(value, FeatureTransform):
        return value
    if isinstance(value, str):  # list("xy") would silently mean ["x", "y"].
        raise DataError(f"feature_transform must be a list of feature names, got the string {value!r}")
    return FeatureTransform(list(value))
