"""The gradient-flow plot's cheap drawing: snapshots taken in by the batch, only the plots on show drawn, and
ranges, labels and label positions set only when they change (each change costs a re-layout or a paint)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest

from studio.plots.gradient_flow_plot import MAX_PENDING, GradientFlowPlot
from studio.plots.synthetic import synthetic_snapshot
from tests.studio.call_counter import count_calls


@pytest.fixture
def plot(qtbot):
    pg.setConfigOptions(antialias=True, background="w", foreground="k")
    widget = GradientFlowPlot()
    qtbot.addWidget(widget)
    widget.resize(320, 260)  # a small dock: one plot at a time, the bars first
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def epoch_snapshots(count: int, batches_per_epoch: int = 10):
    rng = np.random.default_rng(0)
    return [synthetic_snapshot(epoch * batches_per_epoch, batches_per_epoch, kind="epoch", rng=rng)
            for epoch in range(1, count + 1)]


def test_snapshots_are_kept_aside_until_drawn_and_then_each_step_is_one_point(plot):
    snapshots = epoch_snapshots(300)
    plot.add_snapshots(snapshots[:200])
    plot.add_snapshot(snapshots[199])  # the newest snapshot again, as the controller sends it: no second point
    plot.add_snapshots(snapshots[200:])
    assert plot.history["grad_norms"] == [] or all(len(b) == 0 for b in plot.history["grad_norms"])
    plot.throttle.flush()
    buffers = plot.history["grad_norms"]
    assert len(buffers) == 3
    for layer, buffer in enumerate(buffers):
        np.testing.assert_array_equal(buffer.x, np.arange(1, 301))
        expected = [max(float(s.grad_norms[layer]), 1e-30) for s in snapshots]
        np.testing.assert_allclose(buffer.y, expected)
    assert plot.latest is snapshots[-1]


def test_a_hidden_plot_keeps_at_most_max_pending_snapshots_aside(qtbot):
    hidden = GradientFlowPlot()  # never shown
    qtbot.addWidget(hidden)
    hidden.add_snapshots(epoch_snapshots(3 * MAX_PENDING))
    assert len(hidden._pending) < MAX_PENDING
    assert len(hidden.history["grad_norms"][0]) > 2 * MAX_PENDING - 2


def test_a_redraw_with_an_unchanged_range_and_labels_sets_neither(plot, monkeypatch):
    first = synthetic_snapshot(10, 10, kind="epoch")
    first.grad_norms = np.array([0.0101, 0.101, 1.01])
    plot.add_snapshot(first)
    plot.throttle.flush()
    set_range = count_calls(monkeypatch, plot.bars_plot, "setRange")
    texts = [count_calls(monkeypatch, text, "setText") for text in plot.bar_texts]
    moves = [count_calls(monkeypatch, text, "setPos") for text in plot.bar_texts]
    second = synthetic_snapshot(20, 10, kind="epoch")
    second.grad_norms = np.array([0.0102, 0.102, 1.01])  # same half-decades, same labels, bars hardly moved
    plot.add_snapshot(second)
    plot.throttle.flush()
    assert set_range[0] == 0 and [c[0] for c in texts] == [0, 0, 0] and [c[0] for c in moves] == [0, 0, 0]
    assert plot.bars.opts["height"][0] == pytest.approx(np.log10(0.0102) - plot.bars.opts["y0"])  # bars did move
    third = synthetic_snapshot(30, 10, kind="epoch")
    third.grad_norms = np.array([0.05, 0.101, 1.01])  # layer 1 rises past a half-decade: new label, place, range
    plot.add_snapshot(third)
    plot.throttle.flush()
    assert set_range[0] == 1 and [c[0] for c in texts] == [1, 0, 0] and moves[0][0] == 1
    assert plot.bar_texts[0].textItem.toPlainText() == "0.05"
    low, high = plot.bars_plot.viewRange()[1]
    assert low <= np.log10(0.05) - 1.0 and high >= 0.6  # every bar and label inside


def test_a_plot_behind_the_selector_is_drawn_when_shown(plot):
    assert plot.arrangement.mode == "single" and plot.arrangement.current == 0
    plot.add_snapshots(epoch_snapshots(20))
    plot.throttle.flush()
    assert all(curve.getOriginalDataset()[0] is None for curve in plot.curves)  # "over time" is not on show
    plot.arrangement.selector.buttons[1].click()
    assert all(len(curve.getOriginalDataset()[0]) == 20 for curve in plot.curves)
    assert len(plot.bars.opts["height"]) == 3


def test_a_long_warning_in_a_narrow_dock_shows_in_full_on_hover(qtbot):
    """Issue 11 §3: "⚠ vanishing gradient in L1…" was cut off; its whole text (and the advice) is the tooltip."""
    plot = GradientFlowPlot()
    qtbot.addWidget(plot)
    plot.resize(330, 260)
    plot.show()
    qtbot.waitExposed(plot)
    snapshot = synthetic_snapshot(10, layers=8)
    snapshot.grad_norms = np.array([1e-9, 0.1, 1e-9, 0.1, 1e-9, 0.1, 0.1, 1e3])
    plot.add_snapshot(snapshot)
    plot.throttle.flush()
    qtbot.wait(20)
    full = plot.verdict.full_text
    assert full.startswith("⚠ vanishing gradient in L1") and "exploding" in full
    shown = plot.verdict.text()
    assert plot.verdict.isVisible() and len(shown) >= 20  # beside the selector it had no width left at all
    assert shown == full or (shown.endswith("…") and full.startswith(shown[:-1]))
    assert plot.verdict.toolTip().startswith(full) and "ReLU" in plot.verdict.toolTip()


def test_the_lines_over_time_are_made_only_when_that_plot_is_on_show(plot):
    plot.add_snapshots(epoch_snapshots(5))
    plot.throttle.flush()
    assert plot.curves == [] and len(plot.bars.opts["height"]) == 3  # a small dock shows the bars alone
    plot.arrangement.selector.buttons[1].click()  # "Over time"
    assert len(plot.curves) == 3 and all(len(curve.getOriginalDataset()[0]) == 5 for curve in plot.curves)


def test_a_new_run_of_the_same_network_reuses_the_lines_and_another_network_gets_its_own(plot):
    plot.arrangement.selector.buttons[1].click()  # "Over time" on show
    plot.add_snapshots(epoch_snapshots(5))
    plot.throttle.flush()
    first = list(plot.curves)
    assert len(first) == 3
    plot.clear()  # a new run starts
    assert all(curve.getOriginalDataset()[0] is None or not len(curve.getOriginalDataset()[0])
               for curve in first)  # emptied: nothing stale is drawn
    assert not plot.legend.isVisible()
    plot.add_snapshots(epoch_snapshots(5))
    plot.throttle.flush()
    assert plot.curves == first and plot.legend.isVisible()  # the same lines, no new items made
    assert len(plot.legend.items) == 3
    plot.clear()
    rng = np.random.default_rng(1)
    plot.add_snapshots([synthetic_snapshot(e * 10, 10, layers=4, kind="epoch", rng=rng) for e in range(1, 4)])
    plot.throttle.flush()
    assert len(plot.curves) == 4 and not set(plot.curves) & set(first)  # a deeper network: lines of its own
    assert len(plot.legend.items) == 4
    assert all(curve.scene() is None for curve in first)  # the old lines left the plot
