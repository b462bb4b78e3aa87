"""`SweepCurvesPlot`: every trial's objective per epoch overlaid, the best trial's curve highlighted.

The curves are the trials' intermediate values (what the pruner saw, one per epoch). Finished trials are thin
blue lines, pruned ones dashed grey (they stop where the pruner cut them), running ones thin orange, and the best
trial is a thick green line drawn on top. A loss objective is drawn on a log axis, since trials' losses differ by
orders of magnitude; a metric on a linear one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QVBoxLayout, QWidget

from studio.plots.log_axis import readable_axes
from studio.plots.plot_style import BEST_COLOUR, TRAIN_COLOUR, VALIDATION_COLOUR, pen

PRUNED_COLOUR = "#9a9a9a"


@dataclass(frozen=True)
class TrialCurve:
    """One trial's objective per epoch (epoch 1 first) and its state ("complete", "pruned", "running", …)."""

    number: int
    values: tuple[float, ...]
    state: str


class SweepCurvesPlot(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("SweepCurvesPlot")
        self.plot = pg.PlotWidget(axisItems=readable_axes())
        self.plot.showGrid(x=True, y=True, alpha=0.2)
        self.plot.setLabel("bottom", "epoch")
        self.plot.setMenuEnabled(False)
        for side in ("left", "bottom"):
            self.plot.getAxis(side).enableAutoSIPrefix(False)  # a loss axis never reads "(x0.001)"
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)
        self.objective_label = "objective"
        self.log_scale = True
        self.drawn: dict[int, pg.PlotDataItem] = {}
        self.best: int | None = None

    def set_objective(self, label: str, log_scale: bool) -> None:
        self.objective_label, self.log_scale = label, log_scale
        self.plot.setLabel("left", f"{label} (thick green: the best trial)")
        self.plot.setLogMode(x=False, y=log_scale)

    def set_curves(self, curves: Sequence[TrialCurve], best: int | None) -> None:
        """Draw every trial's curve (replacing what was drawn), `best` highlighted."""
        self.plot.clear()
        self.drawn.clear()
        self.best = best
        for curve in sorted(curves, key=lambda c: c.number == best):  # the best last: on top
            values = np.asarray(curve.values, dtype=float)
            keep = np.isfinite(values) & ((values > 0) if self.log_scale else True)
            epochs = np.arange(1, values.size + 1, dtype=float)[keep]
            if curve.number == best:
                style = pen(BEST_COLOUR, 3.0)
            elif curve.state == "pruned":
                style = pen(PRUNED_COLOUR, 1.2, dashed=True)
            elif curve.state == "running":
                style = pen(VALIDATION_COLOUR, 1.2)
            else:
                style = pen(TRAIN_COLOUR, 1.2)
            item = self.plot.plot(epochs, values[keep], pen=style)
            item.setZValue(10 if curve.number == best else 0)
            self.drawn[curve.number] = item
