"""The validation loss's trend, kept as a run goes: both losses smoothed over `SMOOTHING` epochs and the best
smoothed validation loss so far with the training loss at that epoch. Constant memory, whatever the run's length.
"""

from __future__ import annotations

from collections import deque
from typing import NamedTuple

SMOOTHING = 3  # epochs: one noisy validation epoch is no trend


class TrendPoint(NamedTuple):  # immutable; a tuple is quick to build at every epoch
    train: float  # smoothed training loss at this epoch
    val: float  # smoothed validation loss at this epoch
    best_val: float  # the lowest smoothed validation loss so far (this epoch's included)
    train_at_best: float  # the smoothed training loss at that epoch
    best_epoch: int  # and the epoch (1-based, the last of its smoothing window)


class ValidationTrend:
    def __init__(self) -> None:
        self._train: deque[float] = deque(maxlen=SMOOTHING)
        self._val: deque[float] = deque(maxlen=SMOOTHING)
        self._best: tuple[float, float, int] | None = None

    def update(self, epoch: int, train_loss: float, val_loss: float | None) -> TrendPoint | None:
        """The point for this epoch; None until `SMOOTHING` epochs with a validation loss have been seen, and for
        an epoch without one (which also restarts the smoothing)."""
        if val_loss is None:
            self._train.clear()
            self._val.clear()
            return None
        self._train.append(train_loss)
        self._val.append(val_loss)
        if len(self._val) < SMOOTHING:
            return None
        train, val = sum(self._train) / SMOOTHING, sum(self._val) / SMOOTHING
        if self._best is None or val < self._best[0]:
            self._best = (val, train, epoch)
        return TrendPoint(train, val, *self._best)
