"""What the Trainer measures at an epoch's end: validation loss and metric, and the confusion matrix.

One evaluation-mode pass over the validation set gives all three: the outputs (as the loss sees them: logits for
the fused losses) feed the loss, the metric and the confusion matrix, so a large validation set is not run twice.
Loss and metric equal `Network.evaluate`'s bit for bit (same batches, same order of summation). Without a
validation set, the confusion matrix is taken on the training set. The train metric is not measured here: it is
the running value over the epoch's batches (`RunningMetric`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.training.metrics import confusion_matrix, metric_name_for

EVALUATION_BATCH = 4096  # rows per forward pass: bounds the memory of the activations


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
        x_val = getattr(data, "x_val", None)
        self.has_validation = x_val is not None and len(x_val) > 0
        if self.has_validation:  # checked and converted once, like the training set
            self.x_val = network.check_input(x_val)
            self.y_val = network.check_targets(data.y_val, self.x_val.shape[0])
        self.want_confusion = confusion and self.task == "classification"
        self.num_classes = int(getattr(data, "num_classes", 0) or 0)
        self._outputs: dict[int, np.ndarray] = {}

    def evaluate(self, train_metric: float) -> EpochResults:
        if not self.has_validation:
            return EpochResults(float(train_metric), None, None, self.confusion())
        outputs, loss = self._outputs_and_loss(self.x_val, self.y_val)
        metric = float(self.network.loss.metric(outputs, self.y_val))
        confusion = self._confusion_of(outputs, self.y_val) if self.want_confusion else None
        return EpochResults(float(train_metric), loss, metric, confusion)

    def confusion(self) -> np.ndarray | None:
        """Validation (or training) confusion matrix, true × predicted, for classification; else None."""
        if not self.want_confusion:
            return None
        x, y = (self.x_val, self.y_val) if self.has_validation else (self.x_train, self.y_train)
        return self._confusion_of(self._outputs_and_loss(x, y)[0], y)

    def _outputs_and_loss(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
        """Evaluation-mode outputs (in a buffer kept per row count) and the mean loss, as Network.evaluate."""
        net = self.network
        outputs = self._outputs.get(x.shape[0])
        if outputs is None:
            outputs = self._outputs[x.shape[0]] = np.empty((x.shape[0], net.output_size), net.params.dtype)
        total = 0.0
        for start in range(0, x.shape[0], EVALUATION_BATCH):
            stop = min(start + EVALUATION_BATCH, x.shape[0])
            out = net.forward(x[start:stop], training=False, check=False)
            outputs[start:stop] = out
            total += net.loss.value(out, y[start:stop], check=False) * (stop - start)
        return outputs, total / x.shape[0]

    def _confusion_of(self, outputs: np.ndarray, labels: np.ndarray) -> np.ndarray:
        # Outputs are logits here: a single sigmoid unit says class 1 above 0, several units by argmax.
        scores = outputs if outputs.shape[1] > 1 else outputs + 0.5
        classes = max(self.num_classes, outputs.shape[1] if outputs.shape[1] > 1 else 2)
        labels = labels if labels.ndim == 1 else (labels[:, 0] >= 0.5).astype(np.int64)
        return confusion_matrix(scores, labels, classes)
