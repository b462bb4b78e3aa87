"""Shared look of the live plots: series colours, pens, and the small helpers every plot uses.

Plots follow pyqtgraph's global configuration (background/foreground set by the app), so colours here are
chosen to read on both a white and a dark background.
"""

from __future__ import annotations

from typing import Any

import pyqtgraph as pg
from PySide6.QtGui import QColor

TRAIN_COLOUR = "#1f77b4"  # blue
VALIDATION_COLOUR = "#ff7f0e"  # orange
LR_COLOUR = "#2ca02c"  # green
BEST_COLOUR = "#2ca02c"
DIVERGED_COLOUR = "#d62728"  # red
VANISHING_COLOUR = "#9467bd"  # purple
EXPLODING_COLOUR = "#d62728"
NORMAL_COLOUR = "#1f77b4"
LAYER_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                 "#bcbd22", "#17becf")


def layer_colour(index: int) -> str:
    return LAYER_COLOURS[index % len(LAYER_COLOURS)]


def pen(colour: str, width: float = 2.0, dashed: bool = False) -> Any:
    from PySide6.QtCore import Qt

    return pg.mkPen(colour, width=width, style=Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine)


def faded(colour: str, alpha: int = 90) -> QColor:
    c = QColor(colour)
    c.setAlpha(alpha)
    return c


def foreground() -> QColor:
    return pg.mkColor(pg.getConfigOption("foreground"))


def make_live_curve(plot: pg.PlotItem, colour: str, name: str | None, width: float = 2.0,
                    dashed: bool = False, symbol: str | None = None) -> pg.PlotDataItem:
    """One curve per series, set up for long runs: clipped to the view and downsampled automatically."""
    curve = plot.plot([], [], pen=pen(colour, width, dashed), name=name, symbol=symbol,
                      symbolSize=6, symbolBrush=colour, symbolPen=None)
    curve.setClipToView(True)
    curve.setDownsampling(auto=True, method="peak")
    return curve


def style_axes(plot: pg.PlotItem, bottom: str, left: str, bottom_units: str | None = None,
               left_units: str | None = None) -> None:
    plot.setLabel("bottom", bottom, units=bottom_units)
    plot.setLabel("left", left, units=left_units)
    for side in ("bottom", "left"):
        plot.getAxis(side).enableAutoSIPrefix(False)  # "Loss (x0.001)" reads worse than plain numbers
    pass  # plot.showGrid(x=True, y=True, alpha=0.2)


def fix_label_size(label: Any, sample: str) -> None:
    """Give a label whose text changes live a fixed size (as wide as `sample`): a label that resizes with its
    text re-lays out the whole window, repainting every docked plot, at each update."""
    metrics = label.fontMetrics()
    label.setFixedSize(metrics.horizontalAdvance(sample) + 8, metrics.height() + 4)


def set_elided_text(label: Any, text: str) -> None:
    """Show `text` in a fixed-size label, shortened with … if it does not fit; the full text as tooltip."""
    from PySide6.QtCore import Qt

    label.setText(label.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, label.width() - 4))
    label.setToolTip(text)


def set_title(plot: Any, text: str) -> None:
    """Change a plot's title only when it differs: every change re-lays out the plot's scene."""
    if getattr(plot, "_current_title", None) != text:
        plot._current_title = text
        plot.setTitle(text)
