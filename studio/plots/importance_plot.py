"""`ImportancePlot`: how much each swept parameter decides the objective, as horizontal bars (largest on top).

The importances come from Optuna's evaluator over the study's finished trials (`core.sweeps.importance`); they
sum to about 1. With fewer than two finished trials there is nothing to compare, and the plot says so.
"""

from __future__ import annotations

from collections.abc import Mapping

import pyqtgraph as pg
from PySide6.QtWidgets import QVBoxLayout, QWidget

from studio.plots.plot_style import TRAIN_COLOUR, foreground

BAR_HEIGHT = 0.6


class ImportancePlot(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("ImportancePlot")
        self.plot = pg.PlotWidget()
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.plot.setLabel("bottom", "importance (share of the objective's variation)")
        self.plot.getAxis("bottom").enableAutoSIPrefix(False)  # shares of 1, never "(x0.001)"
        self.plot.showGrid(x=True, y=False, alpha=0.2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)
        self.importances: dict[str, float] = {}
        self.show_message("Parameter importance appears once two trials have finished.")

    def show_message(self, text: str) -> None:
        self.importances = {}
        self.plot.clear()
        self.plot.getAxis("left").setTicks([[]])
        message = pg.TextItem(text, color=foreground(), anchor=(0.5, 0.5))
        message.setPos(0.5, 0.5)
        self.plot.addItem(message)
        self.plot.setXRange(0, 1, padding=0)
        self.plot.setYRange(0, 1, padding=0)

    def set_importances(self, importances: Mapping[str, float]) -> None:
        """One bar per parameter, the most important on top."""
        if not importances:
            self.show_message("No importance could be computed (the finished trials all scored the same?).")
            return
        ranked = sorted(importances.items(), key=lambda item: item[1])  # bottom to top: least to most
        self.importances = dict(reversed(ranked))
        self.plot.clear()
        values = [max(float(value), 0.0) for _, value in ranked]
        rows = list(range(len(ranked)))
        self.plot.addItem(pg.BarGraphItem(x0=[0.0] * len(rows), y=rows, height=BAR_HEIGHT, width=values,
                                          brush=TRAIN_COLOUR, pen=None))
        for row, value in zip(rows, values):
            label = pg.TextItem(f"{value:.2f}", color=foreground(), anchor=(0.0, 0.5))
            label.setPos(value, row)
            self.plot.addItem(label)
        self.plot.getAxis("left").setTicks([[(row, name) for row, (name, _) in zip(rows, ranked)]])
        self.plot.setXRange(0, max(max(values), 1e-9) * 1.2, padding=0)
        self.plot.setYRange(-0.6, len(rows) - 0.4, padding=0)
