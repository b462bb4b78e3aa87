"""`CheckpointWeightsPlot`: one layer's weights at a checkpoint of a recorded run, as a matrix and a histogram.

Top: the layer's W as a heatmap (one column per unit, one row per input), in the signed colour map the builder's
edges use (orange below zero, white at zero, blue above), with a colour bar. Bottom: the histogram of W in the
weight-histogram plot's style. Both keep ONE scale over the whole run (the run's largest |W| in that layer,
`ScrubRun.weight_limits`), so scrubbing shows weights grow, spread or die instead of a rescaled picture each time.
It draws a `core.scrub.CheckpointView` handed to it; it never reads the store or runs the network.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QComboBox, QWidget

from studio.plots.adaptive_layout import AdaptiveLayout
from studio.plots.plot_style import (TRAIN_COLOUR, controls_row, diverging_colour_map, faded, set_title, show_axes,
                                     stack_panel, style_axes)

if TYPE_CHECKING:
    from core.scrub import CheckpointView

MAX_LABELLED = 24  # rows or columns up to which every one (or every other one) is numbered


class CheckpointWeightsPlot(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("CheckpointWeightsPlot")
        self.view: CheckpointView | None = None
        self.limits: list[float] = []  # per layer: the colour scale's and the histogram's half-width
        self._build()
        show_axes(self.arrangement.plots, False)  # until a checkpoint is shown

    def _build(self) -> None:
        self.layer_box = QComboBox()
        self.layer_box.setToolTip("Which layer's weights to show")
        self.layer_box.currentIndexChanged.connect(self._redraw)
        self.graphics = pg.GraphicsLayoutWidget()
        self.matrix_plot = self.graphics.addPlot(row=0, col=0, title="Weights")
        self.histogram_plot = self.graphics.addPlot(row=1, col=0, title="Distribution")
        self.arrangement = AdaptiveLayout(
            self.graphics, [self.matrix_plot, self.histogram_plot], names=["Matrix", "Histogram"], weights=[2, 1],
            min_plot_size=(200, 110),
            tips=["The layer's weight matrix: a column per unit, a row per input",
                  "How the layer's weights are distributed (one scale for the whole run)"])
        style_axes(self.matrix_plot, "Unit", "Input")
        style_axes(self.histogram_plot, "Weight", "Count")
        self.matrix_plot.invertY(True)  # input 1 on top, as a matrix is read
        self.image = pg.ImageItem(axisOrder="col-major")  # image[unit, input]
        self.matrix_plot.addItem(self.image)
        self.colour_bar = pg.ColorBarItem(values=(-1.0, 1.0), colorMap=diverging_colour_map(), interactive=False,
                                          width=12)
        self.colour_bar.setImageItem(self.image, insert_in=self.matrix_plot)
        self.curve = self.histogram_plot.plot([], [], stepMode="center", fillLevel=0,
                                              brush=faded(TRAIN_COLOUR, 120), pen=pg.mkPen(TRAIN_COLOUR, width=1.5))
        controls = controls_row(self.arrangement.selector)
        controls.addWidget(self.layer_box, 1)
        stack_panel(self, controls, graphics=self.graphics)

    def set_layers(self, names: list[str], limits: list[float]) -> None:
        """The run's layers and each one's fixed scale (before the first `show_view`)."""
        current = self.layer_box.currentIndex()
        self.limits = list(limits)
        self.layer_box.blockSignals(True)
        self.layer_box.clear()
        self.layer_box.addItems(names)
        self.layer_box.setCurrentIndex(current if 0 <= current < len(names) else 0)
        self.layer_box.blockSignals(False)

    def show_view(self, view: CheckpointView) -> None:
        self.view = view
        if self.layer_box.count() != len(view.layer_names):
            self.set_layers(view.layer_names, self.limits or [1.0] * len(view.layer_names))
        self._redraw()

    def _redraw(self) -> None:
        view, index = self.view, self.layer_box.currentIndex()
        show_axes(self.arrangement.plots, view is not None)
        if view is None or not 0 <= index < len(view.layers):
            self.image.clear()
            self.curve.setData([], [])
            return
        weight = np.asarray(view.layers[index].weight, dtype=np.float32)  # (inputs, units)
        limit = self.limits[index] if index < len(self.limits) else float(np.abs(weight).max(initial=1.0))
        self.colour_bar.setLevels((-limit, limit))
        self.image.setImage(weight.T, autoLevels=False, levels=(-limit, limit))
        self.image.setRect(QRectF(0.5, 0.5, weight.shape[1], weight.shape[0]))  # unit j, input i at (j, i)
        for side, count in (("bottom", weight.shape[1]), ("left", weight.shape[0])):
            self.matrix_plot.getAxis(side).setTicks(_whole_ticks(count))
        counts, edges = view.weight_histograms[index]
        self.curve.setData(np.asarray(edges, dtype=float), np.asarray(counts, dtype=float))
        self.histogram_plot.setXRange(-limit, limit, padding=0.02)
        name = view.layer_names[index]
        set_title(self.matrix_plot, f"{name}: W {weight.shape[0]}×{weight.shape[1]} (epoch {view.epoch:,})")
        set_title(self.histogram_plot, f"Distribution of W (epoch {view.epoch:,})")


def _whole_ticks(count: int) -> list | None:
    """Ticks on whole units and inputs (1-based) for a small matrix; None (pyqtgraph's own) for a large one."""
    if count > MAX_LABELLED:
        return None
    step = 1 if count <= MAX_LABELLED // 2 else 2
    return [[(i, str(i)) for i in range(1, count + 1, step)], []]
