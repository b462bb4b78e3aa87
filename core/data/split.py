"""Train / validation / test index splits (stratified for classes, seeded) and one-hot targets."""

from __future__ import annotations

import numpy as np

from core.data.errors import DataError
from core.data.file_checks import ensure_fits_in_memory


def split_indices(
    y: np.ndarray, task: str, val_fraction: float = 0.2, test_fraction: float = 0.0, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(train, val, test) int64 index arrays covering every sample once, each in a seeded random order.

    Classification splits each class separately (rounding per class), so every part keeps the class
    proportions and every class keeps at least one training sample.
    """
    _check_fractions(val_fraction, test_fraction)
    rng = np.random.default_rng(seed)
    count = len(y)
    if task == "classification":
        groups = [np.flatnonzero(y == label) for label in np.unique(y)]
    else:
        groups = [np.arange(count)]
    parts: list[list[np.ndarray]] = [[], [], []]
    for members in groups:
        members = rng.permutation(members)
        num_test = int(round(len(members) * test_fraction))
        num_val = int(round(len(members) * val_fraction))
        excess = num_test + num_val - (len(members) - 1)
        if excess > 0:  # Keep one training sample: take it back from validation first, then test.
            taken = min(excess, num_val)
            num_val -= taken
            num_test -= excess - taken
        parts[2].append(members[:num_test])
        parts[1].append(members[num_test:num_test + num_val])
        parts[0].append(members[num_test + num_val:])
    train, val, test = (rng.permutation(np.concatenate(part)).astype(np.int64) if part else
                        np.zeros(0, dtype=np.int64) for part in parts)
    if count and not len(train):
        raise DataError("the split leaves no training samples")
    return train, val, test


def one_hot(y: np.ndarray, num_classes: int) -> np.ndarray:
    """(n, num_classes) float32 with a 1 in each row's class column."""
    labels = np.asarray(y)
    if labels.ndim != 1 or labels.dtype.kind not in "iu":
        raise DataError(f"one_hot needs a 1-D array of class indices, got {labels.dtype} of shape {labels.shape}")
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise DataError(f"one_hot: class indices must lie in 0..{num_classes - 1}")
    # A target of unique IDs makes as many classes as rows: n² floats.
    ensure_fits_in_memory(None, len(labels) * num_classes * 4, None,
                          f"one-hot encoding {len(labels):,} targets of {num_classes:,} classes")
    encoded = np.zeros((len(labels), num_classes), dtype=np.float32)
    encoded[np.arange(len(labels)), labels] = 1.0
    return encoded


def _check_fractions(val_fraction: float, test_fraction: float) -> None:
    for name, value in (("val_fraction", val_fraction), ("test_fraction", test_fraction)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value < 1.0:
            raise DataError(f"{name} must be a number from 0 up to (not including) 1, got {value!r}")
    if val_fraction + test_fraction >= 1.0:
        raise DataError(f"val_fraction + test_fraction must be below 1 so some data is left for training, "
                        f"got {val_fraction} + {test_fraction}")
