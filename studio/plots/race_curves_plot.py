"""`RaceCurvesPlot`: the racers' loss per epoch overlaid in one plot, one colour each, a legend by name.

Solid: training loss; dashed, the same colour: validation loss (when the data has a validation set). The loss
axis is logarithmic, since optimizers' losses differ by orders of magnitude after a few epochs. Each racer's
curve gains one point per epoch as the race reports it and is redrawn once per batch of reported epochs.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QVBoxLayout, QWidget

from studio.plots.log_axis import readable_axes
from studio.plots.plot_style import LAYER_COLOURS, pen

RACER_COLOURS = LAYER_COLOURS  # eight distinct colours, none of them the "diverged" red


def racer_colour(index: int) -> str:
    return RACER_COLOURS[index % len(RACER_COLOURS)]


class RaceCurvesPlot(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("RaceCurvesPlot")
        self.plot = pg.PlotWidget(axisItems=readable_axes())
        self.plot.setLogMode(x=False, y=True)
        self.plot.showGrid(x=True, y=True, alpha=0.2)
        self.plot.setLabel("bottom", "epoch")
        self.plot.setLabel("left", "loss (solid: training, dashed: validation)")
        self.plot.setMenuEnabled(False)
        self.legend = self.plot.addLegend(offset=(-10, 10), labelTextSize="9pt")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)
        self.names: list[str] = []
        self._points: list[dict[str, list[float]]] = []
        self._train_curves: list[Any] = []
        self._val_curves: list[Any] = []
        self._stale: set[int] = set()  # racers with points not drawn yet

    def start(self, names: list[str]) -> None:
        """A new race: one empty pair of curves per racer."""
        self.plot.clear()
        self.legend.clear()
        self.names = list(names)
        self._points = [{"epoch": [], "train": [], "val_epoch": [], "val": []} for _ in names]
        self._train_curves, self._val_curves = [], []
        self._stale.clear()
        for index, name in enumerate(names):
            colour = racer_colour(index)
            self._train_curves.append(self.plot.plot(pen=pen(colour, 2.0), symbol="o", symbolSize=4,
                                                     symbolBrush=colour, symbolPen=None, name=name))
            self._val_curves.append(self.plot.plot(pen=pen(colour, 1.4, dashed=True)))

    def add_epoch(self, index: int, record: dict[str, Any]) -> None:
        """Racer `index` finished an epoch: its history record (epoch, train_loss, val_loss). Drawn by `redraw`."""
        points = self._points[index]
        if _positive(record.get("train_loss")):
            points["epoch"].append(float(record["epoch"]))
            points["train"].append(float(record["train_loss"]))
        if _positive(record.get("val_loss")):
            points["val_epoch"].append(float(record["epoch"]))
            points["val"].append(float(record["val_loss"]))
        self._stale.add(index)

    def redraw(self) -> None:
        """Draw the racers that gained points since the last redraw (once per batch of epochs, not per epoch)."""
        for index in sorted(self._stale):
            points = self._points[index]
            self._train_curves[index].setData(np.array(points["epoch"]), np.array(points["train"]))
            self._val_curves[index].setData(np.array(points["val_epoch"]), np.array(points["val"]))
        self._stale.clear()

    def curve_points(self, index: int) -> int:
        return len(self._points[index]["train"])


def _positive(value: Any) -> bool:
    """Only positive, finite losses go on a log axis."""
    return value is not None and np.isfinite(value) and value > 0
