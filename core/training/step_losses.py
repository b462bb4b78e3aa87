"""`StepLosses`: the loss of every optimizer step since the last snapshot, gathered cheaply for the next one.

A growable float64 buffer (doubling, so appends are amortised O(1) and the general path's per-batch append is a
store, not an allocation); `take()` hands out a copy and starts over. Plain NumPy.
"""

from __future__ import annotations

import numpy as np


class StepLosses:
    """Losses appended one step at a time (or a chunk at a time), taken out as one array per snapshot."""

    def __init__(self, capacity: int = 256):
        self._values = np.empty(max(1, capacity), np.float64)
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def append(self, loss: float) -> None:
        if self._size == len(self._values):
            self._grow(self._size + 1)
        self._values[self._size] = loss
        self._size += 1

    def extend(self, losses: np.ndarray) -> None:
        count = len(losses)
        if self._size + count > len(self._values):
            self._grow(self._size + count)
        self._values[self._size:self._size + count] = losses
        self._size += count

    def take(self) -> np.ndarray:
        """The losses gathered since the last take (a copy the caller may keep); the buffer starts over."""
        values = self._values[:self._size].copy()
        self._size = 0
        return values

    def clear(self) -> None:
        self._size = 0

    def _grow(self, needed: int) -> None:
        values = np.empty(max(needed, 2 * len(self._values)), np.float64)
        values[:self._size] = self._values[:self._size]
        self._values = values
