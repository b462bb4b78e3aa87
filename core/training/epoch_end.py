"""What the Trainer measures at an epoch's end: train metric, validation loss and metric, confusion matrix.

The validation set is the data's x_val/y_val; without one, the confusion matrix is taken on the training set.
The train metric is not measured here: it is the running value over the epoch's batches (`RunningMetric`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.training.metrics import confusion_matrix, metric_name_for


@dataclass
class EpochResults:
    train_metric: float
    val_loss: float | None
    val_metric: float | None
    confusion: np.ndarray | None


class EpochEvaluator:
    def __init__(self, network, data, x_train: np.ndarray, y_train: np.ndarray, *, confusion: bool = True):
        self.network = network
        self.task = data.task
        self.metric_name = metric_name_for(data.task)
        self.x_train, self.y_train = x_train, y_train
        dtype = network.params.dtype
        x_val = getattr(data, "x_val", None)
        self.has_validation = x_val is not None and len(x_val) > 0
        if self.has_validation:
            self.x_val = np.ascontiguousarray(x_val, dtype=dtype)
            self.y_val = data.y_val if self.task == "classification" else np.ascontiguousarray(data.y_val, dtype)
        self.want_confusion = confusion and self.task == "classification"
        self.num_classes = int(getattr(data, "num_classes", 0) or 0)

    def evaluate(self, train_metric: float) -> EpochResults:
        val_loss = val_metric = None
        if self.has_validation:
            val_loss, val_metric = (float(v) for v in self.network.evaluate(self.x_val, self.y_val))
        return EpochResults(float(train_metric), val_loss, val_metric, self.confusion())

    def confusion(self) -> np.ndarray | None:
        """Validation (or training) confusion matrix, true × predicted, for classification; else None."""
        if not self.want_confusion:
            return None
        x, y = (self.x_val, self.y_val) if self.has_validation else (self.x_train, self.y_train)
        outputs = self.network.predict(x)
        classes = max(self.num_classes, outputs.shape[1] if outputs.ndim == 2 and outputs.shape[1] > 1 else 2)
        return confusion_matrix(outputs, y, classes)
