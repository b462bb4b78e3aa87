"""`RunCounters`: where a run stands (epochs, steps, samples, the epoch's loss sum, the losses since the last report).

The Trainer changes them only through one method per event: `start_epoch`, `batches_done` (one batch on the
general path or a chunk of batches from the fused kernel, counted the same way), `epoch_done` and `take_report`.
Reports and checkpoints read them. `state()` / `load_state()` use the checkpoint's "counters" format.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core.training.step_losses import StepLosses


@dataclass
class RunCounters:
    epoch: int = 0  # epochs completed
    step: int = 0  # optimizer steps (= batches) completed
    batch_in_epoch: int = 0  # batches completed in the epoch in progress
    epoch_started: bool = False  # the epoch in progress has drawn its sample order and set its learning rate
    epoch_loss_sum: float = 0.0  # Σ batch loss × batch size over the epoch in progress
    epoch_samples: int = 0
    samples_seen: int = 0
    batches_since_report: int = 0
    first_loss: float | None = None  # the first batch's loss: the yardstick for an exploding loss
    last_loss: float = math.nan  # the last completed batch's loss (what a "batch" snapshot reports)
    # each step's loss since the last snapshot (its `batch_losses`); not part of a checkpoint
    step_losses: StepLosses = field(default_factory=StepLosses, repr=False)

    # --- events ---------------------------------------------------------------------------------------------
    def start_epoch(self) -> None:
        self.epoch_started = True

    def batches_done(self, losses: Sequence[float] | np.ndarray, batch_sizes: Sequence[int]) -> None:
        """Completed optimizer steps, in order: each one's loss and its number of samples."""
        values = losses.tolist() if isinstance(losses, np.ndarray) else losses  # Python floats
        count = len(values)
        if count == 0:
            return
        loss_sum = self.epoch_loss_sum
        for loss, samples in zip(values, batch_sizes):  # batch by batch: the same sum in any chunking
            loss_sum += loss * samples
        samples = sum(batch_sizes)
        if self.first_loss is None:
            self.first_loss = values[0]
        self.epoch_loss_sum, self.last_loss = loss_sum, values[-1]
        if count == 1:  # the general path's one batch: a store, not an array assignment
            self.step_losses.append(values[0])
        else:
            self.step_losses.extend(losses)
        self.step += count
        self.batch_in_epoch += count
        self.batches_since_report += count
        self.samples_seen += samples
        self.epoch_samples += samples

    def epoch_done(self) -> float:
        """Count the epoch as completed and start the next one's sums; the ended epoch's mean training loss."""
        mean_loss = self.epoch_loss_sum / max(1, self.epoch_samples)
        self.epoch += 1
        self.batch_in_epoch, self.epoch_loss_sum, self.epoch_samples = 0, 0.0, 0
        self.epoch_started = False
        return mean_loss

    def take_report(self) -> np.ndarray:
        """A snapshot is emitted: the steps' losses since the previous one (a copy), and the count starts over."""
        self.batches_since_report = 0
        return self.step_losses.take()

    # --- reading ----------------------------------------------------------------------------------------------
    def partial_epoch_loss(self) -> float:
        """The mean loss over the batches done so far in the epoch in progress (NaN before the first)."""
        return self.epoch_loss_sum / self.epoch_samples if self.epoch_samples else float("nan")

    # --- checkpoints ------------------------------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in CHECKPOINT_COUNTERS}

    def load_state(self, state: dict[str, Any]) -> None:
        """Back to a checkpoint's counters; the losses gathered for the next report belong to no snapshot now."""
        for name in CHECKPOINT_COUNTERS:
            setattr(self, name, state[name])
        self.step_losses.clear()


# The checkpoint's "counters" entries, in their saved order (the format of state version 1).
CHECKPOINT_COUNTERS = ("epoch", "step", "batch_in_epoch", "epoch_started", "epoch_loss_sum", "epoch_samples",
                       "samples_seen", "batches_since_report", "first_loss")
