"""What the Trainer reports: a Snapshot after every k batches and at every epoch's end. Plain NumPy, no Qt.

The studio's worker sends the newest Snapshot across the thread boundary; plots read from it. Arrays in a
Snapshot are copies the receiver may keep.

Every snapshot, whatever its kind, carries `batch_losses`: the loss of each optimizer step since the previous
snapshot of any kind, in step order, ending at `step` (so they belong to steps `step − len + 1 … step`, see
`batch_loss_steps`). The union over all of a run's snapshots is every batch's loss exactly once, whatever
`report_every` was; a batch that diverged is no step and has no entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Histogram:
    """Counts of values in bins, for one layer's weights or gradients."""

    counts: np.ndarray  # int64, shape (bins,)
    edges: np.ndarray  # float64, shape (bins + 1,)


@dataclass
class Snapshot:
    kind: str  # "batch" (after k batches), "epoch" (an epoch ended) or "end" (training finished)
    epoch: int  # epochs completed so far (0 during the first epoch)
    step: int  # batches (optimizer steps) completed so far
    batches_per_epoch: int
    batch_in_epoch: int  # batches completed in the current epoch
    train_loss: float  # "batch": loss of the last batch; "epoch"/"end": mean over the epoch
    lr: float  # learning rate used by the last step
    metric_name: str  # "accuracy" (classification) or "r2" (regression); higher is better for both
    train_metric: float | None = None
    val_loss: float | None = None  # set on "epoch" and "end" when a validation set exists
    val_metric: float | None = None
    layer_names: list[str] = field(default_factory=list)  # one per dense block: "layer 1 (tanh)", ...
    grad_norms: np.ndarray | None = None  # per layer: L2 norm of the gradient of W and b together
    grad_mean_abs: np.ndarray | None = None  # per layer: mean |gradient|
    weight_norms: np.ndarray | None = None  # per layer: L2 norm of W
    update_ratios: np.ndarray | None = None  # per layer: ‖Δw‖ / ‖w‖ of the last step
    weight_histograms: list[Histogram] | None = None  # per layer, on request
    grad_histograms: list[Histogram] | None = None
    elapsed: float = 0.0  # seconds of training so far (paused time excluded)
    samples_per_second: float = 0.0
    best_epoch: int | None = None  # early stopping's best epoch so far (1-based), if monitoring
    finished: bool = False
    stop_reason: str | None = None  # why training ended: "completed", "early stopping", "stopped", divergence…
    diverged: bool = False
    diverged_layer: str | None = None  # the first layer whose values went non-finite
    confusion: np.ndarray | None = None  # classification, "epoch"/"end": validation confusion matrix (true × pred)
    batch_losses: np.ndarray | None = None  # float64: each step's loss since the previous snapshot (see above)

    def batch_loss_steps(self) -> np.ndarray:
        """The (1-based) step of each entry of `batch_losses`: the last one is `step`."""
        count = 0 if self.batch_losses is None else len(self.batch_losses)
        return np.arange(self.step - count + 1, self.step + 1, dtype=np.int64)
