"""The training metric as a running value over an epoch's batches, read from each batch's own forward pass.

Like Keras's, the epoch's train metric is accumulated while training (dropout on, weights moving) instead of by
a second pass over the whole training set, which would cost a third of an epoch on a large set. Classification
counts correct argmaxes (or logit > 0 for a single sigmoid unit); regression keeps per-column sums from which R²
follows exactly: SS_res = Σ(y − ŷ)², SS_tot = Σy² − (Σy)²/n.
"""

from __future__ import annotations

import numpy as np

from core.kernels.batch_reductions import accumulate_regression, count_correct


class RunningMetric:
    """Accuracy or R² over the batches seen since `reset()`; `state`/`load_state` for checkpoints."""

    def __init__(self, classification: bool, outputs: int):
        self.classification = classification
        self.correct = 0
        self.count = 0
        self.sums = np.zeros((3, outputs), dtype=np.float64)

    def reset(self) -> None:
        self.correct, self.count = 0, 0
        self.sums[...] = 0.0

    def update(self, output: np.ndarray, targets: np.ndarray) -> None:
        """`output` is the network's last output as the loss sees it; `targets` the prepared batch targets."""
        self.count += output.shape[0]
        if self.classification:
            labels = targets if targets.ndim == 1 else (targets[:, 0] >= 0.5).astype(np.int64)
            self.correct += int(count_correct(output, labels))
        else:
            accumulate_regression(output, targets, self.sums)

    def value(self) -> float:
        if self.count == 0:
            return float("nan")
        if self.classification:
            return self.correct / self.count
        residual, total, squares = self.sums
        spread = squares - total * total / self.count
        with np.errstate(divide="ignore", invalid="ignore"):
            per_column = np.where(spread > 1e-12, 1.0 - residual / np.maximum(spread, 1e-12),
                                  np.where(residual <= 1e-12, 1.0, 0.0))
        return float(np.mean(per_column))

    def state(self) -> dict:
        return {"correct": self.correct, "count": self.count, "sums": self.sums.copy()}

    def load_state(self, state: dict) -> None:
        self.correct, self.count = int(state["correct"]), int(state["count"])
        self.sums[...] = state["sums"]
