"""Live curves wider than a pixel are drawn as one `drawLines` of their segments (Qt strokes a wide path join by
join, which made the loss plot's per-epoch lines over half its redraw); thin and dashed ones stay paths."""

import pyqtgraph as pg

from studio.plots.loss_plot import LossPlot
from studio.plots.plot_style import make_live_curve


def draws_segments(item: pg.PlotDataItem) -> bool:
    return item.curve._shouldUseDrawLineSegments(item.curve.opts["pen"])


def test_wide_solid_live_curves_draw_segments_thin_and_dashed_ones_paths(qtbot):
    plot = pg.PlotWidget()
    qtbot.addWidget(plot)
    assert draws_segments(make_live_curve(plot.getPlotItem(), "#1f77b4", None, width=2.5))
    assert not draws_segments(make_live_curve(plot.getPlotItem(), "#1f77b4", None, width=1.0))
    assert not draws_segments(make_live_curve(plot.getPlotItem(), "#1f77b4", None, width=2.0, dashed=True))


def test_the_loss_plots_epoch_lines_draw_segments(qtbot):
    loss = LossPlot()
    qtbot.addWidget(loss)
    assert draws_segments(loss.epoch_train_curve) and draws_segments(loss.epoch_val_curve)
    assert not draws_segments(loss.batch_curve)  # 1 px: Qt's fast path for thin lines already
