"""`DecisionBoundaryPlot`: the network's output over its input space under the data points, live.

2-D classification: each cell's colour blends the class colours by the predicted probabilities and fades to
white where the network is unsure, so the boundary is where the colours meet. 2-D regression: the fitted surface
as a heatmap, the points coloured by their true value on the same scale. 1-D regression: the fitted curve
(input vs prediction) through the points (input vs target). Training points are filled circles, validation
points triangles, test points hollow squares. Predictions come from the worker's `GridPrediction` (a line of
inputs for 1-D data); this widget never runs the network.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from studio.plots.plot_style import CLASS_COLOURS, style_axes, set_title
from studio.plots.redraw_throttle import RedrawThrottle
from studio.training.grid_prediction import GridPrediction

if TYPE_CHECKING:
    from studio.document import Document
    from studio.training.controller import TrainingController
    from studio.training.worker import WorkerUpdate

SURFACE_MAP = "viridis"
SYMBOL_TEXT = {"train": "●", "validation": "▼", "test": "□"}
FIT_COLOUR = "#d62728"  # the fitted curve, red over the blue-green points


def class_rgb(count: int) -> np.ndarray:
    """(count, 3) float RGB in 0..1 for the class colours."""
    colours = [pg.mkColor(CLASS_COLOURS[i % len(CLASS_COLOURS)]) for i in range(count)]
    return np.array([[c.redF(), c.greenF(), c.blueF()] for c in colours])


def probability_image(probabilities: np.ndarray) -> np.ndarray:
    """(rows, cols, k) probabilities → (rows, cols, 3) uint8: class colours blended, faded where unsure."""
    k = probabilities.shape[2]
    if k == 1:  # a single sigmoid unit: p(class 1)
        probabilities = np.concatenate([1 - probabilities, probabilities], axis=2)
        k = 2
    blended = probabilities @ class_rgb(k)
    confidence = (probabilities.max(axis=2, keepdims=True) - 1 / k) / (1 - 1 / k)
    strength = 0.15 + 0.6 * np.clip(confidence, 0, 1)
    rgb = 1.0 - strength * (1.0 - blended)
    return (np.clip(rgb, 0, 1) * 255).astype(np.uint8)


class DecisionBoundaryPlot(QWidget):
    def __init__(self, controller: TrainingController | None = None, document: Document | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("DecisionBoundaryPlot")
        self.document = document
        self.prediction: GridPrediction | None = None
        self.task = "classification"
        self.one_d = False  # 1-D regression: a fitted curve instead of an image
        self._data_shape: tuple[int, str] | None = None  # (features, task) the points were drawn for
        self.value_range = (0.0, 1.0)
        self._build()
        self.throttle = RedrawThrottle(self, self._redraw, max_per_second=4)
        if controller is not None:
            controller.updated.connect(self._on_update)
            controller.weights_reset.connect(self.clear_prediction)
        if document is not None:
            document.data_changed.connect(self.refresh_points)
            document.spec_changed.connect(self.refresh_points)  # the split follows the seed
            self.refresh_points()

    def _build(self) -> None:
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.key = QLabel("")  # the legend, outside the plot so it never covers points in a small dock
        self.key.setToolTip("Filled: training points; triangles: validation; hollow squares: test points")
        self.graphics = pg.GraphicsLayoutWidget()
        self.plot = self.graphics.addPlot(title="Decision boundary")
        self.plot.setAspectLocked(False)
        style_axes(self.plot, "x₁", "x₂")
        self.image = pg.ImageItem(axisOrder="col-major")
        self.plot.addItem(self.image)
        self.curve = self.plot.plot([], [], pen=pg.mkPen(FIT_COLOUR, width=2.5), name="prediction")
        self.points = {part: pg.ScatterPlotItem(size=8, pxMode=True) for part in ("train", "validation", "test")}
        for item in self.points.values():
            self.plot.addItem(item)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.message)
        layout.addWidget(self.graphics, 1)
        layout.addWidget(self.key)

    # --- data points -------------------------------------------------------------------------------------------------
    def refresh_points(self) -> None:
        document = self.document
        dataset = document.dataset if document is not None else None
        for item in self.points.values():
            item.clear()
        self.key.setText("")
        if dataset is None:
            self._say("No data set loaded.")
            return
        self.one_d = dataset.num_features == 1 and dataset.task == "regression"
        if (dataset.num_features, dataset.task) != self._data_shape:  # an old prediction no longer fits
            self._data_shape = (dataset.num_features, dataset.task)
            self.clear_prediction()
        if dataset.num_features != 2 and not self.one_d:
            self._say(f"The decision boundary is drawn for 2-D data (and the fitted curve for 1-D regression); "
                      f"{dataset.name} has {dataset.num_features} features. The loss and confusion plots show how "
                      "it learns.")
            return
        self._say("")
        from core.data import split_indices

        config = document.data_config
        seed = document.spec["training"]["seed"]
        parts = split_indices(dataset.y, dataset.task, config["val_fraction"], config["test_fraction"], seed)
        self.task = dataset.task
        names = dataset.feature_names
        if self.one_d:
            targets = dataset.target_names or ["target"]
            style_axes(self.plot, names[0], targets[0])
            set_title(self.plot, "Fitted curve")
        else:
            style_axes(self.plot, names[0], names[1])
        if dataset.task == "regression":
            values = dataset.y[:, 0]
            self.value_range = (float(values.min()), float(values.max()))
        counts: dict[str, int] = {}
        for (part, rows), symbol in zip(zip(("train", "validation", "test"), parts), ("o", "t", "s")):
            if len(rows) == 0:
                continue
            vertical = dataset.y[rows, 0] if self.one_d else dataset.x[rows, 1]
            self.points[part].setData(x=dataset.x[rows, 0], y=vertical, symbol=symbol,
                                      brush=self._brushes(dataset, rows, hollow=part == "test"),
                                      pen=self._pens(dataset, rows, part), size=9 if part == "test" else 7)
            counts[part] = len(rows)
        self.key.setText("  ".join(f"{SYMBOL_TEXT[part]} {part} ({n})" for part, n in counts.items()))

    def _brushes(self, dataset, rows: np.ndarray, hollow: bool) -> list:
        if hollow:
            return [pg.mkBrush(0, 0, 0, 0)] * len(rows)
        return [pg.mkBrush(c) for c in self._colours(dataset, rows)]

    def _pens(self, dataset, rows: np.ndarray, part: str) -> list:
        if part == "test":
            return [pg.mkPen(c, width=2) for c in self._colours(dataset, rows)]
        return [pg.mkPen("w" if part == "train" else "k", width=0.8)] * len(rows)

    def _colours(self, dataset, rows: np.ndarray) -> list:
        if self.one_d:  # the height already shows the value
            return [CLASS_COLOURS[0]] * len(rows)
        if dataset.task == "classification":
            return [CLASS_COLOURS[int(c) % len(CLASS_COLOURS)] for c in dataset.y[rows]]
        cmap = pg.colormap.get(SURFACE_MAP)
        low, high = self.value_range
        scaled = (dataset.y[rows, 0] - low) / (high - low if high > low else 1.0)
        return [cmap.map(float(v), mode="qcolor") for v in scaled]

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    # --- the prediction -------------------------------------------------------------------------------------------
    def clear_prediction(self) -> None:
        self.prediction = None
        self.image.clear()
        self.curve.setData([], [])

    def _on_update(self, update: WorkerUpdate) -> None:
        if update.prediction is not None:
            self.set_prediction(update.prediction)

    def set_prediction(self, prediction: GridPrediction) -> None:
        self.prediction = prediction
        self.throttle.request()

    def _redraw(self) -> None:
        prediction = self.prediction
        if prediction is None:
            return
        outputs = prediction.outputs
        grid = prediction.grid
        if grid.dims == 1:
            self._draw_curve(prediction)
            return
        self.curve.setData([], [])
        if self.task == "regression":
            values = outputs[:, :, 0]
            cmap = pg.colormap.get(SURFACE_MAP)
            low, high = self.value_range
            scaled = np.clip((values - low) / (high - low if high > low else 1.0), 0, 1)
            rgb = (cmap.map(scaled.ravel(), mode="float")[:, :3].reshape(values.shape + (3,)) * 255)
            rgb = (255 - 0.55 * (255 - rgb)).astype(np.uint8)  # lighter, so the points stay visible
        else:
            rgb = probability_image(outputs)
        self.image.setImage(rgb.transpose(1, 0, 2), autoLevels=False)  # [y, x] rows → the item's [x, y]
        dx = (grid.x_max - grid.x_min) / max(1, grid.resolution - 1)
        dy = (grid.y_max - grid.y_min) / max(1, grid.resolution - 1)
        self.image.setRect(QRectF(grid.x_min - dx / 2, grid.y_min - dy / 2, grid.x_max - grid.x_min + dx,
                                  grid.y_max - grid.y_min + dy))
        set_title(self.plot, f"Decision boundary (step {prediction.step:,})" if self.task == "classification"
                           else f"Fitted surface (step {prediction.step:,})")


    def _draw_curve(self, prediction: GridPrediction) -> None:
        """1-D regression: the prediction along the input axis, over the points (input, target)."""
        grid = prediction.grid
        xs = np.linspace(grid.x_min, grid.x_max, grid.resolution)
        self.image.clear()
        self.curve.setData(xs, prediction.outputs.reshape(grid.resolution, -1)[:, 0])
        set_title(self.plot, f"Fitted curve (step {prediction.step:,})")
