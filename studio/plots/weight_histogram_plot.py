"""`WeightHistogramPlot`: how one layer's weights (or gradients) are distributed now, and how that evolved.

Top: the newest histogram. Bottom: the distribution over time as a heatmap (time × value), TensorBoard-style.
Each histogram arrives with its own bin edges; the heatmap re-bins every stored one onto a shared value axis
(by interpolating the cumulative counts), so a widening distribution shows as a widening band. History is
bounded: when full, every other stored histogram is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from core.training.snapshot import Histogram, Snapshot
from studio.plots.plot_style import TRAIN_COLOUR, faded, style_axes, set_title
from studio.plots.redraw_throttle import RedrawThrottle

HEATMAP_BINS = 60
MAX_STORED = 400  # histograms kept per layer and kind


@dataclass
class _Sample:
    x: float  # position on the epoch axis
    counts: np.ndarray
    edges: np.ndarray


def rebin(counts: np.ndarray, edges: np.ndarray, grid_edges: np.ndarray) -> np.ndarray:
    """Counts re-distributed onto `grid_edges`, assuming values are spread evenly within each source bin."""
    cumulative = np.concatenate([[0.0], np.cumsum(counts, dtype=float)])
    return np.diff(np.interp(grid_edges, edges, cumulative))


class WeightHistogramPlot(QWidget):
    KINDS = {"Weights": "weight_histograms", "Gradients": "grad_histograms"}

    def __init__(self, controller: Any = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("WeightHistogramPlot")
        self.layer_names: list[str] = []
        self.samples: dict[str, list[list[_Sample]]] = {key: [] for key in self.KINDS.values()}
        self._build()
        self.throttle = RedrawThrottle(self, self._redraw, max_per_second=2)
        if controller is not None:
            controller.run_started.connect(self.clear)
            controller.weights_reset.connect(self.clear)
            controller.snapshot.connect(self.add_snapshot)
            controller.epochs_recorded.connect(lambda snaps: [self.add_snapshot(s) for s in snaps])

    def _build(self) -> None:
        self.layer_box = QComboBox()
        self.layer_box.setToolTip("Which layer's values to show")
        self.layer_box.currentIndexChanged.connect(self._redraw)
        self.kind_box = QComboBox()
        self.kind_box.addItems(list(self.KINDS))
        self.kind_box.setToolTip("Weights, or the gradients of the weights")
        self.kind_box.currentIndexChanged.connect(self._redraw)
        controls = QHBoxLayout()
        controls.addWidget(QLabel("Layer"))
        controls.addWidget(self.layer_box, 1)
        controls.addWidget(self.kind_box)
        self.graphics = pg.GraphicsLayoutWidget()
        self.now_plot = self.graphics.addPlot(row=0, col=0, title="Now")
        self.time_plot = self.graphics.addPlot(row=1, col=0, title="Over time")
        self.graphics.ci.layout.setRowStretchFactor(1, 2)
        style_axes(self.now_plot, "Value", "Count")
        style_axes(self.time_plot, "Epoch", "Value")
        self.now_curve = self.now_plot.plot([], [], stepMode="center", fillLevel=0,
                                            brush=faded(TRAIN_COLOUR, 120), pen=pg.mkPen(TRAIN_COLOUR, width=1.5))
        self.image = pg.ImageItem(axisOrder="col-major")  # image[time, value bin]
        self.image.setColorMap(pg.colormap.get("viridis"))
        self.time_plot.addItem(self.image)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(controls)
        layout.addWidget(self.graphics, 1)

    @property
    def kind_key(self) -> str:
        return self.KINDS[self.kind_box.currentText()]

    def clear(self) -> None:
        self.layer_names = []
        self.samples = {key: [] for key in self.KINDS.values()}
        self.layer_box.blockSignals(True)
        self.layer_box.clear()
        self.layer_box.blockSignals(False)
        self._redraw()

    def add_snapshot(self, snapshot: Snapshot) -> None:
        if snapshot.weight_histograms is None and snapshot.grad_histograms is None:
            return
        names = list(snapshot.layer_names)
        if names != self.layer_names:
            self._start_layers(names)
        x = snapshot.step / max(1, snapshot.batches_per_epoch)
        for key in self.KINDS.values():
            histograms: list[Histogram] | None = getattr(snapshot, key)
            if histograms is None:
                continue
            for stored, h in zip(self.samples[key], histograms):
                if stored and stored[-1].x == x:
                    continue  # the same step arrived as a batch and as an epoch snapshot
                stored.append(_Sample(x, np.asarray(h.counts), np.asarray(h.edges, dtype=float)))
                if len(stored) > MAX_STORED:
                    del stored[1::2]
        self.throttle.request()

    def _start_layers(self, names: list[str]) -> None:
        current = self.layer_box.currentIndex()
        self.layer_names = names
        self.samples = {key: [[] for _ in names] for key in self.KINDS.values()}
        self.layer_box.blockSignals(True)
        self.layer_box.clear()
        self.layer_box.addItems(names)
        self.layer_box.setCurrentIndex(current if 0 <= current < len(names) else 0)
        self.layer_box.blockSignals(False)

    def current_samples(self) -> list[_Sample]:
        index = self.layer_box.currentIndex()
        layers = self.samples.get(self.kind_key, [])
        return layers[index] if 0 <= index < len(layers) else []

    def heatmap(self) -> tuple[np.ndarray, QRectF] | None:
        """The (time × value-bin) image, each column scaled to its own maximum, and where it lies."""
        samples = [s for s in self.current_samples() if s.counts.sum() > 0]
        if not samples:
            return None
        low = min(float(s.edges[0]) for s in samples)
        high = max(float(s.edges[-1]) for s in samples)
        if high <= low:
            high = low + 1e-6
        grid = np.linspace(low, high, HEATMAP_BINS + 1)
        image = np.stack([rebin(s.counts, s.edges, grid) for s in samples])
        image /= np.maximum(image.max(axis=1, keepdims=True), 1e-12)
        # Column i covers (x_i - step, x_i]: each histogram is drawn up to the moment it was taken.
        x0, x1 = samples[0].x, samples[-1].x
        step = (x1 - x0) / (len(samples) - 1) if len(samples) > 1 and x1 > x0 else 1.0
        return image, QRectF(x0 - step, low, (x1 - x0) + step, high - low)

    def _redraw(self) -> None:
        samples = self.current_samples()
        if not samples:
            self.now_curve.setData([], [])
            self.image.clear()
            return
        newest = samples[-1]
        self.now_curve.setData(newest.edges, newest.counts.astype(float))
        result = self.heatmap()
        if result is not None:
            image, rect = result
            self.image.setImage(image, autoLevels=False, levels=(0.0, 1.0))
            self.image.setRect(rect)
        name = self.layer_names[self.layer_box.currentIndex()] if self.layer_names else ""
        what = self.kind_box.currentText().lower()
        set_title(self.now_plot, f"{name}: {what} now")
        set_title(self.time_plot, f"{name}: {what} over time (each column scaled to its peak)")
