"""Fixed-bin histograms of every layer's weights (or gradients) in one kernel call.

Each layer is a contiguous slice ``values[starts[i]:stops[i]]`` of the network's flat buffer; its bins span that
layer's own min..max, so a layer of tiny gradients is as readable as a layer of large weights. An optional mask
(1 = count this entry) lets the caller histogram only the weight matrices and leave biases out. Non-finite
entries are skipped (a diverging run should still draw), and a layer whose values are all equal gets one unit-wide
range around that value so its edges are strictly increasing.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def layer_histograms_kernel(values, mask, starts, stops, bins, counts, edges):
    """Fill counts (layers, bins) int64 and edges (layers, bins + 1) float64; mask is uint8, empty = count all.
    Each layer is walked as a slice from 0: indexing the whole buffer from a layer's start made Numba guard every
    index against negative values (measured 1.6× slower on 2 M values)."""
    use_mask = mask.shape[0] > 0
    for layer in range(starts.shape[0]):
        start, stop = starts[layer], stops[layer]
        layer_values = values[start:stop]
        keep = mask[start:stop] if use_mask else mask
        low = np.inf
        high = -np.inf
        for j in range(layer_values.shape[0]):
            if use_mask and keep[j] == 0:
                continue
            v = np.float64(layer_values[j])
            if np.isfinite(v):
                if v < low:
                    low = v
                if v > high:
                    high = v
        if low > high:  # nothing finite to count
            low, high = -0.5, 0.5
        elif low == high:
            low, high = low - 0.5, high + 0.5
        width = (high - low) / bins
        for b in range(bins + 1):
            edges[layer, b] = low + b * width
        edges[layer, bins] = high
        layer_counts = counts[layer]
        for b in range(bins):
            layer_counts[b] = 0
        for j in range(layer_values.shape[0]):
            if use_mask and keep[j] == 0:
                continue
            v = np.float64(layer_values[j])
            if not np.isfinite(v):
                continue
            b = int((v - low) / width)
            if b >= bins:  # the maximum belongs to the last bin
                b = bins - 1
            elif b < 0:
                b = 0
            layer_counts[b] += 1


def layer_histograms(values: np.ndarray, starts: np.ndarray, stops: np.ndarray, bins: int = 30,
                     mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per-layer histograms of a flat buffer: (counts (layers, bins) int64, edges (layers, bins + 1) float64).

    `starts`/`stops` are int64 arrays of each layer's slice bounds; `mask` (same length as `values`, nonzero =
    count) restricts the count, e.g. to weights only.
    """
    if bins < 1:
        raise ValueError(f"histogram: bins must be ≥ 1, got {bins}")
    starts = np.ascontiguousarray(starts, dtype=np.int64)
    stops = np.ascontiguousarray(stops, dtype=np.int64)
    if starts.shape != stops.shape:
        raise ValueError(f"histogram: starts and stops differ in length ({starts.size} vs {stops.size})")
    mask_u8 = (np.zeros(0, dtype=np.uint8) if mask is None
               else np.ascontiguousarray(mask, dtype=bool).view(np.uint8))
    if mask is not None and mask_u8.shape[0] != values.shape[0]:
        raise ValueError(f"histogram: mask has {mask_u8.shape[0]} entries, values have {values.shape[0]}")
    counts = np.empty((starts.size, bins), dtype=np.int64)
    edges = np.empty((starts.size, bins + 1), dtype=np.float64)
    layer_histograms_kernel(np.ascontiguousarray(values), mask_u8, starts, stops, bins, counts, edges)
    return counts, edges
