"""`HistogramHistory`: one layer's histograms over the epochs, as an image (epoch columns × value bins).

Column j shows the distribution at the end of epoch j + 1, so the image lies over x = 0 … epochs, like the loss
curves. Every histogram arrives with its own bin edges; each is re-binned onto a shared value grid (by
interpolating its cumulative counts), so bands stay comparable over time. The grid only grows: when a new
histogram reaches beyond it, the grid widens with some headroom and the stored columns must be re-binned.
Memory is bounded: past `max_columns` the columns merge pairwise (each then covers 2, 4, … epochs) and keep
the later epoch of each pair.

Taking a histogram in is cheap (a list append); re-binning is lazy: `image()` re-bins only the columns added or
replaced since the last call (all of them after the grid widened). A plot keeps a history per layer and kind but
shows one, and may be hidden behind a tab for the whole run: only what is drawn is ever re-binned.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF

HEATMAP_BINS = 64
MAX_COLUMNS = 512
HEADROOM = 0.1  # widen the grid by this share of its span beyond the new extreme, so it rarely widens again


def rebin(counts: np.ndarray, edges: np.ndarray, grid_edges: np.ndarray) -> np.ndarray:
    """Counts re-distributed onto `grid_edges`, assuming values are spread evenly within each source bin."""
    cumulative = np.concatenate([[0.0], np.cumsum(counts, dtype=float)])
    return np.diff(np.interp(grid_edges, edges, cumulative))


class HistogramHistory:
    def __init__(self, bins: int = HEATMAP_BINS, max_columns: int = MAX_COLUMNS):
        if max_columns < 2 or max_columns % 2:
            raise ValueError(f"HistogramHistory: max_columns must be an even number ≥ 2, got {max_columns}")
        self.bins, self.max_columns = bins, max_columns
        self.stride = 1  # epochs per column
        self.last_epoch = 0
        self._raw: list[tuple[np.ndarray, np.ndarray]] = []  # per column: (counts, edges) as received
        self._image = np.zeros((max_columns, bins), dtype=np.float32)  # rows = columns of the heatmap
        self._rebinned = 0  # rows 0 … _rebinned-1 of _image are up to date with _raw and the grid
        self._grid: np.ndarray | None = None  # shared value-bin edges

    def __len__(self) -> int:
        return len(self._raw)

    @property
    def grid(self) -> np.ndarray | None:
        return self._grid

    def add(self, epoch: int, counts: np.ndarray, edges: np.ndarray) -> None:
        """Record the histogram at the end of `epoch` (1-based). Epochs skipped since the last one repeat the
        last column (nothing newer is known about them); a repeated epoch replaces its column."""
        if epoch < 1 or epoch < self.last_epoch:
            return
        counts, edges = np.asarray(counts, dtype=float), np.asarray(edges, dtype=float)
        if counts.sum() <= 0 or not np.all(np.isfinite(edges)):
            return
        self.last_epoch = epoch
        column = (epoch - 1) // self.stride
        while column >= self.max_columns:
            self._halve()
            column = (epoch - 1) // self.stride
        if self._grid is None or edges[0] < self._grid[0] or edges[-1] > self._grid[-1]:
            self._widen(float(edges[0]), float(edges[-1]))
        while len(self._raw) < column:  # fill skipped columns with the last known distribution
            self._raw.append(self._raw[-1] if self._raw else (counts, edges))
        if column < len(self._raw):
            self._raw[column] = (counts, edges)
            self._rebinned = min(self._rebinned, column)
        else:
            self._raw.append((counts, edges))

    def image(self) -> tuple[np.ndarray, QRectF] | None:
        """The (columns × bins) image, each column scaled to its own peak, and the rectangle it covers:
        x from 0 to the epochs the columns span, y over the shared value grid."""
        if not self._raw or self._grid is None:
            return None
        for column in range(self._rebinned, len(self._raw)):
            self._image[column] = rebin(*self._raw[column], self._grid)
        self._rebinned = len(self._raw)
        image = self._image[: len(self._raw)]
        image = image / np.maximum(image.max(axis=1, keepdims=True), 1e-12)
        low, high = float(self._grid[0]), float(self._grid[-1])
        return image, QRectF(0.0, low, len(self._raw) * self.stride, high - low)

    # -- internals ----------------------------------------------------------------------------------------------
    def _widen(self, low: float, high: float) -> None:
        if self._grid is not None:
            old_low, old_high = float(self._grid[0]), float(self._grid[-1])
            span = max(high, old_high) - min(low, old_low)
            low = min(old_low, low - HEADROOM * span) if low < old_low else old_low
            high = max(old_high, high + HEADROOM * span) if high > old_high else old_high
        if high <= low:
            low, high = low - 0.5, high + 0.5  # all values equal (e.g. zero gradients): a unit-wide grid
        self._grid = np.linspace(low, high, self.bins + 1)
        self._rebinned = 0  # every stored column must be re-binned onto the new grid

    def _halve(self) -> None:
        """Merge columns pairwise, keeping the later epoch of each pair; each column now spans twice the epochs."""
        count = len(self._raw)
        keep = list(range(1, count, 2)) + ([count - 1] if count % 2 else [])
        self._raw = [self._raw[i] for i in keep]
        up_to_date = [i for i in keep if i < self._rebinned]  # a prefix of `keep`: it is increasing
        self._image[: len(up_to_date)] = self._image[up_to_date]
        self._rebinned = len(up_to_date)
        self.stride *= 2
