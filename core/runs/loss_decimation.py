"""Which per-batch losses a run keeps: the loss plot's rule (studio.plots.series_buffer), over step numbers.

Step s (1-based) is kept while (s − 1) is a multiple of the stride, which starts at 1. When keeping a new loss
would exceed `capacity`, the stride doubles and the kept losses whose step is off the new stride are dropped:
a run of 10⁶ steps keeps at most `capacity` losses, spread evenly over the whole run, exactly the points the
plot's `SeriesBuffer` of the same capacity holds (tests/studio checks the two agree).

`KeptLosses` holds a run's kept losses in memory (≤ capacity of them: 160 kB); the writer stores them as one
blob per run (`encode`/`decode`), since one row per step cost about a microsecond each to insert: as much as
the rest of the recording of a fast epoch put together.
"""

from __future__ import annotations

import numpy as np

BATCH_LOSS_CAPACITY = 10_000  # kept per run: the plot's buffer default; 160 kB of a store per run at most
_STEP, _LOSS = np.dtype("<i8"), np.dtype("<f8")


class KeptLosses:
    """A run's kept (step, loss) pairs, decimated as they arrive in step order."""

    def __init__(self, capacity: int = BATCH_LOSS_CAPACITY):
        if capacity < 2 or capacity % 2:
            raise ValueError(f"KeptLosses: capacity must be an even number ≥ 2, got {capacity}")
        self.capacity = capacity
        self.stride = 1
        self.steps = np.empty(0, _STEP)
        self.losses = np.empty(0, _LOSS)

    def add(self, steps: np.ndarray, losses: np.ndarray) -> None:
        steps, losses = np.asarray(steps, dtype=_STEP), np.asarray(losses, dtype=_LOSS)
        while True:
            mask = (steps - 1) % self.stride == 0
            if len(self.steps) + int(mask.sum()) <= self.capacity:
                self.steps = np.concatenate([self.steps, steps[mask]])
                self.losses = np.concatenate([self.losses, losses[mask]])
                return
            self.stride *= 2  # thin out: of the kept losses (steps 1, 1 + stride, …) every other one stays
            keep = (self.steps - 1) % self.stride == 0
            self.steps, self.losses = self.steps[keep], self.losses[keep]

    def encode(self) -> tuple[bytes, bytes]:
        return self.steps.tobytes(), self.losses.tobytes()


def decode(steps_blob: bytes, losses_blob: bytes, where: str) -> tuple[np.ndarray, np.ndarray]:
    """(steps, losses) from a stored pair of blobs; ValueError naming `where` when they don't fit together."""
    if not isinstance(steps_blob, bytes) or not isinstance(losses_blob, bytes):
        raise ValueError(f"{where}: the batch losses are not stored as bytes")
    if len(steps_blob) % 8 or len(steps_blob) != len(losses_blob) or len(steps_blob) > 64 * BATCH_LOSS_CAPACITY:
        raise ValueError(f"{where}: the batch losses' steps and values don't match ({len(steps_blob)} and "
                         f"{len(losses_blob)} bytes)")
    return np.frombuffer(steps_blob, _STEP).astype(np.int64), np.frombuffer(losses_blob, _LOSS).astype(np.float64)
