"""The weight-histogram heatmap: one column per epoch over x = 0 … epochs, bins comparable over time, bounded
memory, and the Weights/Gradients switch driving both the "now" histogram and the heatmap."""

from __future__ import annotations

import numpy as np
import pytest

from core.training.snapshot import Histogram
from studio.plots.histogram_history import HistogramHistory, rebin
from studio.plots.synthetic import synthetic_snapshot
from studio.plots.weight_histogram_plot import WeightHistogramPlot
from tests.studio.call_counter import count_calls


def histogram(centre: float, spread: float = 0.1, bins: int = 20) -> tuple[np.ndarray, np.ndarray]:
    values = np.random.default_rng(0).normal(centre, spread, 1000)
    counts, edges = np.histogram(values, bins=bins)
    return counts, edges


def test_one_column_per_epoch_over_epochs_zero_to_n():
    history = HistogramHistory(bins=32)
    for epoch in range(1, 6):
        history.add(epoch, *histogram(0.0))
    image, rect = history.image()
    assert image.shape == (5, 32)
    assert (rect.left(), rect.right()) == (0.0, 5.0)
    assert np.allclose(image.max(axis=1), 1.0)  # each column scaled to its peak


def test_bins_stay_comparable_when_the_distribution_moves():
    history = HistogramHistory(bins=40)
    history.add(1, *histogram(0.0))
    history.add(2, *histogram(2.0))  # beyond the first grid: the grid widens, column 1 is re-binned
    image, rect = history.image()
    assert rect.top() <= -0.3 and rect.bottom() >= 2.3
    centres = history.grid[:-1] + np.diff(history.grid) / 2
    peaks = centres[image.argmax(axis=1)]
    assert peaks[0] == pytest.approx(0.0, abs=0.2) and peaks[1] == pytest.approx(2.0, abs=0.2)


def test_rebin_keeps_the_counts():
    counts, edges = histogram(0.5)
    grid = np.linspace(-1, 2, 17)
    assert rebin(counts, edges, grid).sum() == pytest.approx(counts.sum())


def test_skipped_epochs_repeat_the_last_column_and_memory_is_bounded():
    history = HistogramHistory(bins=8, max_columns=8)
    history.add(1, *histogram(0.0))
    history.add(4, *histogram(1.0))
    image, rect = history.image()
    assert image.shape[0] == 4 and np.array_equal(image[1], image[0]) and rect.right() == 4.0
    for epoch in range(5, 101):
        history.add(epoch, *histogram(epoch / 100))
    image, rect = history.image()
    assert len(history) <= 8 and image.shape[0] == len(history)
    assert rect.right() >= 100 and history.stride >= 13  # still the whole run, coarser


def test_switching_to_gradients_changes_now_and_heatmap(qtbot):
    plot = WeightHistogramPlot()
    qtbot.addWidget(plot)
    plot.resize(900, 500)  # room for both plots, with titles
    plot.show()
    rng = np.random.default_rng(1)
    for epoch in range(1, 4):
        s = synthetic_snapshot(epoch * 10, batches_per_epoch=10, kind="epoch", rng=rng, histograms=True)
        s.grad_histograms = [Histogram(*map(np.asarray, histogram(0.0, 1e-3))) for _ in s.layer_names]
        plot.add_snapshot(s)
    plot.throttle.flush()
    weights_x = plot.now_curve.getData()[0].copy()
    assert plot.image.image.shape[0] == 3
    weight_rect = plot.image.mapRectToParent(plot.image.boundingRect())
    plot.kind_box.setCurrentText("Gradients")
    gradient_rect = plot.image.mapRectToParent(plot.image.boundingRect())
    assert np.ptp(plot.now_curve.getData()[0]) < 0.1 * np.ptp(weights_x)  # gradients are far narrower
    assert gradient_rect.height() < 0.1 * weight_rect.height()
    assert (gradient_rect.left(), gradient_rect.right()) == (0.0, 3.0)
    assert "Gradients" in plot.time_plot.titleLabel.text


def _count_rebins(monkeypatch) -> list[int]:
    from studio.plots import histogram_history

    return count_calls(monkeypatch, histogram_history, "rebin")


def test_a_hidden_plot_takes_histograms_in_without_rebinning(qtbot, monkeypatch):
    calls = _count_rebins(monkeypatch)
    plot = WeightHistogramPlot()  # never shown: a dock behind a tab
    qtbot.addWidget(plot)
    rng = np.random.default_rng(2)
    for epoch in range(1, 1001):
        plot.add_snapshot(synthetic_snapshot(epoch * 10, batches_per_epoch=10, kind="epoch", rng=rng,
                                             histograms=True))
    assert calls[0] == 0
    assert plot.current_history().last_epoch == 1000
    plot.throttle.flush()  # drawn now: only the shown layer and kind are re-binned, each stored column once
    assert 0 < calls[0] == len(plot.current_history()) <= 512


def test_image_rebins_only_columns_new_since_the_last_call(monkeypatch):
    calls = _count_rebins(monkeypatch)
    history = HistogramHistory(bins=16)
    for epoch in range(1, 11):
        history.add(epoch, *histogram(0.0))
    history.image()
    assert calls[0] == 10
    history.image()
    assert calls[0] == 10  # nothing new: nothing re-binned
    history.add(11, *histogram(0.0))
    history.image()
    assert calls[0] == 11
    history.add(12, *histogram(5.0))  # beyond the grid: it widens, every column is re-binned once
    history.image()
    assert calls[0] == 11 + 12


def test_drawing_midway_gives_the_same_image_as_drawing_at_the_end():
    """Incremental re-binning (with widening grids, replaced and merged columns) matches a single late one."""
    early, late = HistogramHistory(bins=12, max_columns=8), HistogramHistory(bins=12, max_columns=8)
    epochs = [1, 2, 2, 3, 6, 7, 9, 10, 11, 15, 16, 17, 18, 30, 31]  # a repeated epoch, gaps, two halvings
    for epoch in epochs:
        counts, edges = histogram(epoch / 10, spread=0.1 + epoch / 50)
        early.add(epoch, counts, edges)
        late.add(epoch, counts, edges)
        early.image()
    (early_image, early_rect), (late_image, late_rect) = early.image(), late.image()
    assert early_rect == late_rect and early.stride == late.stride
    np.testing.assert_allclose(early_image, late_image, rtol=1e-6)
