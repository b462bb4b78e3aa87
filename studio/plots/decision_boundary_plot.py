"""`DecisionBoundaryPlot`: the network's output over its input space under the data points, live.

2-D classification: each cell's colour blends the class colours by the predicted probabilities and fades to
white where the network is unsure, so the boundary is where the colours meet. 2-D regression: the fitted surface
as a heatmap, the points coloured by their true value on the same scale. 1-D regression: the fitted curve
(input vs prediction) through the points (input vs target). Training points are filled circles, validation
points triangles, test points hollow squares. Predictions come from the worker's `GridPrediction` (a line of
inputs for 1-D data); this widget never runs the network.

Two toggles under the plot: "Discretize output" draws each cell in its predicted class's colour (regression:
the surface in `REGRESSION_BANDS` flat bands), so the boundary is a sharp line; "Show test data" shows or hides
the test points. For data the plot can't draw (more than two inputs) the plot gives way to a placeholder text,
and the title always names the data shown now (never a step of a run on other data).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from core.network.grid_prediction import GridPrediction
from studio.plots.plot_style import CLASS_COLOURS, style_axes, set_title
from studio.plots.redraw_throttle import RedrawThrottle
from studio.training.prediction_views import FollowsPredictions

if TYPE_CHECKING:
    from studio.document import Document
    from studio.training.controller import TrainingController

SURFACE_MAP = "viridis"
SYMBOL_TEXT = {"train": "●", "validation": "▼", "test": "□"}
FIT_COLOUR = "#d62728"  # the fitted curve, red over the blue-green points
REGRESSION_BANDS = 8  # flat colour bands of a discretized regression surface


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


def discrete_class_image(probabilities: np.ndarray) -> np.ndarray:
    """(rows, cols, k) probabilities → (rows, cols, 3) uint8: each cell in its predicted class's colour (light)."""
    k = probabilities.shape[2]
    classes = (probabilities[:, :, 0] >= 0.5).astype(int) if k == 1 else probabilities.argmax(axis=2)
    rgb = 1.0 - 0.55 * (1.0 - class_rgb(max(k, 2))[classes])
    return (rgb * 255).astype(np.uint8)


def banded(scaled: np.ndarray, bands: int = REGRESSION_BANDS) -> np.ndarray:
    """Values in 0..1 rounded to the middles of `bands` equal bands."""
    return (np.minimum(np.floor(scaled * bands), bands - 1) + 0.5) / bands


class DecisionBoundaryPlot(FollowsPredictions, QWidget):
    def __init__(self, controller: TrainingController | None = None, document: Document | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("DecisionBoundaryPlot")
        self.document = document
        self.prediction: GridPrediction | None = None
        self.task = "classification"
        self.one_d = False  # 1-D regression: a fitted curve instead of an image
        self._data_shape: tuple[str, int, str] | None = None  # (name, features, task) the points were drawn for
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
        self.plot = self.graphics.addPlot()
        self.plot.setAspectLocked(False)
        style_axes(self.plot, "x₁", "x₂")
        self.image = pg.ImageItem(axisOrder="col-major")
        self.plot.addItem(self.image)
        self.curve = self.plot.plot([], [], pen=pg.mkPen(FIT_COLOUR, width=2.5), name="prediction")
        self.points = {part: pg.ScatterPlotItem(size=8, pxMode=True) for part in ("train", "validation", "test")}
        for item in self.points.values():
            self.plot.addItem(item)
        self.discretize = QCheckBox("Discretize output")
        self.discretize.setToolTip("Colour each point of the plane by the predicted class only (no shading by "
                                   "confidence), so the boundary is a sharp line")
        self.discretize.toggled.connect(self._on_option_changed)
        self.show_test = QCheckBox("Show test data")
        self.show_test.setChecked(True)
        self.show_test.setToolTip("Show the held-out test points (hollow squares)")
        self.show_test.toggled.connect(self._on_option_changed)
        self.options = QWidget()
        options = QHBoxLayout(self.options)
        options.setContentsMargins(0, 0, 0, 0)
        options.addWidget(self.discretize)
        options.addWidget(self.show_test)
        options.addStretch(1)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = self._layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.message)
        layout.addWidget(self.graphics, 1)
        layout.addWidget(self.options)
        layout.addWidget(self.key)
        set_title(self.plot, "Decision boundary")

    def _on_option_changed(self) -> None:
        self.points["test"].setVisible(self.show_test.isChecked())
        if self.prediction is not None:
            self.throttle.request()

    # --- data points -------------------------------------------------------------------------------------------------
    def refresh_points(self) -> None:
        document = self.document
        if document is None or document.dataset is None:
            self.show_points(None, {}, 0)
            return
        self.show_points(document.dataset, document.data_config, document.spec.training.seed)

    def show_points(self, dataset, data_config: dict, seed: int,
                    elsewhere: str = "The loss and confusion plots show how it learns.") -> None:
        """Draw `dataset`'s points split as `data_config` and `seed` split them (the document's, or a recorded
        run's); for data the plot can't draw, the placeholder says so and points to `elsewhere`."""
        for item in self.points.values():
            item.clear()
        self.key.setText("")
        if dataset is None:
            self._show_placeholder("No data set loaded.")
            return
        self.one_d = dataset.num_features == 1 and dataset.task == "regression"
        shape = (dataset.name, dataset.num_features, dataset.task)
        if shape != self._data_shape:  # an old prediction is of other data (an added point keeps it)
            self._data_shape = shape
            self.clear_prediction()
        self.task = dataset.task
        if dataset.num_features != 2 and not self.one_d:
            self._show_placeholder(
                f"The decision boundary is drawn for data with two inputs (and the fitted curve for regression on "
                f"one); {dataset.name} has {dataset.num_features}. {elsewhere}")
            return
        self._say("")
        self._show_plot(True)
        self._set_base_title()
        from core.data import split_indices

        parts = split_indices(dataset.y, dataset.task, data_config["val_fraction"], data_config["test_fraction"],
                              seed)
        names = dataset.feature_names
        if self.one_d:
            targets = dataset.target_names or ["target"]
            style_axes(self.plot, names[0], targets[0])
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

    def _show_placeholder(self, text: str) -> None:
        """Nothing to plot: the text alone, centred, without empty axes."""
        self._say(text)
        self._show_plot(False)
        self.clear_prediction()

    def _show_plot(self, shown: bool) -> None:
        """The plot with its toggles, or (not shown) the message alone, centred in all the room."""
        self.graphics.setVisible(shown)
        self.options.setVisible(shown)
        self._layout.setStretchFactor(self.message, 0 if shown else 1)

    def _set_base_title(self, step: int | None = None, epoch: int | None = None) -> None:
        # A prediction of saved weights (no run in this session: step 0) names no step: the file does not keep one.
        # A checkpoint's (a scrub) names its epoch.
        step = step if step else None
        name = "Fitted curve" if self.one_d else ("Decision boundary" if self.task == "classification"
                                                  else "Fitted surface")
        when = f"epoch {epoch:,}" if epoch is not None else f"step {step:,}" if step is not None else None
        set_title(self.plot, name if when is None else f"{name} ({when})")

    # --- the prediction -------------------------------------------------------------------------------------------
    def clear_prediction(self) -> None:
        self.prediction = None
        self.image.clear()
        self.curve.setData([], [])
        self._set_base_title()  # no step: the title must not name a run whose prediction is gone

    def _redraw(self) -> None:
        prediction = self.prediction
        if prediction is None or self.graphics.isHidden():  # (a placeholder is shown instead)
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
            if self.discretize.isChecked():
                scaled = banded(scaled)
            rgb = (cmap.map(scaled.ravel(), mode="float")[:, :3].reshape(values.shape + (3,)) * 255)
            rgb = (255 - 0.55 * (255 - rgb)).astype(np.uint8)  # lighter, so the points stay visible
        elif self.discretize.isChecked():
            rgb = discrete_class_image(outputs)
        else:
            rgb = probability_image(outputs)
        self.image.setImage(rgb.transpose(1, 0, 2), autoLevels=False)  # [y, x] rows → the item's [x, y]
        dx = (grid.x_max - grid.x_min) / max(1, grid.resolution - 1)
        dy = (grid.y_max - grid.y_min) / max(1, grid.resolution - 1)
        self.image.setRect(QRectF(grid.x_min - dx / 2, grid.y_min - dy / 2, grid.x_max - grid.x_min + dx,
                                  grid.y_max - grid.y_min + dy))
        self._set_base_title(prediction.step, prediction.epoch)

    def _draw_curve(self, prediction: GridPrediction) -> None:
        """1-D regression: the prediction along the input axis, over the points (input, target)."""
        grid = prediction.grid
        xs = np.linspace(grid.x_min, grid.x_max, grid.resolution)
        self.image.clear()
        self.curve.setData(xs, prediction.outputs.reshape(grid.resolution, -1)[:, 0])
        self._set_base_title(prediction.step, prediction.epoch)
