"""`WeightHistogramPlot`: how one layer's weights (or gradients) are distributed now, and how that evolved.

"Now": the newest histogram the trainer sent. "Over time": TensorBoard's distribution view as a heatmap, epochs
along x (0 … N, one column per epoch) and values along y, each column scaled to its own peak; one `ImageItem`
updated with `setImage` + `setRect`. The Weights/Gradients switch changes both. An `AdaptiveLayout` shows the two
side by side, stacked, or one at a time, as the dock allows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QComboBox, QWidget

from core.training.snapshot import Histogram, Snapshot
from studio.plots.adaptive_layout import AdaptiveLayout
from studio.plots.histogram_history import HistogramHistory
from studio.plots.plot_style import (
    TRAIN_COLOUR, controls_row, faded, follow_runs, set_title, show_axes, stack_panel, style_axes,
)
from studio.plots.redraw_throttle import RedrawThrottle

if TYPE_CHECKING:
    from studio.training.controller import TrainingController
    from studio.training.worker import WorkerUpdate


class WeightHistogramPlot(QWidget):
    KINDS = {"Weights": "weight_histograms", "Gradients": "grad_histograms"}

    def __init__(self, controller: TrainingController | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("WeightHistogramPlot")
        self.layer_names: list[str] = []
        self.now: dict[str, list[Histogram]] = {}  # kind → the newest histogram of each layer
        self.now_step: dict[str, int] = {}
        self.history: dict[str, list[HistogramHistory]] = {}  # kind → per layer
        self._build()
        self.clear_data()
        show_axes(self.arrangement.plots, False)  # until there are histograms (see _redraw)
        self.throttle = RedrawThrottle(self, self._redraw, max_per_second=2)
        if controller is not None:
            controller.watch_histograms()  # from now on every run takes the heatmap's exact first columns
            follow_runs(controller, self.clear, self.add_update)
            self.add_snapshots(controller.epoch_records)  # built mid-run (a dock first shown late): catch up
            if controller.latest is not None:
                self.add_snapshot(controller.latest)

    def _build(self) -> None:
        self.layer_box = QComboBox()
        self.layer_box.setToolTip("Which layer's values to show")
        self.layer_box.currentIndexChanged.connect(self._redraw)
        self.kind_box = QComboBox()
        self.kind_box.addItems(list(self.KINDS))
        self.kind_box.setToolTip("Weights, or the gradients of the weights (of the last batch)")
        self.kind_box.currentIndexChanged.connect(self._redraw)
        self.graphics = pg.GraphicsLayoutWidget()
        self.now_plot = self.graphics.addPlot(row=0, col=0, title="Now")
        self.time_plot = self.graphics.addPlot(row=1, col=0, title="Over time")
        self.arrangement = AdaptiveLayout(
            self.graphics, [self.now_plot, self.time_plot], names=["Now", "Over time"], weights=[1, 2],
            min_plot_size=(200, 110),
            tips=["The newest histogram", "One column per epoch, each scaled to its peak (TensorBoard-style)"])
        style_axes(self.now_plot, "Value", "Count")
        style_axes(self.time_plot, "Epoch", "Value")
        self.now_curve = self.now_plot.plot([], [], stepMode="center", fillLevel=0,
                                            brush=faded(TRAIN_COLOUR, 120), pen=pg.mkPen(TRAIN_COLOUR, width=1.5))
        self.image = pg.ImageItem(axisOrder="col-major")  # image[epoch column, value bin]
        self.image.setColorMap(pg.colormap.get("viridis"))
        self.image.setToolTip("Each column: one epoch's distribution, scaled to its own peak (yellow)")
        self.time_plot.addItem(self.image)
        controls = controls_row(self.arrangement.selector)
        controls.addWidget(self.layer_box, 1)
        controls.addWidget(self.kind_box)
        stack_panel(self, controls, graphics=self.graphics)

    @property
    def kind_key(self) -> str:
        return self.KINDS[self.kind_box.currentText()]

    # -- feeding ------------------------------------------------------------------------------------------------
    def clear_data(self) -> None:
        self.now = {key: [] for key in self.KINDS.values()}
        self.now_step = {key: -1 for key in self.KINDS.values()}
        self.history = {key: [HistogramHistory() for _ in self.layer_names] for key in self.KINDS.values()}

    def clear(self) -> None:
        self.layer_names = []
        self.clear_data()
        self.layer_box.blockSignals(True)
        self.layer_box.clear()
        self.layer_box.blockSignals(False)
        self._redraw()

    def add_update(self, update: WorkerUpdate) -> None:
        """A worker update's snapshots in order: every epoch's (the heatmap's columns), then the newest."""
        self.add_snapshots([*update.epochs, *([update.latest] if update.latest is not None else [])])

    def add_snapshots(self, snapshots: list[Snapshot]) -> None:
        for snapshot in snapshots:
            self.add_snapshot(snapshot)

    def add_snapshot(self, snapshot: Snapshot) -> None:
        """Keep the newest histograms for "now"; at an epoch's end, add a column to the heatmap (from this
        snapshot's histograms, or the newest ones received if it carries none)."""
        names = list(snapshot.layer_names)
        if names and names != self.layer_names:
            self._start_layers(names)
        changed = False
        for key in self.KINDS.values():
            histograms: list[Histogram] | None = getattr(snapshot, key)
            if histograms is not None and snapshot.step >= self.now_step[key]:
                self.now[key], self.now_step[key] = list(histograms), snapshot.step
                changed = True
            if snapshot.kind in ("epoch", "end") and snapshot.epoch >= 1:
                source = histograms if histograms is not None else self.now[key]
                for history, h in zip(self.history[key], source):
                    history.add(snapshot.epoch, h.counts, h.edges)
                    changed = True
        if changed:
            self.throttle.request()

    def _start_layers(self, names: list[str]) -> None:
        current = self.layer_box.currentIndex()
        self.layer_names = names
        self.clear_data()
        self.layer_box.blockSignals(True)
        self.layer_box.clear()
        self.layer_box.addItems(names)
        self.layer_box.setCurrentIndex(current if 0 <= current < len(names) else 0)
        self.layer_box.blockSignals(False)

    def current_history(self) -> HistogramHistory | None:
        index = self.layer_box.currentIndex()
        layers = self.history.get(self.kind_key, [])
        return layers[index] if 0 <= index < len(layers) else None

    def current_now(self) -> Histogram | None:
        index = self.layer_box.currentIndex()
        layers = self.now.get(self.kind_key, [])
        return layers[index] if 0 <= index < len(layers) else None

    # -- drawing ------------------------------------------------------------------------------------------------
    def _redraw(self) -> None:
        newest = self.current_now()
        history = self.current_history()
        show_axes(self.arrangement.plots, newest is not None or (history is not None and history.last_epoch > 0))
        if newest is None:
            self.now_curve.setData([], [])
        else:
            self.now_curve.setData(np.asarray(newest.edges, dtype=float), np.asarray(newest.counts, dtype=float))
        result = history.image() if history is not None else None
        if result is None:
            self.image.clear()
        else:
            image, rect = result
            self.image.setImage(image, autoLevels=False, levels=(0.0, 1.0))
            self.image.setRect(rect)
        what = self.kind_box.currentText().lower()
        step = self.now_step.get(self.kind_key, -1)
        set_title(self.now_plot, f"{what.capitalize()} now" + (f" (step {step:,})" if step >= 0 else ""))
        epochs = history.last_epoch if history is not None else 0
        set_title(self.time_plot, f"{what.capitalize()} over {epochs} epochs" if epochs else
                  f"{what.capitalize()} over time")
