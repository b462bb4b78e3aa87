"""A small plot of the learning rate the schedule plans for every epoch, redrawn as the settings change.

Rates come from `core.schedules` (the same code the trainer runs). Very long runs are sampled at a few hundred
epochs so a drag of the epochs spin box stays smooth. A schedule spanning orders of magnitude is drawn on a log
axis, so step decays show as even stairs.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from core.schedules import make_schedule, preview_learning_rates
from core.spec import TrainingSpec

MAX_EXACT_EPOCHS = 2000  # beyond this, sample the schedule instead of evaluating every epoch
SAMPLES = 400


def planned_rates(training: TrainingSpec) -> tuple[np.ndarray, np.ndarray]:
    """Epoch numbers (1-based) and their planned rates; every epoch for short runs, a sample for long ones."""
    epochs = int(training.epochs)
    if epochs <= MAX_EXACT_EPOCHS:
        rates = preview_learning_rates(training)
        return np.arange(1, len(rates) + 1, dtype=np.float64), rates
    schedule = make_schedule(training)
    sample = np.unique(np.linspace(0, epochs - 1, SAMPLES).astype(np.int64))
    return sample + 1.0, np.array([schedule.lr_for_epoch(int(e)) for e in sample], dtype=np.float64)


def _fmt(value: float) -> str:
    return f"{value:.3g}"


class LRPreview(QWidget):
    """The planned learning rate over the run; `set_training(spec["training"])` redraws it."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.epochs = np.zeros(0)
        self.rates = np.zeros(0)
        self.log_scale = False
        self.plot = pg.PlotWidget(self)
        self.plot.setMinimumHeight(110)
        self.plot.setMaximumHeight(160)
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.plot.showGrid(x=True, y=True, alpha=0.2)
        self.plot.setLabel("bottom", "epoch")
        self.plot.setToolTip("The learning rate the schedule plans for each epoch")
        self.curve = self.plot.plot(pen=pg.mkPen("#1565c0", width=2))
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet("color: #4a5561; font-size: 11px;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)
        layout.addWidget(self.summary)

    def set_training(self, training: TrainingSpec) -> None:
        try:
            self.epochs, self.rates = planned_rates(training)
        except ValueError as error:  # a schedule the validator let through but the schedule refuses
            self.epochs, self.rates = np.zeros(0), np.zeros(0)
            self.curve.setData([], [])
            self.summary.setText(f"No preview: {error}")
            return
        positive = self.rates[self.rates > 0]
        self.log_scale = bool(positive.size == self.rates.size and positive.size
                              and positive.max() / positive.min() > 100)
        self.plot.setLogMode(x=False, y=self.log_scale)
        self.curve.setData(self.epochs, self.rates)
        self._set_ranges()
        self.summary.setText(self._describe(training))

    def _set_ranges(self) -> None:
        """Fixed ranges: autorange makes a constant rate look like noise around it."""
        rates = self.rates
        self.plot.setXRange(1, max(float(self.epochs[-1]), 2.0), padding=0.02)
        if self.log_scale:
            low, high = np.log10(rates.min()), np.log10(rates.max())
            self.plot.setYRange(low - 0.2, high + 0.2, padding=0)
        else:
            self.plot.setYRange(min(0.0, float(rates.min())), float(rates.max()) * 1.1 or 1.0, padding=0)

    def _describe(self, training: dict[str, Any]) -> str:
        rates = self.rates
        text = (f"{_fmt(rates[0])} at epoch 1 → {_fmt(rates[-1])} at epoch {int(training['epochs'])}; "
                f"range {_fmt(rates.min())} – {_fmt(rates.max())}")
        if training["schedule"]["name"] == "plateau":
            text += " (as planned: reductions on a plateau happen only while training)"
        if self.log_scale:
            text += "; log scale"
        return text + "."
