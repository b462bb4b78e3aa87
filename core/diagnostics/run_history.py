"""What the doctor remembers of a run: one small record per finished epoch, kept as Snapshots arrive.

Only epoch-end figures are kept (losses, per-layer mean |gradient| and Δw/w, the spread of the epoch's batch
losses, and the activation probe's shares when a probe is attached), so the memory is a few numbers per epoch
whatever the run's length.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class EpochRecord:
    epoch: int  # 1-based
    train_loss: float
    val_loss: float | None
    grad_mean_abs: np.ndarray  # per layer, of the epoch's last step
    update_ratios: np.ndarray  # per layer, ‖Δw‖/‖w‖ of the epoch's last step
    batch_loss_max: float  # the largest batch loss of the epoch (nan when none was recorded)
    saturation: np.ndarray | None = None  # per hidden layer: share of tanh/sigmoid outputs in the flat tails
    dead: np.ndarray | None = None  # per hidden layer: share of ReLU units silent on every probe row
    val_metric: float | None = None  # accuracy or R² on the validation set (higher is better)


class RunHistory:
    """Feed every Snapshot to `add`; `epochs` holds one EpochRecord per finished epoch."""

    def __init__(self, chance_loss: float | None = None) -> None:
        self.chance_loss = chance_loss  # cross-entropy of a uniform guess (ln C); None for regression
        self.epochs: list[EpochRecord] = []
        self.layer_names: list[str] = []
        self.first_loss: float | None = None  # the first step's loss: the yardstick of "far above its start"
        self.diverged = False
        self.diverged_layer: str | None = None
        self.stop_reason: str | None = None
        self.end_grad_mean_abs: np.ndarray | None = None  # of the last step before the end (diverged runs)
        self._batch_loss_max = float("nan")

    def add(self, snapshot, saturation: np.ndarray | None = None, dead: np.ndarray | None = None) -> bool:
        """Take one snapshot; True when it closed an epoch (a new record) or ended the run."""
        losses = snapshot.batch_losses
        if losses is not None and len(losses):
            if self.first_loss is None:
                self.first_loss = float(losses[0])
            peak = float(np.max(losses))
            self._batch_loss_max = peak if np.isnan(self._batch_loss_max) else max(self._batch_loss_max, peak)
        if snapshot.layer_names:
            self.layer_names = list(snapshot.layer_names)
        if snapshot.kind == "end":
            self.diverged, self.diverged_layer = bool(snapshot.diverged), snapshot.diverged_layer
            self.stop_reason = snapshot.stop_reason
            if snapshot.grad_mean_abs is not None:
                self.end_grad_mean_abs = np.asarray(snapshot.grad_mean_abs, dtype=np.float64).copy()
            return True
        if snapshot.kind != "epoch" or snapshot.grad_mean_abs is None:
            return False
        self.epochs.append(EpochRecord(
            int(snapshot.epoch), float(snapshot.train_loss),
            None if snapshot.val_loss is None else float(snapshot.val_loss),
            np.asarray(snapshot.grad_mean_abs, dtype=np.float64).copy(),
            np.asarray(snapshot.update_ratios, dtype=np.float64).copy(), self._batch_loss_max, saturation, dead,
            None if snapshot.val_metric is None else float(snapshot.val_metric)))
        self._batch_loss_max = float("nan")
        return True

    @property
    def start_loss(self) -> float | None:
        """Where the loss started: the first step's loss, but never below a uniform guess's (one small first
        batch may happen to score far better than the net does on average)."""
        if self.first_loss is None:
            return None
        return max(self.first_loss, self.chance_loss or 0.0)

    @property
    def last_epoch(self) -> int:
        return self.epochs[-1].epoch if self.epochs else 0

    def train_losses(self) -> np.ndarray:
        return np.array([record.train_loss for record in self.epochs], dtype=np.float64)

    def val_losses(self) -> np.ndarray:
        """Validation losses (nan where an epoch had none)."""
        return np.array([np.nan if r.val_loss is None else r.val_loss for r in self.epochs], dtype=np.float64)
