"""`AdaptiveLayout`: arrange a plot widget's sub-plots for the shape of its dock.

A dock along the bottom of the window is wide and short; one on the side is narrow and tall. Three plots stacked
in a 200-pixel-high dock are unreadable, so wide docks get the plots side by side (the main plot larger) and
tall ones get them stacked. The arrangement changes only when the shape class changes, not on every resize.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject

WIDE_RATIO = 1.6  # width / height above which plots go side by side


class AdaptiveLayout(QObject):
    def __init__(self, graphics: pg.GraphicsLayoutWidget, plots: Sequence[pg.GraphicsItem],
                 weights: Sequence[int], main_spans_rows: bool = False):
        super().__init__(graphics)
        self.graphics = graphics
        self.plots = list(plots)
        self.weights = list(weights)
        self.main_spans_rows = main_spans_rows  # wide: the first plot on the left, the others stacked beside it
        self.wide: bool | None = None
        self.arrange(wide=False)
        graphics.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Resize and hasattr(self, "plots"):
            size = event.size()
            if size.height() > 0:
                self.arrange(size.width() / size.height() > WIDE_RATIO)
        return False

    def arrange(self, wide: bool) -> None:
        if wide == self.wide:
            return
        self.wide = wide
        layout = self.graphics.ci
        for plot in self.plots:
            if plot in layout.items:
                layout.removeItem(plot)
        grid = layout.layout
        for i in range(len(self.plots) + 1):  # forget the previous arrangement: unused rows/columns take no room
            grid.setRowStretchFactor(i, 0)
            grid.setColumnStretchFactor(i, 0)
        if not wide:
            for row, (plot, weight) in enumerate(zip(self.plots, self.weights)):
                layout.addItem(plot, row=row, col=0)
                grid.setRowStretchFactor(row, weight)
            grid.setColumnStretchFactor(0, 1)
        elif self.main_spans_rows and len(self.plots) > 1:
            others = self.plots[1:]
            layout.addItem(self.plots[0], row=0, col=0, rowspan=len(others))
            for row, plot in enumerate(others):
                layout.addItem(plot, row=row, col=1)
                grid.setRowStretchFactor(row, self.weights[row + 1])
            grid.setColumnStretchFactor(0, 2)
            grid.setColumnStretchFactor(1, 1)
        else:
            for col, (plot, weight) in enumerate(zip(self.plots, self.weights)):
                layout.addItem(plot, row=0, col=col)
                grid.setColumnStretchFactor(col, weight)
            grid.setRowStretchFactor(0, 1)
