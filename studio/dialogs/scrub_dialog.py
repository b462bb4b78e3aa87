"""Scrub: a timeline slider over a recorded run's checkpoints; the decision boundary, the weights and the gradient
flow follow it (issue #15 §2).

    ScrubDialog(store_path, run_id, parent).open()      # the Runs dock and Training → Scrub last run… open it

The slider has one tick per point of the run's timeline: the initial weights (epoch 0) and every checkpoint the
store kept (every N epochs, plus the best). Play steps through them. Every computation runs on the
`ScrubLoader`'s thread (the store read, the data loaded again with its hash checked, a forward and backward pass
per checkpoint); the newest slider position wins, so dragging stays smooth. The three views are the studio's own:
- `DecisionBoundaryPlot`, fed the run's data points and the checkpoint's `GridPrediction` (for data with other
  than two inputs it says so in a line instead);
- `CheckpointWeightsPlot`: a layer's W as a matrix and a histogram, one scale for the whole run;
- `GradientFlowPlot`: the bars are this checkpoint's gradient per layer (on a fixed batch of training rows: batch
  norm in training mode, fixed dropout masks), "over time" is the same figure at every checkpoint of the run, with
  a line at the one shown.
A run that can't be scrubbed (its data changed, a damaged store) is one line in the dialog, nothing else.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING

import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QPushButton, QSlider, QSplitter,
                               QVBoxLayout, QWidget)

from studio.dialogs.scrub_loader import ScrubLoader
from studio.plots.checkpoint_weights_plot import CheckpointWeightsPlot
from studio.plots.decision_boundary_plot import DecisionBoundaryPlot
from studio.plots.gradient_flow_plot import GradientFlowPlot
from studio.plots.plot_style import pen

if TYPE_CHECKING:
    from core.scrub import CheckpointView, ScrubRun
    from core.training.snapshot import Snapshot

PLAY_INTERVAL_MS = 350  # one checkpoint per this long while playing (once the previous one is drawn)
CURSOR_COLOUR = "#7f7f7f"


def _figure(value: float | None) -> str:
    return "–" if value is None else f"{value:.4g}"


class ScrubDialog(QDialog):
    def __init__(self, store_path: Path, run_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("ScrubDialog")
        self.setWindowTitle(f"Scrub run {run_id}")
        self.store_path, self.run_id = Path(store_path), int(run_id)
        self.run: ScrubRun | None = None  # read-only here: the loader's thread owns it
        self.epochs: list[int] = []
        self.shown: CheckpointView | None = None
        self._build()
        self.play_timer = QTimer(self)
        self.play_timer.setInterval(PLAY_INTERVAL_MS)
        self.play_timer.timeout.connect(self._on_play_tick)
        self.loader = ScrubLoader(self.store_path, self.run_id, self)
        self.loader.opened.connect(self._on_opened)
        self.loader.failed.connect(self._on_failed)
        self.loader.view_ready.connect(self._on_view)
        self.loader.view_failed.connect(self._on_view_failed)
        self.loader.timeline_ready.connect(self._on_timeline_point)
        self.loader.start()
        self.resize(1280, 640)

    # -- layout ---------------------------------------------------------------------------------------------------
    def _build(self) -> None:
        self.heading = QLabel(f"Opening run {self.run_id}…")
        self.heading.setObjectName("ScrubHeading")
        self.heading.setWordWrap(True)
        self.play_button = QPushButton("Play")
        self.play_button.setCheckable(True)
        self.play_button.setToolTip("Step through the checkpoints, from the one shown (from the start at the end)")
        self.play_button.toggled.connect(self._on_play_toggled)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setObjectName("ScrubSlider")
        self.slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.slider.setTickInterval(1)  # the slider counts timeline points: one tick per checkpoint
        self.slider.setPageStep(1)
        self.slider.setToolTip("The run's kept checkpoints, from the initial weights (epoch 0) to the last")
        self.slider.valueChanged.connect(self._on_slider_moved)
        self.epoch_label = QLabel("")
        sample = "Epoch 10,000 of 10,000 (best)"  # the label keeps its width as the epoch changes
        self.epoch_label.setMinimumWidth(self.epoch_label.fontMetrics().horizontalAdvance(sample))
        self.figures = QLabel("")  # the recorded figures at the epoch shown
        self.figures.setWordWrap(True)
        self.message = QLabel("")  # a refusal or a damaged checkpoint, one line
        self.message.setStyleSheet("color: #d62728")
        self.message.setWordWrap(True)
        self.message.hide()
        self.boundary = DecisionBoundaryPlot()
        self.weights = CheckpointWeightsPlot()
        self.gradients = GradientFlowPlot()
        self.gradients.hide_update_ratios()
        self.cursor = pg.InfiniteLine(angle=90, pen=pen(CURSOR_COLOUR, 1, dashed=True))
        self.cursor.hide()
        self.gradients.time_plot.addItem(self.cursor, ignoreBounds=True)
        self.views = QSplitter(Qt.Orientation.Horizontal)
        for view in (self.boundary, self.weights, self.gradients):
            self.views.addWidget(view)
        self.views.setSizes([420, 420, 420])
        self.views.setEnabled(False)
        self._set_controls_enabled(False)
        row = QHBoxLayout()
        row.addWidget(self.play_button)
        row.addWidget(self.slider, 1)
        row.addWidget(self.epoch_label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(row)
        layout.addWidget(self.figures)
        layout.addWidget(self.message)
        layout.addWidget(self.views, 1)
        layout.addWidget(buttons)

    def _set_controls_enabled(self, enabled: bool) -> None:
        for widget in (self.slider, self.play_button):
            widget.setEnabled(enabled)

    # -- the run --------------------------------------------------------------------------------------------------
    def _on_opened(self, run: ScrubRun) -> None:
        self.run = run
        summary = run.summary
        self.epochs = run.epochs
        stop = f", {summary.stop_reason}" if summary.stop_reason else ""
        name = summary.name if summary.name == f"run {summary.id}" else f"{summary.name} (run {summary.id})"
        self.heading.setText(f"<b>{html.escape(name)}</b>: {summary.epochs:,} epochs{stop}; "
                             f"{len(self.epochs) - 1} checkpoints kept. Gradients on a fixed batch of "
                             f"{run.data.batch_x.shape[0]:,} training rows.")
        data = run.data
        self.boundary.show_points(data.dataset, data.data_config, int(run.network.spec.training.seed),
                                  elsewhere="The weights and gradients beside it show how it learned.")
        self.weights.set_layers(list(run.network.layer_names), run.weight_limits)
        if data.grid is None:  # the boundary pane holds a line of text: give the plots the room
            self.views.setSizes([1, 2, 2])
        self.slider.blockSignals(True)
        self.slider.setRange(0, len(self.epochs) - 1)
        self.slider.setValue(len(self.epochs) - 1)  # open on the last checkpoint: where the run ended
        self.slider.blockSignals(False)
        self.views.setEnabled(True)
        self._set_controls_enabled(len(self.epochs) > 1)
        self._on_slider_moved(self.slider.value())

    def _on_failed(self, text: str) -> None:
        self.heading.setText(f"Run {self.run_id} can't be scrubbed.")
        self._say(text)
        self.views.setEnabled(False)
        self._set_controls_enabled(False)

    # -- the slider -----------------------------------------------------------------------------------------------
    @property
    def selected_epoch(self) -> int | None:
        index = self.slider.value()
        return self.epochs[index] if 0 <= index < len(self.epochs) else None

    def _on_slider_moved(self, index: int) -> None:
        epoch = self.selected_epoch
        if epoch is None:
            return
        point = next((p for p in self.run.timeline if p.epoch == epoch), None) if self.run is not None else None
        total = self.run.summary.epochs if self.run is not None else epoch
        note = "" if point is None else " (best)" if point.best else " (final weights)" if point.final else ""
        self.epoch_label.setText(f"Epoch {epoch:,} of {total:,}{note}")
        self.loader.request(epoch)

    def _on_play_toggled(self, playing: bool) -> None:
        self.play_button.setText("Pause" if playing else "Play")
        if playing:
            if self.slider.value() >= self.slider.maximum():
                self.slider.setValue(0)
            self.play_timer.start()
        else:
            self.play_timer.stop()

    def _on_play_tick(self) -> None:
        if self.shown is None or self.shown.epoch != self.selected_epoch:
            return  # the previous checkpoint is not drawn yet: wait for it rather than skip it
        if self.slider.value() >= self.slider.maximum():
            self.play_button.setChecked(False)
            return
        self.slider.setValue(self.slider.value() + 1)

    # -- the views ------------------------------------------------------------------------------------------------
    def _on_view(self, view: CheckpointView) -> None:
        self.shown = view
        if view.prediction is not None:
            self.boundary.set_prediction(view.prediction)
        self.weights.show_view(view)
        self.gradients.pin(view.snapshot())
        self.cursor.setValue(view.epoch)
        self.cursor.show()
        self._show_figures(view)
        if view.epoch == self.selected_epoch:
            self._say("")

    def _show_figures(self, view: CheckpointView) -> None:
        row = self.run.epoch_rows.get(view.epoch) if self.run is not None else None
        parts = [f"Epoch {view.epoch:,}" + (" (initial weights)" if view.epoch == 0 else "")]
        if row is not None:
            parts.append(f"training loss {_figure(row.train_loss)}")
            if row.val_loss is not None:
                parts.append(f"validation loss {_figure(row.val_loss)}")
            metric = self.run.summary.metric_name or "metric"
            if row.val_metric is not None:
                parts.append(f"validation {metric} {_figure(row.val_metric)}")
        parts.append(f"loss on the fixed batch {_figure(view.batch_loss)}")
        self.figures.setText(" · ".join(parts))

    def _on_view_failed(self, epoch: int | None, text: str) -> None:
        if epoch is None or epoch == self.selected_epoch:
            self._say(text)

    def _on_timeline_point(self, snapshot: Snapshot) -> None:
        self.gradients.add_snapshot(snapshot)

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    # -- closing --------------------------------------------------------------------------------------------------
    def done(self, result: int) -> None:  # noqa: D102 - QDialog's; every way of closing comes through here
        self.play_timer.stop()
        self.loader.close()
        super().done(result)

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.play_timer.stop()
        self.loader.close()
        super().closeEvent(event)
