"""`TrainingStatus`: the status-bar widget: epoch, step, samples per second, time left, the test score at a
run's end and a progress bar.

It also offers `title_prefix()` ("[42%] ") for the main window's title while a run is active. Snapshots arrive
up to 20 times a second, but the widget shows the newest at most `REFRESH_PER_SECOND` times a second: faster
figures can't be read, and each refresh costs the GUI thread (QProgressBar repaints synchronously).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QWidget

from core.training.snapshot import Snapshot
from studio.plots.loss_summary import test_score_text
from studio.plots.plot_style import fix_label_size
from studio.plots.redraw_throttle import RedrawThrottle

if TYPE_CHECKING:
    from studio.training.controller import TrainingController
    from studio.training.worker import WorkerUpdate

REFRESH_PER_SECOND = 5


def format_duration(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class TrainingStatus(QWidget):
    def __init__(self, controller: TrainingController, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("TrainingStatus")
        self.controller = controller
        self.label = QLabel("Ready to train")
        self.speed = QLabel("")
        self.remaining = QLabel("")
        self.test_score = QLabel("")  # the held-out test set's figures, at a run's end
        self.test_score.setToolTip("Loss and metric on the test set, which training and early stopping never saw")
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(True)
        self.bar.setFormat("%p%")
        # Fixed widths: a label that grows with its text would re-lay out the whole window (and repaint every
        # docked plot) at each update.
        for label, sample in ((self.label, "Finished: early stopping · epoch 100000 · step 10,000,000"),
                              (self.speed, "10,000,000 samples/s"), (self.remaining, "took 10:00:00"),
                              (self.test_score, "test accuracy 0.000 · loss 0.000e-05")):
            fix_label_size(label, sample)
        self.bar.setFixedSize(160, self.label.height())
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        for widget in (self.label, self.speed, self.remaining, self.test_score, self.bar):
            layout.addWidget(widget)
        self._latest: Snapshot | None = None
        self.throttle = RedrawThrottle(self, self._show_latest, max_per_second=REFRESH_PER_SECOND)
        # The title follows every update with progress (`_on_update`), not the throttled redraws: those stop while
        # the status bar is off screen (the window minimized), which is when the title is all the user sees.
        # Cheap: it is set only when the whole percentage changes.
        controller.updated.connect(self._on_update)
        controller.finished.connect(self._on_finished)
        controller.state_changed.connect(self._on_state)
        controller.run_started.connect(self._on_run_started)
        controller.weights_reset.connect(self._on_reset)
        controller.document.weights_changed.connect(self._on_weights_changed)

    def title_prefix(self) -> str:
        if not self.controller.is_active:
            return ""
        return f"[{self.controller.fraction_done * 100:.0f}%] "

    def _on_update(self, update: WorkerUpdate) -> None:
        s = update.latest
        if s is None:
            return
        first = self._latest is None
        self._latest = s
        self.throttle.request()
        if first:
            self.throttle.flush()  # a run's first figures show at once; later ones at the throttle's pace
        self._update_title()

    def _show_latest(self) -> None:
        s = self._latest
        if s is None:
            return
        planned = self.controller.epochs_planned
        self.label.setText(f"Epoch {min(s.epoch + 1, planned) if s.kind == 'batch' else s.epoch}/{planned} · "
                           f"step {s.step:,}")
        self.speed.setText(f"{s.samples_per_second:,.0f} samples/s" if s.samples_per_second else "")
        fraction = self.controller.fraction_done
        self.bar.setValue(int(fraction * 1000))
        if self.controller.state == "paused":
            self.remaining.setText("paused")
        elif 0 < fraction < 1 and s.elapsed > 0:
            left = s.elapsed / fraction * (1 - fraction)  # (the run's elapsed time leaves out the speed's waits)
            rate = self.controller.epochs_per_second
            if rate:  # a slow training speed: the epochs still to come take at least 1/rate seconds each
                left = max(left, (1 - fraction) * planned / rate)
            self.remaining.setText(f"{format_duration(left)} left")
        self._update_title()

    def _on_finished(self, s: Snapshot) -> None:
        self.throttle.cancel()  # the final figures replace any snapshot still waiting to be shown
        self.label.setText(f"Finished: {s.stop_reason or 'done'} · epoch {s.epoch} · step {s.step:,}"
                           if not s.diverged else f"Diverged at step {s.step + 1:,}")
        self.remaining.setText(f"took {format_duration(s.elapsed)}")
        # The run's own rate (every sample over the whole run), not the first snapshot's: a short run ends
        # before the throttle shows a second figure, and the first includes loading the kernels.
        self.speed.setText(f"{s.samples_per_second:,.0f} samples/s" if s.samples_per_second else "")
        result = self.controller.last_result
        score = result.test_score if result is not None else None
        self.test_score.setText(test_score_text(s.metric_name, score) if score is not None else "")
        self.bar.setValue(int(self.controller.fraction_done * 1000))
        self._update_title()

    def _on_run_started(self) -> None:
        self._latest = None  # so the new run's first snapshot shows at once
        self.test_score.setText("")

    def _on_weights_changed(self) -> None:
        """An edit that discards the trained weights, New or Open: the last run's final words no longer apply.
        (A run's own weights arrive before its end, while the controller is not idle yet.)"""
        if not self.controller.is_active:
            self._on_reset()
            document = self.controller.document
            if document.weights is not None and document.history:  # a trained project opened (or an undo)
                epoch = document.history[-1].get("epoch")
                self.label.setText(f"Trained {epoch} epochs · Train continues from these weights"
                                   if isinstance(epoch, int) and not isinstance(epoch, bool) else
                                   "Trained · Train continues from these weights")

    def _on_state(self, state: str) -> None:
        if state == "paused":
            self.remaining.setText("paused")
        self._update_title()

    def _on_reset(self) -> None:
        self.throttle.cancel()
        self._latest = None
        self.label.setText("Ready to train")
        self.speed.setText("")
        self.remaining.setText("")
        self.test_score.setText("")
        self.bar.setValue(0)

    def _update_title(self) -> None:
        """Show progress in the window title: replace our own earlier prefix, keep the rest of the title."""
        window = self.window()
        if window is self:
            return
        title = window.windowTitle()
        if title.startswith("[") and "%] " in title:
            title = title.split("%] ", 1)[1]
        new_title = self.title_prefix() + title
        if new_title != window.windowTitle():
            window.setWindowTitle(new_title)
