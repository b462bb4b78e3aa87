"""`PendingLosses`: the per-step losses of the snapshots the worker has not sent yet, so none is lost.

The worker sends at most one snapshot per update however many the Trainer made; each snapshot carries the
losses of the steps since the previous one (`Snapshot.batch_losses`). The worker adds every snapshot here and,
when it sends one, `take(step)` gives the update the losses of every step up to the sent snapshot's, concatenated
(the snapshot itself is left as the Trainer made it): the GUI then receives every step's loss exactly once.
Bounded: past `limit` pending losses, the oldest are dropped.
"""

from __future__ import annotations

import numpy as np

from core.training.snapshot import Snapshot

PENDING_LIMIT = 100_000  # losses held between two sends at most (a GUI stalled for a long time loses the oldest)


class PendingLosses:
    """Losses of consecutive steps ending at `end_step`, taken out for the snapshot that is sent."""

    def __init__(self, limit: int = PENDING_LIMIT):
        if limit < 1:
            raise ValueError(f"PendingLosses: limit must be ≥ 1, got {limit}")
        self.limit = limit
        self._parts: list[np.ndarray] = []
        self._count = 0
        self.end_step = 0  # the step of the newest pending loss
        self.dropped = 0  # losses dropped to stay within the limit (over the whole run)

    def __len__(self) -> int:
        return self._count

    def add(self, snapshot: Snapshot) -> None:
        losses = snapshot.batch_losses
        if losses is None or not len(losses):
            return
        self._parts.append(losses)
        self._count += len(losses)
        self.end_step = snapshot.step
        while self._count - len(self._parts[0]) >= self.limit:  # whole arrays first, cheaply
            self._count -= len(self._parts[0])
            self.dropped += len(self._parts.pop(0))
        if self._count > self.limit:
            extra = self._count - self.limit
            self._parts[0] = self._parts[0][extra:]
            self._count, self.dropped = self.limit, self.dropped + extra

    def take(self, step: int) -> np.ndarray:
        """The pending losses of the steps up to `step` (a new float64 array, the last one at `step`), taken out;
        the losses of later steps stay pending for the next snapshot sent."""
        later = max(0, self.end_step - step)
        count = max(0, self._count - later)
        merged = np.concatenate(self._parts) if len(self._parts) > 1 else (
            self._parts[0] if self._parts else np.empty(0, np.float64))
        taken = np.array(merged[:count], dtype=np.float64)
        rest = merged[count:]
        self._parts, self._count = ([rest] if len(rest) else []), len(rest)
        return taken

    def clear(self) -> None:
        self._parts, self._count, self.end_step = [], 0, 0
