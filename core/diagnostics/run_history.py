"""What the doctor remembers of a run: a small record for each of the last `KEEP_EPOCHS` finished epochs, kept as
Snapshots arrive, and a few running figures (the first loss, the validation trend).

A record holds epoch-end figures only (losses, per-layer mean |gradient| and Δw/w, the largest batch loss, the
activation probe's shares when a probe is attached, the validation trend), so memory and the work per epoch stay
the same whatever the run's length.
"""

from __future__ import annotations

import math
from collections import deque
from typing import NamedTuple

import numpy as np

from core.diagnostics.validation_trend import TrendPoint, ValidationTrend

KEEP_EPOCHS = 8  # the detectors look back 5 epochs at most


class EpochRecord(NamedTuple):  # immutable, and made at every epoch: a tuple is 4x quicker to build than a
    #                              frozen dataclass (the doctor runs on the training thread)
    epoch: int  # 1-based
    train_loss: float
    val_loss: float | None
    grad_mean_abs: np.ndarray  # per layer, of the epoch's last step
    update_ratios: np.ndarray  # per layer, ‖Δw‖/‖w‖ of the epoch's last step
    batch_loss_max: float  # the largest batch loss of the epoch (nan when none was recorded)
    saturation: np.ndarray | None = None  # per hidden layer: share of tanh/sigmoid outputs in the flat tails
    dead: np.ndarray | None = None  # per hidden layer: share of ReLU units silent on every probe row
    val_metric: float | None = None  # accuracy or R² on the validation set (higher is better)
    trend: TrendPoint | None = None  # the smoothed losses and the best smoothed validation loss so far


class RunHistory:
    """Feed every Snapshot to `add`; `recent(n)` gives the EpochRecords of the last n finished epochs."""

    def __init__(self, chance_loss: float | None = None) -> None:
        self.chance_loss = chance_loss  # cross-entropy of a uniform guess (ln C); None for regression
        self._records: deque[EpochRecord] = deque(maxlen=KEEP_EPOCHS)
        # The records the activation probe measured (the doctor probes on a thinning cadence, so they may lie
        # further back than the last KEEP_EPOCHS epochs).
        self._probed: deque[EpochRecord] = deque(maxlen=KEEP_EPOCHS)
        self._trend = ValidationTrend()
        self.epoch_count = 0  # epochs finished
        self.layer_names: list[str] = []
        self.first_loss: float | None = None  # the first step's loss: the yardstick of "far above its start"
        self.diverged = False
        self.diverged_layer: str | None = None
        self.stop_reason: str | None = None
        self.end_grad_mean_abs: np.ndarray | None = None  # of the last step before the end (diverged runs)
        self._batch_loss_max = float("nan")
        self._names_seen: object = None  # the list `layer_names` was copied from

    def add(self, snapshot, saturation: np.ndarray | None = None, dead: np.ndarray | None = None) -> bool:
        """Take one snapshot; True when it closed an epoch (a new record) or ended the run."""
        losses = snapshot.batch_losses
        if losses is not None and len(losses):
            if self.first_loss is None:
                self.first_loss = float(losses[0])
            peak = float(losses.max())
            self._batch_loss_max = peak if math.isnan(self._batch_loss_max) else max(self._batch_loss_max, peak)
        if snapshot.layer_names and snapshot.layer_names is not self._names_seen:
            self._names_seen = snapshot.layer_names
            self.layer_names = list(snapshot.layer_names)
        if snapshot.kind == "end":
            self.diverged, self.diverged_layer = bool(snapshot.diverged), snapshot.diverged_layer
            self.stop_reason = snapshot.stop_reason
            if snapshot.grad_mean_abs is not None:
                self.end_grad_mean_abs = np.asarray(snapshot.grad_mean_abs, dtype=np.float64).copy()
            return True
        if snapshot.kind != "epoch" or snapshot.grad_mean_abs is None:
            return False
        epoch, train_loss = int(snapshot.epoch), float(snapshot.train_loss)
        val_loss = None if snapshot.val_loss is None else float(snapshot.val_loss)
        self.epoch_count += 1
        # The snapshot's own arrays (no copy when they are float64, as the Trainer's are): a snapshot is never
        # changed once yielded (the run recorder keeps them as they are too), and no detector writes into them.
        record = EpochRecord(
            epoch, train_loss, val_loss,
            np.asarray(snapshot.grad_mean_abs, dtype=np.float64),
            np.asarray(snapshot.update_ratios, dtype=np.float64), self._batch_loss_max, saturation, dead,
            None if snapshot.val_metric is None else float(snapshot.val_metric),
            self._trend.update(epoch, train_loss, val_loss))
        self._records.append(record)
        if saturation is not None or dead is not None:
            self._probed.append(record)
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
        return self._records[-1].epoch if self._records else 0

    def recent(self, count: int) -> list[EpochRecord]:
        """The records of the last `count` finished epochs (fewer early in a run), oldest first."""
        if count > KEEP_EPOCHS:
            raise ValueError(f"the history keeps {KEEP_EPOCHS} epochs, {count} were asked for")
        return list(self._records)[-count:]

    def recent_probed(self, count: int) -> list[EpochRecord]:
        """The last `count` records the activation probe measured (fewer early in a run), oldest first."""
        if count > KEEP_EPOCHS:
            raise ValueError(f"the history keeps {KEEP_EPOCHS} probed epochs, {count} were asked for")
        return list(self._probed)[-count:]

    def train_losses(self, count: int) -> np.ndarray:
        """The training losses of the last `count` finished epochs."""
        return np.array([record.train_loss for record in self.recent(count)], dtype=np.float64)
