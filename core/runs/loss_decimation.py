"""Which per-batch losses a run keeps: the loss plot's rule (studio.plots.series_buffer), over step numbers.

Step s (1-based) is kept while (s − 1) is a multiple of the stride, which starts at 1. When keeping a new loss
would exceed `capacity`, the stride doubles and the kept losses whose step is off the new stride are dropped:
a run of 10⁶ steps keeps at most `capacity` losses, spread evenly over the whole run, exactly the points the
plot's `SeriesBuffer` of the same capacity holds (tests/studio checks the two agree).
"""

from __future__ import annotations

import numpy as np

BATCH_LOSS_CAPACITY = 10_000  # kept per run: the plot's buffer default; 160 kB of a store per run at most


class LossDecimator:
    """Decides, as losses arrive in step order, which to keep and when to thin out the kept ones."""

    def __init__(self, capacity: int = BATCH_LOSS_CAPACITY):
        if capacity < 2 or capacity % 2:
            raise ValueError(f"LossDecimator: capacity must be an even number ≥ 2, got {capacity}")
        self.capacity = capacity
        self.stride = 1
        self._kept = 0  # losses kept so far (on the current stride)

    def take(self, steps: np.ndarray) -> tuple[np.ndarray, int | None]:
        """(mask of `steps` to keep, the new stride if the kept ones must be thinned to it, else None)."""
        steps = np.asarray(steps, dtype=np.int64)
        new_stride = None
        while True:
            mask = (steps - 1) % self.stride == 0
            if self._kept + int(mask.sum()) <= self.capacity:
                self._kept += int(mask.sum())
                return mask, new_stride
            # Thin out: of the kept losses (steps 1, 1 + stride, …) every other one stays.
            self.stride *= 2
            self._kept = (self._kept + 1) // 2
            new_stride = self.stride
