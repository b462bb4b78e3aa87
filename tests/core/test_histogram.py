"""The per-layer histogram kernel: counts, edges over each layer's own range, masks, non-finite values."""

import numpy as np
import pytest

from core.kernels.histogram import layer_histograms


def test_counts_match_numpy_histogram_per_layer():
    rng = np.random.default_rng(0)
    values = rng.normal(size=50).astype(np.float32)
    values[20:50] *= 100.0  # the second layer has a much wider range than the first
    counts, edges = layer_histograms(values, np.array([0, 20]), np.array([20, 50]), bins=7)
    for layer, (start, stop) in enumerate(((0, 20), (20, 50))):
        chunk = values[start:stop].astype(np.float64)
        assert edges[layer, 0] == chunk.min() and edges[layer, -1] == chunk.max()
        expected, _ = np.histogram(chunk, bins=edges[layer])
        np.testing.assert_array_equal(counts[layer], expected)
        assert counts[layer].sum() == stop - start


def test_mask_counts_only_the_marked_entries():
    values = np.arange(10, dtype=np.float32)
    mask = np.zeros(10, dtype=bool)
    mask[:6] = True  # "weights" are the first six, "biases" the rest
    counts, edges = layer_histograms(values, np.array([0]), np.array([10]), bins=3, mask=mask)
    assert counts.sum() == 6
    assert edges[0, 0] == 0.0 and edges[0, -1] == 5.0


def test_constant_layer_and_non_finite_values():
    values = np.array([2.0, 2.0, np.nan, np.inf, 2.0], dtype=np.float32)
    counts, edges = layer_histograms(values, np.array([0]), np.array([5]), bins=4)
    assert counts.sum() == 3  # the non-finite entries are skipped
    assert np.all(np.diff(edges[0]) > 0)
    assert edges[0, 0] < 2.0 < edges[0, -1]


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="bins"):
        layer_histograms(np.zeros(3, np.float32), np.array([0]), np.array([3]), bins=0)
    with pytest.raises(ValueError, match="mask"):
        layer_histograms(np.zeros(3, np.float32), np.array([0]), np.array([3]), mask=np.ones(2, bool))
