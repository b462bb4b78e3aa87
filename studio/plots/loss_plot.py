"""`LossPlot`: training and validation loss (per batch and per epoch), the metric, and the learning rate, live.

Three plots share the epoch axis: loss (log-scale toggle, smoothing slider, the early-stopping best epoch, the
divergence point and the training doctor's findings marked), the metric (accuracy or R²) and the learning rate
(log axis). An `AdaptiveLayout` shows them one at a time with a "Loss | Accuracy | LR" selector in a small dock,
side by side or stacked in a large one. A one-line coloured key above the plots gives the newest figures (no legend covers the curves).
Every series is one curve over a bounded `SeriesBuffer`, so 100,000 steps cost no more to draw than 10,000.
Each doctor finding is a vertical line at its epoch, labelled with the problem; hovering it shows the evidence,
and the Doctor dock's card highlights it (`highlight_finding`).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QCheckBox, QLabel, QSizePolicy, QSlider, QWidget

from core.training.snapshot import Snapshot
from studio.plots.adaptive_layout import AdaptiveLayout
from studio.plots.log_axis import readable_axes
from studio.plots.loss_summary import LEARNING_RATE, LOSS, METRIC, metric_title, summary_html
from studio.plots.plot_style import (
    BEST_COLOUR, DIVERGED_COLOUR, LR_COLOUR, TRAIN_COLOUR, VALIDATION_COLOUR, controls_row, faded, follow_runs,
    LIVE_DOWNSAMPLE_FACTOR, make_live_curve, pen, run_active, show_axes, stack_panel, style_axes,
)
from studio.plots.redraw_throttle import RedrawThrottle
from studio.plots.series_buffer import SeriesBuffer
from studio.plots.stepped_range import step_auto_range

if TYPE_CHECKING:
    from studio.training.controller import TrainingController
    from studio.training.worker import WorkerUpdate

# Points kept of the per-batch series (every batch arrives; the buffers decimate evenly beyond this): more than a
# point per pixel of a wide dock. Drawing two 10,000-point batch curves made a 600-px loss plot's redraw ~1.5
# times as long as with 2,000 (measured); the per-epoch curves keep `capacity`.
BATCH_CAPACITY = 2_000
MAX_SYMBOLS = 40  # per-epoch points drawn with dots up to this many epochs
FINDING_COLOUR = "#b0479e"  # the doctor's markers: magenta, apart from the curves, best (green) and diverged (red)
KEY_TIP = ("Thin line: training loss per batch (smoothed; the faint line is raw). Thick lines with dots: the "
           "mean per epoch. Dashed green line: early stopping's best epoch.")


class LossPlot(QWidget):
    """Loss, metric and learning-rate curves of the current run, fed by the controller's ordered updates."""

    def __init__(self, controller: TrainingController | None = None, parent: QWidget | None = None,
                 capacity: int = 10_000):
        super().__init__(parent)
        self.setObjectName("LossPlot")
        batch_capacity = min(capacity, BATCH_CAPACITY)
        self.batch_loss = SeriesBuffer(batch_capacity)
        self.batch_loss_smoothed = SeriesBuffer(batch_capacity)  # decimated in lockstep with batch_loss
        self.epoch_train_loss = SeriesBuffer(capacity)
        self.epoch_val_loss = SeriesBuffer(capacity)
        self.epoch_train_metric = SeriesBuffer(capacity)
        self.epoch_val_metric = SeriesBuffer(capacity)
        self.learning_rate = SeriesBuffer(capacity)
        self._ema: float | None = None
        self._symbols_shown = True
        self._lr_range: tuple[float, float] | None = None
        self.last_epoch: Snapshot | None = None  # the newest epoch snapshot: the key's figures
        self.latest: Snapshot | None = None
        self.best_epoch: int | None = None
        self.diverged_at: float | None = None
        self.test_score: tuple[float, float] | None = None  # (loss, metric) on the test set, once a run ends
        self.finding_lines: dict[str, pg.InfiniteLine] = {}  # the doctor's markers, by problem
        self.highlighted: str | None = None
        self._controller = controller
        self._build()
        self.throttle = RedrawThrottle(self, self._redraw, max_per_second=6)
        if controller is not None:
            follow_runs(controller, self.clear, self.add_update)
            controller.finished.connect(self._on_run_finished)
            controller.finding_selected.connect(self.highlight_finding)

    # -- layout -------------------------------------------------------------------------------------------------
    def _build(self) -> None:
        self.graphics = pg.GraphicsLayoutWidget()
        self.loss_plot = self.graphics.addPlot(row=0, col=0, axisItems=readable_axes())
        self.metric_plot = self.graphics.addPlot(row=1, col=0, axisItems=readable_axes())
        self.lr_plot = self.graphics.addPlot(row=2, col=0, axisItems=readable_axes())
        self.arrangement = AdaptiveLayout(
            self.graphics, [self.loss_plot, self.metric_plot, self.lr_plot], names=["Loss", "Accuracy", "LR"],
            weights=[2, 1, 1], main_spans_rows=True, min_plot_size=(200, 120),
            tips=["Training and validation loss", "The metric per epoch", "The learning rate (log scale)"])
        self.arrangement.mode_changed.connect(self._on_arrangement_changed)  # the selector's choice included
        for plot in (self.metric_plot, self.lr_plot):
            plot.setXLink(self.loss_plot)
        style_axes(self.loss_plot, "Epoch", "Loss")
        style_axes(self.metric_plot, "Epoch", "Accuracy")
        style_axes(self.lr_plot, "Epoch", "Learning rate")
        self.lr_plot.setLogMode(y=True)  # schedules are multiplicative; a constant rate stays a readable line
        self.lr_plot.enableAutoRange(y=False)  # at least a decade is shown (see _fit_lr_range)
        for plot in (self.loss_plot, self.metric_plot):  # axes that stay put between most redraws
            step_auto_range(plot)
        self.raw_batch_curve = self.loss_plot.plot([], [], pen=pg.mkPen(faded(TRAIN_COLOUR, 70), width=1),
                                                   autoDownsampleFactor=LIVE_DOWNSAMPLE_FACTOR)
        self.raw_batch_curve.setClipToView(True)
        self.raw_batch_curve.setDownsampling(auto=True, method="peak")
        self.batch_curve = make_live_curve(self.loss_plot, TRAIN_COLOUR, None, width=1.0)
        self.epoch_train_curve = make_live_curve(self.loss_plot, TRAIN_COLOUR, None, width=2.5, symbol="o")
        self.epoch_val_curve = make_live_curve(self.loss_plot, VALIDATION_COLOUR, None, width=2.5, symbol="o")
        self.train_metric_curve = make_live_curve(self.metric_plot, TRAIN_COLOUR, None, symbol="o")
        self.val_metric_curve = make_live_curve(self.metric_plot, VALIDATION_COLOUR, None, symbol="o")
        self.lr_curve = make_live_curve(self.lr_plot, LR_COLOUR, None)
        self.best_lines = [self._marker(plot, BEST_COLOUR, "best", dashed=True)
                           for plot in (self.loss_plot, self.metric_plot)]
        self.best_line = self.best_lines[0]
        self.diverged_line = self._marker(self.loss_plot, DIVERGED_COLOUR, "diverged", dashed=False)

        self.log_scale = QCheckBox("Log")
        self.log_scale.setToolTip("Show the loss on a logarithmic axis: late, small improvements stay visible.")
        self.log_scale.toggled.connect(self._on_log_scale_toggled)
        self.smoothing = QSlider(Qt.Orientation.Horizontal)
        self.smoothing.setRange(0, 99)
        self.smoothing.setValue(60)
        self.smoothing.setMinimumWidth(50)
        self.smoothing.setMaximumWidth(140)
        self.smoothing.valueChanged.connect(self._on_smoothing_changed)
        self.smoothing_label = QLabel("Smooth")
        controls = controls_row(self.arrangement.selector)
        controls.addStretch(1)
        controls.addWidget(self.log_scale)
        controls.addWidget(self.smoothing_label)
        controls.addWidget(self.smoothing, 1)
        self.key = QLabel("")
        self.key.setTextFormat(Qt.TextFormat.RichText)
        self.key.setToolTip(KEY_TIP)
        # Fixed height, width from the dock: a label that resized with its text would re-lay out the window.
        self.key.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.key.setFixedHeight(self.key.fontMetrics().height() + 2)
        stack_panel(self, controls, self.key, graphics=self.graphics)
        self._on_smoothing_changed(self.smoothing.value())

    @staticmethod
    def _marker(plot: pg.PlotItem, colour: str, label: str, dashed: bool) -> pg.InfiniteLine:
        line = pg.InfiniteLine(angle=90, movable=False, pen=pen(colour, 1.5, dashed=dashed), label=label,
                               labelOpts={"position": 0.92, "color": colour, "anchors": [(1, 0), (1, 0)]})
        line.setVisible(False)
        plot.addItem(line, ignoreBounds=True)
        return line

    # -- feeding ------------------------------------------------------------------------------------------------
    @property
    def smoothing_factor(self) -> float:
        return self.smoothing.value() / 100.0

    def clear(self) -> None:
        for buffer in self._buffers():
            buffer.clear()
        self._ema = None
        self._lr_range = None
        self.best_epoch, self.diverged_at = None, None
        self.last_epoch, self.latest = None, None
        self.test_score = None
        for line in (*self.best_lines, self.diverged_line):
            line.setVisible(False)
        for line in self.finding_lines.values():
            self.loss_plot.removeItem(line)
        self.finding_lines, self.highlighted = {}, None
        self._redraw()

    def add_update(self, update: WorkerUpdate) -> None:
        """Add what a worker update brings, in its order: the epoch points, then the newest snapshot with every
        step's loss since the previous update."""
        self.add_epochs(update.epochs)
        if update.latest is not None:
            self.add_snapshot(update.latest, update.batch_losses, update.batch_loss_steps())
        for finding in update.findings:
            self.add_finding(finding)

    def add_finding(self, finding: Any) -> None:
        """Mark a doctor finding (core.diagnostics.Finding) at its epoch; its tooltip gives the evidence."""
        from studio.plots.finding_text import SHORT_TITLES, TITLES, evidence_text
        if finding.problem in self.finding_lines:
            return
        # Labels of findings at nearby epochs would overlap: each new one a little lower.
        position = 0.85 - 0.1 * (len(self.finding_lines) % 5)
        line = pg.InfiniteLine(pos=float(finding.epoch), angle=90, movable=False,
                               pen=pen(FINDING_COLOUR, 1.5, dashed=True), label=SHORT_TITLES[finding.problem],
                               labelOpts={"position": position, "color": FINDING_COLOUR,
                                          "anchors": [(0, 0), (0, 0)], "fill": (255, 255, 255, 200)})
        where = f" in {finding.layer}" if finding.layer else ""
        tip = (f"<b>{TITLES[finding.problem]}</b>{where}, epoch {finding.epoch}<br>{finding.message}<br>"
               f"<i>{evidence_text(finding.evidence)}</i>")
        line.setToolTip(tip)
        line.label.setToolTip(tip)
        line.setZValue(10)
        self.loss_plot.addItem(line, ignoreBounds=True)
        self.finding_lines[finding.problem] = line
        if finding.problem == self.highlighted:
            self.highlight_finding(finding.problem)

    def highlight_finding(self, problem: str) -> None:
        """Draw this problem's marker bold (the Doctor dock's card was clicked); the others plain."""
        self.highlighted = problem
        for name, line in self.finding_lines.items():
            chosen = name == problem
            line.setPen(pen(FINDING_COLOUR, 3.5 if chosen else 1.5, dashed=not chosen))
            # Above the curves; the bold one beneath the other markers, whose labels it would otherwise cover.
            line.setZValue(5 if chosen else 10)

    def add_snapshot(self, snapshot: Snapshot, losses: np.ndarray | None = None,
                     steps: np.ndarray | None = None) -> None:
        """Add one snapshot's batch losses (`losses` at `steps`, by default its own) and learning rate; epoch
        points come through `add_epochs`."""
        self.add_batch_point(snapshot, losses, steps)
        self.latest = snapshot
        self._mark(snapshot)
        self.throttle.request()

    def _mark(self, snapshot: Snapshot) -> None:
        """Move the best-epoch and divergence markers."""
        if snapshot.best_epoch is not None and snapshot.best_epoch != self.best_epoch:
            self.best_epoch = snapshot.best_epoch
            for line in self.best_lines:
                line.setValue(snapshot.best_epoch)
                line.setVisible(True)
        if snapshot.diverged:
            self.diverged_at = _epoch_position(snapshot)
            self.diverged_line.setValue(self.diverged_at)
            self.diverged_line.label.setFormat(f"diverged ({snapshot.diverged_layer or 'loss'})")
            self.diverged_line.setVisible(True)

    def add_batch_point(self, snapshot: Snapshot, losses: np.ndarray | None = None,
                        steps: np.ndarray | None = None) -> None:
        """Add the loss of every step given (`losses` at `steps`: a worker update's, each step since the previous
        update, whatever the snapshot's kind; by default the snapshot's own `batch_losses`), each at its own step;
        without any, the snapshot's newest batch's loss."""
        if losses is None or steps is None:
            losses, steps = snapshot.batch_losses, snapshot.batch_loss_steps()
        if losses is None:
            if snapshot.kind != "batch" or snapshot.step <= 0:
                return
            losses, steps = np.array([snapshot.train_loss], np.float64), np.array([snapshot.step])
        finite = np.isfinite(losses)
        if not finite.all():
            losses, steps = losses[finite], steps[finite]
        if len(losses):
            x = steps / max(1, snapshot.batches_per_epoch)
            self.batch_loss.extend(x, losses)
            self.batch_loss_smoothed.extend(x, self._smooth_all(losses))
        if snapshot.kind == "batch" and snapshot.step > 0:
            self._add_learning_rate(_epoch_position(snapshot), snapshot.lr)

    def _add_learning_rate(self, x: float, lr: float) -> None:
        """The learning rate comes with batch and epoch snapshots, in step order (each update: its epochs, then its
        newest snapshot); a point not past the newest (an epoch's end after a batch snapshot at its last step) is
        skipped, so the line never draws back over itself."""
        last = self.learning_rate.last()
        if math.isfinite(lr) and (last is None or x > last[0]):
            self.learning_rate.append(x, float(lr))

    def add_epochs(self, snapshots: list[Snapshot]) -> None:
        """Add the per-epoch points (each carries the epoch's mean loss, validation loss and metrics). A fast run
        brings a hundred epochs or more per update: each run of "epoch" snapshots is added to each series in one
        `SeriesBuffer.extend` (the same points as one append each, for a few array operations)."""
        epochs: list[Snapshot] = []
        for s in snapshots:
            if s.kind == "epoch":
                epochs.append(s)
                continue
            self._add_epoch_points(epochs)
            epochs = []
            if s.kind == "end" and not self._has_epoch(s.epoch):
                self._add_epoch_points([s])
        self._add_epoch_points(epochs)
        if snapshots:
            self._mark(snapshots[-1])
            self.throttle.request()

    def _add_epoch_points(self, snapshots: list[Snapshot]) -> None:
        """Snapshots' figures at their epochs (those in order: "epoch" snapshots, or one "end"); the learning rate
        of the "epoch" ones."""
        if not snapshots:
            return
        x = np.array([s.epoch for s in snapshots], np.float64)
        for buffer, name in ((self.epoch_train_loss, "train_loss"), (self.epoch_val_loss, "val_loss"),
                             (self.epoch_train_metric, "train_metric"), (self.epoch_val_metric, "val_metric")):
            values = np.array([_value_or_nan(getattr(s, name)) for s in snapshots], np.float64)
            finite = np.isfinite(values)
            buffer.extend(x[finite], values[finite])
        if snapshots[0].kind == "epoch":  # (epochs in order: past the newest rate point once, past it for good)
            rates = np.array([_value_or_nan(s.lr) for s in snapshots], np.float64)
            last = self.learning_rate.last()
            keep = np.isfinite(rates) & (x > last[0] if last is not None else True)
            self.learning_rate.extend(x[keep], rates[keep])
        if snapshots[-1].epoch >= 1:  # (epochs count up: the last one is the newest counted)
            self.last_epoch = snapshots[-1]

    def _on_run_finished(self, _snapshot: Snapshot) -> None:
        result = self._controller.last_result if self._controller is not None else None
        self.set_test_score(result.test_score if result is not None else None)

    def set_test_score(self, score: tuple[float, float] | None) -> None:
        """Show the held-out test set's (loss, metric) in the key, as a run's final word."""
        self.test_score = score
        self._update_key()

    def _has_epoch(self, epoch: int) -> bool:
        last = self.epoch_train_loss.last()
        return last is not None and last[0] == float(epoch)

    def _smooth_all(self, values: np.ndarray) -> np.ndarray:
        """Exponential moving average of the values in order, continuing from the previous ones and started at the
        first value (so the curve does not rise from zero). A plain loop: ~0.1 µs a value."""
        a, ema = self.smoothing_factor, self._ema
        b = 1.0 - a
        smoothed = values.tolist()
        for i, value in enumerate(smoothed):
            ema = value if ema is None else a * ema + b * value
            smoothed[i] = ema
        self._ema = ema
        return np.array(smoothed, np.float64)

    # -- drawing ------------------------------------------------------------------------------------------------
    def _buffers(self) -> tuple[SeriesBuffer, ...]:
        return (self.batch_loss, self.batch_loss_smoothed, self.epoch_train_loss, self.epoch_val_loss,
                self.epoch_train_metric, self.epoch_val_metric, self.learning_rate)

    def shown_plots(self) -> tuple[int, ...]:
        """Which of LOSS, METRIC, LEARNING_RATE are on screen."""
        return tuple(i for i, plot in enumerate(self.arrangement.plots) if self.arrangement.is_shown(plot))

    def _redraw(self) -> None:
        """Hand the newest data to the curves of the plots on show. A plot behind the selector gets its data when
        it is shown (`_on_arrangement_changed`): a curve's setData, and its view's auto-range, cost even unseen."""
        shown = self.shown_plots()
        show_axes(self.arrangement.plots, len(self.epoch_train_loss) > 0 or len(self.batch_loss) > 0
                  or run_active(self._controller))
        self._show_symbols(len(self.epoch_train_loss) <= MAX_SYMBOLS)
        if LOSS in shown:
            smoothed = self.smoothing_factor > 0
            # Per-batch lines only when they say more than the per-epoch means (counted before decimation): with
            # every batch's loss they always do; snapshots without `batch_losses` give one point per update, which
            # in a fast run is one every few epochs, and straight lines between them.
            batches = self.batch_loss.appended >= self.epoch_train_loss.appended
            raw = self.batch_loss if smoothed and batches else None
            line = (self.batch_loss_smoothed if smoothed else self.batch_loss) if batches else None
            for curve, source in ((self.raw_batch_curve, raw), (self.batch_curve, line)):
                curve.setData(*((source.x, source.y) if source is not None else ([], [])))
            self.epoch_train_curve.setData(self.epoch_train_loss.x, self.epoch_train_loss.y)
            self.epoch_val_curve.setData(self.epoch_val_loss.x, self.epoch_val_loss.y)
        if METRIC in shown:
            self.train_metric_curve.setData(self.epoch_train_metric.x, self.epoch_train_metric.y)
            self.val_metric_curve.setData(self.epoch_val_metric.x, self.epoch_val_metric.y)
        if LEARNING_RATE in shown:
            self.lr_curve.setData(self.learning_rate.x, self.learning_rate.y)
            self._fit_lr_range()
        self._update_key()

    def _update_key(self) -> None:
        metric = metric_title(self.last_epoch.metric_name if self.last_epoch else None)
        if self.last_epoch is not None and metric != self.metric_plot.getAxis("left").labelText:
            # Only on a change: a label set re-lays out the axis (a millisecond per redraw, measured).
            self.arrangement.selector.set_name(METRIC, metric)
            self.metric_plot.setLabel("left", metric)
        text = summary_html(self.shown_plots(), self.last_epoch, self.latest, self.test_score)
        if self._too_wide(text):  # the figures matter more than the words: "val" for "validation"
            text = summary_html(self.shown_plots(), self.last_epoch, self.latest, self.test_score, compact=True)
        if text != self.key.text():
            self.key.setText(text)
            # A small dock cuts the line short (the test figures come last): hovering shows every figure.
            self.key.setToolTip(f"{text}<br><br>{KEY_TIP}" if text else KEY_TIP)

    def _too_wide(self, html: str) -> bool:
        document = QTextDocument()
        document.setDefaultFont(self.key.font())
        document.setHtml(html)
        return document.idealWidth() > self.key.width()

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._update_key()  # a narrower dock may want the compact key, a wider one the full words

    def _fit_lr_range(self) -> None:
        """Show at least one decade around the learning rate: a constant rate is a line with two labelled
        ticks, not an axis zoomed into rounding noise."""
        values = self.learning_rate.y
        values = values[values > 0]
        if not values.size:
            return
        low, high = math.log10(float(values.min())), math.log10(float(values.max()))
        centre, half = (low + high) / 2, max(0.5, (high - low) / 2 + 0.15)
        lr_range = (round(centre - half, 3), round(centre + half, 3))
        if lr_range != self._lr_range:
            self._lr_range = lr_range
            self.lr_plot.setYRange(*lr_range, padding=0)

    def _show_symbols(self, on: bool) -> None:
        """Dots on the per-epoch points while there are few; drawing hundreds of them costs more than the lines."""
        if on != self._symbols_shown:
            self._symbols_shown = on
            for curve in (self.epoch_train_curve, self.epoch_val_curve, self.train_metric_curve,
                          self.val_metric_curve):
                curve.setSymbol("o" if on else None)

    def _on_arrangement_changed(self, *_args: Any) -> None:
        self._redraw()  # a plot that comes into view gets the data it missed while hidden

    def _on_log_scale_toggled(self, on: bool) -> None:
        self.loss_plot.setLogMode(y=on)

    def _on_smoothing_changed(self, value: int) -> None:
        self.smoothing.setToolTip(f"Exponential smoothing of the per-batch loss: {value / 100:.2f} "
                                  "(0 = raw, 0.99 = very smooth)")
        self._resmooth()
        self._redraw()

    def _resmooth(self) -> None:
        """Recompute the smoothed series from the stored raw points after the slider moved (≤ capacity points)."""
        self.batch_loss_smoothed.clear()
        self._ema = None
        self.batch_loss_smoothed.extend(self.batch_loss.x, self._smooth_all(self.batch_loss.y))
        # Match the raw buffer's decimation so both stay in lockstep for the points still to come.
        self.batch_loss_smoothed.follow_decimation(self.batch_loss)


def _value_or_nan(value: float | None) -> float:
    return math.nan if value is None else float(value)


def _epoch_position(snapshot: Snapshot) -> float:
    """Where a snapshot lies on the epoch axis: 2.5 = halfway through the third epoch."""
    per_epoch = max(1, snapshot.batches_per_epoch)
    return snapshot.step / per_epoch
