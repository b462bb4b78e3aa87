"""`SeriesBuffer`: a preallocated (x, y) series that stays bounded however long training runs.

When the buffer is full it halves its resolution: it keeps every other stored point and from then on keeps only
every second incoming point (then every fourth, …). A plot of 100,000 steps therefore holds at most `capacity`
points, spread evenly over the whole run, and `setData` always gets contiguous views, never a copy per frame.
"""

from __future__ import annotations

import numpy as np


class SeriesBuffer:
    """An append-only series of at most `capacity` points, evenly decimated over its whole length."""

    def __init__(self, capacity: int = 10_000):
        if capacity < 2 or capacity % 2:
            raise ValueError(f"SeriesBuffer: capacity must be an even number ≥ 2, got {capacity}")
        self.capacity = capacity
        self._x = np.empty(capacity, dtype=np.float64)
        self._y = np.empty(capacity, dtype=np.float64)
        self._size = 0
        self._stride = 1  # keep one point of every `stride` appended
        self._pending = 0  # points appended since the last one kept
        self._appended = 0  # points appended since the last clear, kept or not

    def __len__(self) -> int:
        return self._size

    @property
    def stride(self) -> int:
        return self._stride

    @property
    def appended(self) -> int:
        """How many points were appended since the last `clear` (`len` counts only the ones kept)."""
        return self._appended

    @property
    def x(self) -> np.ndarray:
        return self._x[: self._size]

    @property
    def y(self) -> np.ndarray:
        return self._y[: self._size]

    def clear(self) -> None:
        self._size = 0
        self._stride = 1
        self._pending = 0
        self._appended = 0

    def append(self, x: float, y: float) -> None:
        self._appended += 1
        self._pending += 1
        if self._pending < self._stride:
            return
        self._pending = 0
        if self._size == self.capacity:
            self._halve()
        self._x[self._size] = x
        self._y[self._size] = y
        self._size += 1

    def extend(self, xs: np.ndarray, ys: np.ndarray) -> None:
        """Append many points at once: the same points kept, and the same halvings, as one `append` per point,
        at the cost of a few array operations (a plot may take in hundreds of epochs per update)."""
        xs, ys = np.asarray(xs, dtype=np.float64), np.asarray(ys, dtype=np.float64)
        if xs.shape != ys.shape or xs.ndim != 1:
            raise ValueError(f"SeriesBuffer.extend: x and y must be 1-D and of one length, got shapes "
                             f"{xs.shape} and {ys.shape}")
        start, count = 0, len(xs)
        self._appended += count
        while start < count:
            first = start + self._stride - 1 - self._pending  # the next point that `append` would keep
            if first >= count:
                self._pending += count - start
                return
            if self._size == self.capacity:
                self._halve()
            kept = np.arange(first, count, self._stride)[: self.capacity - self._size]
            self._x[self._size : self._size + len(kept)] = xs[kept]
            self._y[self._size : self._size + len(kept)] = ys[kept]
            self._size += len(kept)
            self._pending = 0
            start = int(kept[-1]) + 1

    def follow_decimation(self, other: "SeriesBuffer") -> None:
        """Take `other`'s stride and phase, so two buffers rebuilt from one another keep decimating alike."""
        self._stride, self._pending = other._stride, other._pending

    def last(self) -> tuple[float, float] | None:
        if not self._size:
            return None
        return float(self._x[self._size - 1]), float(self._y[self._size - 1])

    def _halve(self) -> None:
        half = self.capacity // 2
        # Keep points 0, 2, 4, …: the point being appended now is the next one of that even spacing.
        self._x[:half] = self._x[0 : self.capacity : 2]
        self._y[:half] = self._y[0 : self.capacity : 2]
        self._size = half
        self._stride *= 2
