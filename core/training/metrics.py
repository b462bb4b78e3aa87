"""Metrics the Trainer reports: accuracy and the confusion matrix for classification, R² for regression."""

from __future__ import annotations

import numpy as np


def metric_name_for(task: str) -> str:
    return "accuracy" if task == "classification" else "r2"


def predicted_classes(outputs: np.ndarray) -> np.ndarray:
    """Class indices from network outputs: argmax of a (n, k) output, or a 0.5 threshold on one sigmoid unit."""
    if outputs.ndim == 2 and outputs.shape[1] > 1:
        return np.argmax(outputs, axis=1)
    return (outputs.reshape(-1) > 0.5).astype(np.int64)


def accuracy(outputs: np.ndarray, labels: np.ndarray) -> float:
    if labels.shape[0] == 0:
        return float("nan")
    return float(np.mean(predicted_classes(outputs) == labels.reshape(-1)))


def r2_score(outputs: np.ndarray, targets: np.ndarray) -> float:
    """Coefficient of determination averaged over target columns (1 = perfect, 0 = as good as the mean)."""
    predictions = outputs.reshape(targets.shape).astype(np.float64)
    targets = targets.astype(np.float64)
    residual = np.sum((targets - predictions) ** 2, axis=0)
    total = np.sum((targets - targets.mean(axis=0)) ** 2, axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_column = np.where(total > 0, 1.0 - residual / np.where(total > 0, total, 1.0),
                              np.where(residual == 0, 1.0, 0.0))
    return float(np.mean(per_column))


def confusion_matrix(outputs: np.ndarray, labels: np.ndarray, num_classes: int) -> np.ndarray:
    """Counts (true class × predicted class), int64 (num_classes, num_classes)."""
    predicted = predicted_classes(outputs)
    flat = labels.reshape(-1).astype(np.int64) * num_classes + predicted
    return np.bincount(flat, minlength=num_classes * num_classes).reshape(num_classes, num_classes)
