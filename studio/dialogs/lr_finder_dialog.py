"""Training → Find learning rate: the range test (`core.diagnostics.lr_finder`) with its curve and suggestion.

The sweep trains a network of its own, built on the worker thread from the document's spec and current weights
(fresh initial weights when untrained), one batch per step while the rate grows exponentially; the document's
weights are never touched, and core's finder restores its own network afterwards too. The plot shows the loss
(smoothed, with the raw points faded behind) against the rate on a log axis, the suggested rate marked by a solid
line and the other rule's by a dashed one; the text says which rule chose it: the steepest descent of the
smoothed loss, or the minimum's rate ÷ 10 when the loss never clearly fell. "Use this rate" sets
`training.optimizer.lr` as ONE undoable edit (rounded to the 3 significant figures shown).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from core.spec import SpecError
from studio.dialogs.diagnostic_dialog import DiagnosticDialog
from studio.plots.log_axis import readable_axes
from studio.plots.plot_style import BEST_COLOUR, TRAIN_COLOUR, faded, foreground, pen, style_axes
from studio.training.background_task import ProgressCallback

if TYPE_CHECKING:
    from core.diagnostics.lr_finder import LrFinderResult
    from studio.document import Document

LR_PATH = "training.optimizer.lr"
RULE_WORDS = {"steepest": "the steepest descent of the smoothed loss",
              "minimum": "the rate of the lowest loss ÷ 10 (the loss never clearly fell, or fell fastest past its "
                         "minimum)"}
EXPLANATION = ("The range test trains from the current weights one batch at a time while the learning rate grows "
               "from 1e-7 to 10, and records the loss. Where the loss falls fastest, the rate is large enough to "
               "learn and still safe; once the loss shoots up, the rate is too high. Your weights are not changed.")


def rounded_rate(rate: float) -> float:
    """The rate as the dialog shows it (3 significant figures): what "Use this rate" writes."""
    return float(f"{rate:.3g}")


def finder_work(spec: dict[str, Any], weights: Any, data: Any) -> Callable[[ProgressCallback], LrFinderResult]:
    """The sweep for a BackgroundTask: builds its own network (any thread; nothing shared is written)."""
    def work(report: ProgressCallback) -> LrFinderResult:
        from core.diagnostics.lr_finder import find_learning_rate
        from core.project_parts import network_with_weights
        return find_learning_rate(network_with_weights(spec, weights), data, on_step=report)
    return work


class LrFinderDialog(DiagnosticDialog):
    WHAT = "the range test"

    def __init__(self, document: Document, parent: QWidget | None = None):
        super().__init__(document, "Find learning rate", EXPLANATION, parent)
        self.setObjectName("LrFinderDialog")
        self.resize(640, 520)
        document.spec_changed.connect(self._update_current_rate)
        self._update_current_rate()

    def _build_result(self, layout: QVBoxLayout) -> None:
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setMinimumHeight(300)
        self.plot = self.graphics.addPlot(axisItems=readable_axes())
        self.plot.setLogMode(x=True, y=False)
        self.plot.showGrid(x=True, y=True, alpha=0.25)
        style_axes(self.plot, "Learning rate", "Loss")
        self.plot.addLegend(offset=(10, 10))
        self.raw_points = self.plot.plot([], [], name="loss after each step", pen=None, symbol="o", symbolSize=3,
                                         symbolPen=None, symbolBrush=faded(TRAIN_COLOUR, 130))
        self.curve = self.plot.plot([], [], name="smoothed loss", pen=pen(TRAIN_COLOUR))
        self.chosen_line = pg.InfiniteLine(angle=90, pen=pen(BEST_COLOUR, 2.0))
        # The rate's label goes left of its line: right of it the curve rises through the label's height.
        self.chosen_text = pg.TextItem(color=BEST_COLOUR, anchor=(1.05, 0.0))
        self.other_line = pg.InfiniteLine(angle=90, pen=pen(foreground().name(), 1.0, dashed=True))
        self.chosen_point = pg.ScatterPlotItem(size=11, brush=BEST_COLOUR, pen=pg.mkPen(foreground()))
        for item in self._markers():
            self.plot.addItem(item)
            item.setVisible(False)
        layout.addWidget(self.graphics, 1)
        self.suggestion_label = QLabel()
        self.suggestion_label.setObjectName("LrSuggestion")
        self.suggestion_label.setWordWrap(True)
        layout.addWidget(self.suggestion_label)
        self.current_label = QLabel()
        layout.addWidget(self.current_label)

    def _markers(self) -> tuple[Any, ...]:
        return self.chosen_line, self.chosen_text, self.other_line, self.chosen_point

    def _add_buttons(self, buttons: QDialogButtonBox) -> None:
        self.use_button = buttons.addButton("Use this rate", QDialogButtonBox.ButtonRole.ActionRole)
        self.use_button.setEnabled(False)
        self.use_button.clicked.connect(self.use_rate)

    def _work(self, spec: dict[str, Any], weights: Any, data: Any) -> Callable[[ProgressCallback], Any]:
        return finder_work(spec, weights, data)

    def _clear_result(self) -> None:
        self.curve.setData([], [])
        self.raw_points.setData([], [])
        for item in self._markers():
            item.setVisible(False)
        self.suggestion_label.setText("")
        self.use_button.setEnabled(False)

    def _show_result(self, result: LrFinderResult) -> None:
        rates, chosen = result.rates, result.chosen
        self.raw_points.setData(rates, result.raw_losses)
        self.curve.setData(rates, result.losses)
        # The raw points scatter below the smoothed curve (the average lags them); past the smoothed maximum they
        # only say "too high", so they don't stretch the axis.
        high = float(np.max(result.losses))
        low = float(min(np.min(result.losses), np.min(result.raw_losses)))
        self.plot.setYRange(low - 0.05 * (high - low), high + 0.05 * (high - low) + 1e-12, padding=0)
        at = int(np.argmin(np.abs(np.log(rates) - math.log(chosen.lr))))
        self.chosen_line.setPos(math.log10(chosen.lr))
        self.chosen_text.setText(f"suggested: {rounded_rate(chosen.lr):g}")
        self.chosen_text.setPos(math.log10(chosen.lr), high)
        self.chosen_point.setData([math.log10(rates[at])], [result.losses[at]])
        other = next(s for s in result.suggestions if not s.chosen)
        if math.isfinite(other.lr):
            self.other_line.setPos(math.log10(other.lr))
        for item in self._markers():
            item.setVisible(item is not self.other_line or math.isfinite(other.lr))
        other_text = (f"{rounded_rate(other.lr):g} (dashed line)" if math.isfinite(other.lr)
                      else "no rate: the loss never clearly fell")
        other_rule = "the minimum ÷ 10" if other.rule == "minimum" else "the steepest descent"
        self.suggestion_label.setText(
            f"<b>Suggested learning rate: {rounded_rate(chosen.lr):g}</b>, chosen by {RULE_WORDS[chosen.rule]}. "
            f"{other_rule[0].upper()}{other_rule[1:]} gives {other_text}.")
        ending = ("The sweep completed" if result.stop_reason == "completed"
                  else f"The sweep stopped early when the loss {result.stop_reason}")
        self.status.setText(f"{ending} after {len(rates)} steps.")
        self.use_button.setEnabled(True)

    def _update_current_rate(self) -> None:
        optimizer = self.document.spec.training.optimizer
        self.current_label.setText(f"Current learning rate: {optimizer['lr']:g} ({optimizer['name']}).")

    def use_rate(self) -> bool:
        """Set the suggested rate as one undoable edit; False (said in the status line) when refused."""
        if self.result is None:
            return False
        rate = rounded_rate(self.result.suggestion)
        try:
            self.document.set_settings({LR_PATH: rate}, f"Learning rate {rate:g} (range test)")
        except SpecError as error:
            self.status.setText(f"The rate could not be set: {error}")
            return False
        return True
