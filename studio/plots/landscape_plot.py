"""`LandscapePlot`: a loss slice as a coloured image with contour lines, and the racers' paths on it.

The image is log₁₀ of the loss (a trained network's valley is orders of magnitude below the rim), drawn with
pyqtgraph's `ImageItem` placed on the slice's (α, β) coordinates; `IsocurveItem`s draw contours at evenly spaced
log levels, as children of the image so they share its placement. Each path is a line with a dot per epoch, a
star at its end, in the racer's colour; the square is the common start, the cross the slice's centre. The title
says which directions span the slice (random or PCA) and around which point.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QVBoxLayout, QWidget

from core.landscape import LossSlice
from studio.plots.plot_style import pen
from studio.plots.race_curves_plot import racer_colour

CONTOURS = 12


class LandscapePlot(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("LandscapePlot")
        self.plot = pg.PlotWidget()
        self.plot.setMenuEnabled(False)
        self.plot.setLabel("bottom", "α (first direction)")
        self.plot.setLabel("left", "β (second direction)")
        self.plot.setAspectLocked(False)
        self.legend = self.plot.addLegend(offset=(-10, 10), labelTextSize="9pt")
        self.image = pg.ImageItem()
        self.colour_bar = pg.ColorBarItem(colorMap=pg.colormap.get("viridis"), label="log₁₀ loss", width=14,
                                          interactive=False)
        self.colour_bar.setImageItem(self.image, insert_in=self.plot.getPlotItem())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)
        self.result: LossSlice | None = None
        self.isocurves: list[pg.IsocurveItem] = []
        self.path_items: list[pg.PlotDataItem] = []
        self.plot.setTitle("No slice yet: race optimizers, then draw their loss landscape", size="10pt")

    def clear(self, message: str) -> None:
        self._remove_overlays()
        self.image.clear()
        self.result = None
        self.plot.setTitle(message, size="10pt")

    def show_slice(self, result: LossSlice, order: list[str] | None = None) -> None:
        """Draw `result`; `order` gives the racers' order for their colours (default: the paths' order)."""
        self._remove_overlays()
        self.result = result
        log_loss = np.log10(np.where(result.loss > 0, result.loss, np.nan))
        finite = log_loss[np.isfinite(log_loss)]
        if finite.size == 0:
            self.clear("The loss is not finite anywhere on this slice")
            return
        low, high = float(finite.min()), float(np.percentile(finite, 98))
        high = high if high > low else low + 1e-6
        image = np.nan_to_num(np.clip(log_loss, low, high), nan=high).T  # (α, β): pyqtgraph's x-first order
        self.image.setImage(image, autoLevels=False)
        self.colour_bar.setLevels((low, high))
        alpha, beta = result.alpha, result.beta
        da, db = alpha[1] - alpha[0], beta[1] - beta[0]
        self.image.setRect(QRectF(alpha[0] - da / 2, beta[0] - db / 2, da * len(alpha), db * len(beta)))
        if self.image.scene() is None:
            self.plot.addItem(self.image)
        for level in np.linspace(low, high, CONTOURS + 2)[1:-1]:
            curve = pg.IsocurveItem(data=image, level=float(level), pen=pg.mkPen((255, 255, 255, 110), width=1))
            curve.setParentItem(self.image)
            self.isocurves.append(curve)
        names = order or list(result.paths)
        for name, points in result.paths.items():
            colour = racer_colour(names.index(name) if name in names else len(self.path_items))
            line = pg.PlotDataItem(points[:, 0], points[:, 1], pen=pen(colour, 2.0), symbol="o", symbolSize=5,
                                   symbolBrush=colour, symbolPen=pg.mkPen("k", width=0.5),
                                   name=f"{name} ({len(points) - 1} epochs)")
            end = pg.ScatterPlotItem([points[-1, 0]], [points[-1, 1]], symbol="star", size=16, brush=colour,
                                     pen=pg.mkPen("k", width=0.8))
            self.plot.addItem(line)
            self.plot.addItem(end)
            self.path_items += [line, end]
        if result.paths:
            start = next(iter(result.paths.values()))[0]
            marker = pg.ScatterPlotItem([start[0]], [start[1]], symbol="s", size=10, brush="w", pen=pg.mkPen("k"),
                                        name="start")
            self.plot.addItem(marker)
            self.path_items.append(marker)
        centre = pg.ScatterPlotItem([0.0], [0.0], symbol="+", size=14, brush="k", pen=pg.mkPen("k", width=2),
                                    name=f"centre: {result.centre}")
        self.plot.addItem(centre)
        self.path_items.append(centre)
        self.plot.setXRange(alpha[0], alpha[-1], padding=0)
        self.plot.setYRange(beta[0], beta[-1], padding=0)
        self.plot.setTitle(f"Around {result.centre}; directions: {result.directions.describe()}", size="10pt")

    def _remove_overlays(self) -> None:
        for curve in self.isocurves:
            curve.setParentItem(None)
            if curve.scene() is not None:
                curve.scene().removeItem(curve)
        for item in self.path_items:
            self.plot.removeItem(item)
        self.isocurves, self.path_items = [], []
        self.legend.clear()
