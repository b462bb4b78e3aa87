"""Stepped auto-range (live plots whose axes stay put between most redraws) and axes that do not shrink back."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
import pytest

from studio.plots.log_axis import readable_axes
from studio.plots.stepped_range import nice_step, step_auto_range, stepped


@pytest.mark.parametrize("low, high", [(0.0, 1.0), (0.013, 2.31), (-5.5, 381.0), (1e-7, 3e-6), (-3.2, -0.1)])
def test_stepped_covers_the_data_on_a_one_two_five_grid_with_at_most_a_step_of_headroom(low, high):
    step = nice_step(high - low)
    mantissa = step / 10.0 ** math.floor(math.log10(step))
    assert any(math.isclose(mantissa, m) for m in (1.0, 2.0, 5.0))
    assert (high - low) / 20 < step <= (high - low) / 8 * (1 + 1e-12)
    a, b = stepped(low, high)
    assert a <= low and b >= high
    assert low - a < step * (1 + 1e-9) and b - high < step * (1 + 1e-9)
    assert math.isclose(a / step, round(a / step), abs_tol=1e-9)


def test_stepped_leaves_a_point_or_non_finite_bounds_alone():
    assert stepped(2.0, 2.0) == (2.0, 2.0)
    assert stepped(0.0, math.inf) == (0.0, math.inf)


def _stepped_plot(qtbot) -> tuple[pg.PlotWidget, pg.PlotItem]:
    widget = pg.PlotWidget()
    qtbot.addWidget(widget)
    widget.resize(400, 300)
    widget.show()
    plot = widget.getPlotItem()
    step_auto_range(plot)
    return widget, plot


def _settled_range(widget: pg.PlotWidget, qtbot) -> list[list[float]]:
    """The view's range once painted: a new range's labels may widen an axis, and so narrow the view, once."""
    for _ in range(3):
        widget.getPlotItem().vb.prepareForPaint()
        widget.grab()
        qtbot.wait(1)
    return widget.getPlotItem().vb.viewRange()


def test_a_growing_curve_keeps_its_view_range_until_it_crosses_a_grid_line(qtbot):
    widget, plot = _stepped_plot(qtbot)
    curve = plot.plot(pen=pg.mkPen("b", width=2.5), symbol="o")  # pixel padding: pen and symbols
    x = np.arange(96, dtype=float)
    y = 2.0 + np.sin(x / 7)
    curve.setData(x, y)
    first = _settled_range(widget, qtbot)
    curve.setData(np.append(x, 98.0), np.append(y, 2.5))  # within the grid step of 10 (0 to 100)
    assert _settled_range(widget, qtbot) == first  # the same range exactly: no axis regenerated
    assert first[0][0] <= 0 and first[0][1] >= 98 and first[1][0] <= y.min() and first[1][1] >= y.max()
    longer = np.arange(500, dtype=float)
    curve.setData(longer, 2.0 + np.sin(longer / 7))  # far past the grid: the view follows, covering it all
    grown = _settled_range(widget, qtbot)
    assert grown[0][1] >= 499 and grown[0][0] <= 0


def test_a_users_zoom_still_turns_the_auto_range_off(qtbot):
    widget, plot = _stepped_plot(qtbot)
    curve = plot.plot(np.arange(50.0), np.arange(50.0))
    _settled_range(widget, qtbot)
    plot.vb.setRange(xRange=(10, 20), yRange=(10, 20), padding=0)  # as a zoom would
    curve.setData(np.arange(80.0), np.arange(80.0))
    x_range, y_range = _settled_range(widget, qtbot)
    assert x_range == pytest.approx([10, 20]) and y_range == pytest.approx([10, 20])


def test_a_vertical_axis_does_not_shrink_back_when_its_labels_get_narrower(qtbot):
    widget = pg.PlotWidget(axisItems=readable_axes())
    qtbot.addWidget(widget)
    widget.resize(400, 300)
    widget.show()
    plot = widget.getPlotItem()
    plot.vb.setRange(yRange=(123456.0, 123457.0), padding=0)  # long labels
    widget.grab()
    wide = plot.getAxis("left").width()
    plot.vb.setRange(yRange=(0.0, 1.0), padding=0)  # short labels
    widget.grab()
    qtbot.wait(1)
    widget.grab()
    assert plot.getAxis("left").width() >= wide
