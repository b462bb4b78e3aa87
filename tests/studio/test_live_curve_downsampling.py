"""Live curves draw at most a few points per pixel column, and what they leave out never hides a spike."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from studio.plots.plot_style import make_live_curve


def test_a_long_live_curve_draws_fewer_points_but_keeps_every_extreme(qtbot):
    widget = pg.PlotWidget()
    qtbot.addWidget(widget)
    widget.resize(320, 240)
    widget.show()
    plot = widget.getPlotItem()
    curve = make_live_curve(plot, "#1f77b4", None)
    rng = np.random.default_rng(3)
    x = np.arange(2000, dtype=float)
    y = rng.normal(1.0, 0.1, size=x.size)
    y[[137, 1555]] = 9.0, -7.0  # single-point spikes
    curve.setData(x, y)
    plot.vb.prepareForPaint()
    shown_x, shown_y = curve.getData()
    assert len(shown_x) < len(x) / 2  # ~2,000 points over < 320 px: downsampled
    assert shown_y.max() == 9.0 and shown_y.min() == -7.0  # peak downsampling keeps each bin's extremes
