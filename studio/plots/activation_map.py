"""`NeuronActivationMap`: what each neuron of a narrow network responds to over the 2-D input plane.

Like the playground: a small map per neuron (layers as columns, neurons down each column), and a large map of
the neuron hovered in the network builder (`show_neuron(layer, unit)`, connected to its `neuron_hovered`).
Maps come from the worker's `GridPrediction.activations`; the widget never runs the network. Colours are
diverging around zero on each neuron's own scale, orange negative and blue positive like the builder's edges and
thumbnails (`plot_style.diverging_colour_map`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from core.network.grid_prediction import MAX_NEURONS_FOR_MAPS, GridPrediction
from studio.plots.plot_style import ElidedLabel, diverging_colour_map, show_axes
from studio.plots.redraw_throttle import RedrawThrottle

if TYPE_CHECKING:
    from studio.document import Document
    from studio.training.controller import TrainingController
    from studio.training.worker import WorkerUpdate

MAX_SMALL_ROWS = 8  # neurons shown per layer column
HINT = ("Train a network on a 2-D data set, then hover a neuron in the network to see the input region it "
        "responds to.")


def symmetric_levels(values: np.ndarray) -> tuple[float, float]:
    bound = float(np.nanmax(np.abs(values))) if values.size else 1.0
    bound = bound if bound > 1e-9 else 1.0
    return -bound, bound


class NeuronActivationMap(QWidget):
    def __init__(self, controller: TrainingController | None = None, document: Document | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("NeuronActivationMap")
        self.document = document
        self.prediction: GridPrediction | None = None
        self.selected: tuple[int, int] | None = None  # (layer, unit) hovered, None = none
        self.small_images: dict[tuple[int, int], pg.ImageItem] = {}
        self.message = QLabel(HINT)
        self.message.setWordWrap(True)
        # The large map's title is a label above the plots, shortened with … to the dock's width (in full in
        # its tooltip): as the plot's own title, its width was the plot's minimum, and at the default dock size
        # it pushed the map and its title ("layer 2, n…") past the dock's right edge.
        self.title = ElidedLabel("")
        self.title.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.title.hide()  # until a neuron's map is drawn
        self.graphics = pg.GraphicsLayoutWidget()
        self.grid_layout = self.graphics.addLayout(row=0, col=0)
        self.big_plot = self.graphics.addPlot(row=0, col=1)
        self.graphics.ci.layout.setColumnStretchFactor(0, 2)
        self.graphics.ci.layout.setColumnStretchFactor(1, 3)
        self.big_plot.setLabel("bottom", "x₁")
        self.big_plot.setLabel("left", "x₂")
        for side in ("bottom", "left"):
            self.big_plot.getAxis(side).setMinimumWidth(0)
        self.big_image = pg.ImageItem(axisOrder="col-major")
        self.big_image.setColorMap(diverging_colour_map())
        self.big_plot.addItem(self.big_image)
        show_axes([self.big_plot], False)  # until a neuron's map is drawn
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.message)
        layout.addWidget(self.title)
        layout.addWidget(self.graphics, 1)
        self._layout_key: tuple[int, ...] | None = None
        self.throttle = RedrawThrottle(self, self._redraw, max_per_second=4)
        if document is not None:
            document.data_changed.connect(self._on_data_changed)
            self._on_data_changed()
        if controller is not None:
            controller.updated.connect(self._on_update)
            controller.weights_reset.connect(self.clear)
            if controller.latest_prediction is not None:  # built mid-run (a dock first shown late): catch up
                self.set_prediction(controller.latest_prediction)

    def clear(self) -> None:
        self.prediction = None
        for image in self.small_images.values():
            image.clear()
        self.big_image.clear()
        show_axes([self.big_plot], False)
        self.title.hide()
        self.message.setVisible(True)

    def _on_data_changed(self) -> None:
        """Maps exist only over the plane of 2-D data: for other data, a sentence in place of empty plots."""
        dataset = self.document.dataset if self.document is not None else None
        plane = dataset is None or dataset.num_features == 2
        self.graphics.setVisible(plane)
        if not plane:
            self.title.hide()
        self.message.setText(HINT if plane else
                             f"Neuron maps show what each neuron responds to over the input plane of 2-D data; "
                             f"{dataset.name} has {dataset.num_features} features.")
        if not plane:
            self.message.setVisible(True)

    def show_neuron(self, layer: int, unit: int) -> None:
        """Slot for the builder's `neuron_hovered(layer, unit)`; (-1, -1) keeps the last neuron shown."""
        if layer < 0 or unit < 0:
            return
        self.selected = (layer, unit)
        self._draw_big()

    def _on_update(self, update: WorkerUpdate) -> None:
        if update.prediction is not None:
            self.set_prediction(update.prediction)

    def set_prediction(self, prediction: GridPrediction) -> None:
        if prediction.grid.dims != 2:
            return  # a line of inputs (1-D data): the maps are for the 2-D plane; the message already says so
        self.prediction = prediction
        self.throttle.request()

    def _redraw(self) -> None:
        prediction = self.prediction
        if prediction is None:
            return
        if prediction.activations is None:
            self.message.setText(f"Per-neuron maps are drawn for networks of at most {MAX_NEURONS_FOR_MAPS} "
                                 "neurons; this one is wider.")
            self.message.setVisible(True)
            return
        self.message.setVisible(False)
        widths = tuple(a.shape[2] for a in prediction.activations)
        if widths != self._layout_key:
            self._build_small(widths)
        for (layer, unit), image in self.small_images.items():
            values = prediction.activations[layer][:, :, unit]
            image.setImage(values.T, autoLevels=False, levels=symmetric_levels(values))
        if self.selected is None:
            self.selected = (0, 0)
        self._draw_big()

    def _build_small(self, widths: tuple[int, ...]) -> None:
        self.grid_layout.clear()
        self.small_images = {}
        self._layout_key = widths
        for layer, width in enumerate(widths):
            label = "output" if layer == len(widths) - 1 else f"layer {layer + 1}"
            self.grid_layout.addLabel(label, row=0, col=layer)
            for unit in range(min(width, MAX_SMALL_ROWS)):
                view = self.grid_layout.addViewBox(row=unit + 1, col=layer, lockAspect=True, enableMouse=False)
                image = pg.ImageItem(axisOrder="col-major")
                image.setColorMap(diverging_colour_map())
                view.addItem(image)
                self.small_images[(layer, unit)] = image

    def _draw_big(self) -> None:
        prediction = self.prediction
        if prediction is None or prediction.activations is None or self.selected is None:
            return
        layer, unit = self.selected
        if layer >= len(prediction.activations) or unit >= prediction.activations[layer].shape[2]:
            return
        values = prediction.activations[layer][:, :, unit]
        show_axes([self.big_plot], True)
        self.big_image.setImage(values.T, autoLevels=False, levels=symmetric_levels(values))
        grid = prediction.grid
        self.big_image.setRect(QRectF(grid.x_min, grid.y_min, grid.x_max - grid.x_min, grid.y_max - grid.y_min))
        dataset = self.document.dataset if self.document is not None else None
        names = dataset.feature_names if dataset is not None else None
        if names and len(names) == 2:
            self.big_plot.setLabel("bottom", names[0])
            self.big_plot.setLabel("left", names[1])
        kind = "output" if layer == len(prediction.activations) - 1 else f"layer {layer + 1}"
        text = f"{kind}, neuron {unit + 1} (range ±{symmetric_levels(values)[1]:.2g})"
        if text != self.title.full_text:
            self.title.set_full_text(text)  # in full in its tooltip
        self.title.setVisible(self.graphics.isVisibleTo(self))
