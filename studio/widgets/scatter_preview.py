"""A scatter plot of a 2-D data set, coloured by class (or by value), where a click adds a point.

Only 2-D data is drawn; clicks add points only where the data set allows it (playground sets), with the class
(or value) chosen beside the plot. The plot follows pyqtgraph's global look, set by the app's theme.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtWidgets import QWidget

from studio.plots.plot_style import CLASS_COLOURS


def class_colour(index: int) -> str:
    return CLASS_COLOURS[index % len(CLASS_COLOURS)]


def value_colours(values: np.ndarray) -> list[Any]:
    """Blue for low, orange for high values (regression targets)."""
    low, high = float(np.min(values)), float(np.max(values))
    t = (values - low) / (high - low) if high > low else np.full(len(values), 0.5)
    blue, orange = np.array([31, 119, 180]), np.array([255, 127, 14])
    rgb = (blue[None, :] * (1 - t[:, None]) + orange[None, :] * t[:, None]).astype(int)
    return [pg.mkBrush(int(r), int(g), int(b), 200) for r, g, b in rgb]


class ScatterPreview(pg.PlotWidget):
    """`point_clicked(x, y)` fires for a left click inside the plotted area, in data coordinates."""

    point_clicked = Signal(float, float)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("scatter_preview")
        self.setMinimumHeight(220)
        self.setMaximumHeight(340)
        self.setMenuEnabled(False)
        self.getPlotItem().hideButtons()
        self.setAspectLocked(True)
        self.getViewBox().setMouseEnabled(False, False)  # a click adds a point; no accidental panning
        for side in ("left", "bottom"):
            self.getPlotItem().getAxis(side).enableAutoSIPrefix(False)
        self.scatter = pg.ScatterPlotItem(size=6, pen=None)
        self.addItem(self.scatter)
        self.added = pg.ScatterPlotItem(size=11, symbol="star", pen=pg.mkPen("k", width=1))
        self.addItem(self.added)
        self.clicks_enabled = False
        self.scene().sigMouseClicked.connect(self._on_scene_clicked)

    def show_points(self, x: np.ndarray, y: np.ndarray, task: str, num_added: int = 0) -> None:
        """Draw (n, 2) points; the last `num_added` of them (points the user added) as stars."""
        if task == "classification":
            brushes = [pg.mkBrush(class_colour(int(label))) for label in y]
        else:
            brushes = value_colours(np.asarray(y, dtype=float).reshape(len(y), -1)[:, 0])
        split = len(x) - num_added
        self.scatter.setData(x=x[:split, 0], y=x[:split, 1], brush=brushes[:split])
        self.added.setData(x=x[split:, 0], y=x[split:, 1], brush=brushes[split:])
        self.getViewBox().autoRange(padding=0.05)

    def clear_points(self) -> None:
        self.scatter.setData([], [])
        self.added.setData([], [])

    def data_to_widget(self, x: float, y: float) -> Any:
        """Where a data point is on screen (in viewport pixels): tests click there."""
        scene_point = self.getViewBox().mapViewToScene(QPointF(x, y))
        return self.mapFromScene(scene_point)

    def _on_scene_clicked(self, event: Any) -> None:
        if not self.clicks_enabled or event.button() != Qt.MouseButton.LeftButton:
            return
        box = self.getViewBox()
        if not box.sceneBoundingRect().contains(event.scenePos()):
            return
        point = box.mapSceneToView(event.scenePos())
        event.accept()
        self.point_clicked.emit(float(point.x()), float(point.y()))
