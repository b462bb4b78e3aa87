"""Targets shared by every loader: guess the task, turn labels (strings or numbers) into class indices.

Class order is sorted (numerically for numbers, alphabetically for strings) so the same file always gives the
same mapping, and the mapping is kept as `class_names`.
"""

from __future__ import annotations

import os

import numpy as np

from core.data.dataset import TASKS, Task
from core.data.errors import DataError

# A numeric target with at most this many distinct whole-number values is taken as class labels.
MAX_AUTO_CLASSES = 20


def infer_task(values: np.ndarray) -> Task:
    """Classification for text labels or few whole numbers, regression for anything else numeric."""
    if values.dtype.kind in "USO":
        return "classification"
    if values.dtype.kind in "iub":
        return "classification" if len(np.unique(values)) <= MAX_AUTO_CLASSES else "regression"
    whole = np.all(np.isfinite(values)) and np.all(values == np.round(values))
    return "classification" if whole and len(np.unique(values)) <= MAX_AUTO_CLASSES else "regression"


def check_task(task: str | None, *, path: str | os.PathLike[str] | None = None) -> None:
    if task is not None and task not in TASKS:
        raise DataError(f"task must be 'classification', 'regression' or None, got {task!r}", path=path)


def encode_classes(
    labels: np.ndarray,
    *,
    max_classes: int | None,
    path: str | os.PathLike[str] | None = None,
    column: str | int | None = None,
) -> tuple[np.ndarray, list[str]]:
    """(int64 class indices, class names) for 1-D `labels`; DataError for one class or too many."""
    if labels.dtype.kind in "f" and not np.all(labels == np.round(labels)):
        raise DataError(
            "class labels must be whole numbers or text; for a numeric target choose the regression task.",
            path=path, column=column,
        )
    unique, indices = np.unique(labels, return_inverse=True)
    names = [label_name(value) for value in unique]
    if len(names) < 2:
        only = f" ({names[0]!r})" if names else ""
        raise DataError(f"has a single class{only}; classification needs at least two", path=path, column=column)
    if max_classes is not None and len(names) > max_classes:
        raise DataError(
            f"has {len(names)} classes, more than the limit of {max_classes}; "
            "choose another target column, or the regression task for a numeric target.",
            path=path, column=column,
        )
    return indices.astype(np.int64).reshape(-1), names


def label_name(value: object) -> str:
    """'3' for 3 or 3.0, text as it is."""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    if isinstance(value, (np.integer, np.bool_)):
        return str(int(value))
    return str(value)


def check_max_classes(max_classes: object, *, path: str | os.PathLike[str] | None = None) -> None:
    if max_classes is not None and (isinstance(max_classes, bool) or not isinstance(max_classes, int)
                                    or max_classes < 2):
        raise DataError(f"max_classes must be an integer of at least 2 or None, got {max_classes!r}", path=path)
