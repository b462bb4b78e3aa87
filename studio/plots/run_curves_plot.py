"""`RunCurvesPlot`: the selected runs' curves overlaid in one plot, one colour per run, a legend by name.

A selector above the plot picks what is drawn: the loss (solid: training, dashed: validation, log axis), the
metric (accuracy or R², solid and dashed likewise) or the learning rate per epoch (log axis). The colours and
line styles are the race dialog's (`race_curves_plot`), so a race reads the same in both places. The plot draws
plain arrays handed to it (`RunCurves`, read from the store off the GUI thread by the Runs dock).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from studio.plots.log_axis import readable_axes
from studio.plots.plot_style import pen
from studio.plots.race_curves_plot import racer_colour

QUANTITIES = {"loss": "Loss", "metric": "Metric", "lr": "Learning rate"}


@dataclass(frozen=True)
class RunCurves:
    """One run's per-epoch series (NaN where not measured)."""

    name: str
    epochs: np.ndarray
    train_loss: np.ndarray
    val_loss: np.ndarray
    train_metric: np.ndarray
    val_metric: np.ndarray
    lr: np.ndarray
    metric_name: str | None = None

    @classmethod
    def from_record(cls, record: Any) -> RunCurves:
        """From a core.runs.RunRecord's epoch rows."""
        def column(name: str) -> np.ndarray:
            return np.array([np.nan if getattr(row, name) is None else getattr(row, name) for row in record.epochs],
                            dtype=np.float64)
        return cls(record.summary.name, column("epoch"), column("train_loss"), column("val_loss"),
                   column("train_metric"), column("val_metric"), column("lr"), record.summary.metric_name)

    def series(self, quantity: str) -> tuple[np.ndarray, np.ndarray | None]:
        """(solid, dashed) values of `quantity` ("loss", "metric" or "lr"); dashed is None when absent."""
        solid, dashed = {"loss": (self.train_loss, self.val_loss), "metric": (self.train_metric, self.val_metric),
                         "lr": (self.lr, None)}[quantity]
        return solid, (dashed if dashed is not None and np.isfinite(dashed).any() else None)


class RunCurvesPlot(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("RunCurvesPlot")
        self.quantity = QComboBox()
        for key, label in QUANTITIES.items():
            self.quantity.addItem(label, key)
        self.quantity.setToolTip("What the selected runs' curves show")
        self.quantity.currentIndexChanged.connect(lambda _index: self.redraw())
        self.caption = QLabel("Select runs in the table to overlay their curves.")
        self.plot = pg.PlotWidget(axisItems=readable_axes())
        self.plot.showGrid(x=True, y=True, alpha=0.2)
        self.plot.setLabel("bottom", "epoch")
        self.plot.setMenuEnabled(False)
        self.legend = self.plot.addLegend(offset=(-10, 10), labelTextSize="9pt")
        controls = QHBoxLayout()
        controls.addWidget(self.quantity)
        controls.addWidget(self.caption, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(controls)
        layout.addWidget(self.plot, 1)
        self.runs: list[RunCurves] = []
        self.note = ""  # said above the plot (e.g. how many of the selected runs are drawn)
        self.curves: list[Any] = []  # the solid curve of each run (the legend's entries), in order

    def show_runs(self, runs: list[RunCurves], note: str = "") -> None:
        self.runs, self.note = list(runs), note
        self.redraw()

    @property
    def current(self) -> str:
        return self.quantity.currentData()

    def set_quantity(self, quantity: str) -> None:
        self.quantity.setCurrentIndex(list(QUANTITIES).index(quantity))

    def legend_names(self) -> list[str]:
        return [label.text for _sample, label in self.legend.items]

    def redraw(self) -> None:
        quantity = self.current
        styles = "solid: training, dashed: validation" if quantity != "lr" else ""
        self.caption.setText("Select runs in the table to overlay their curves." if not self.runs else
                             "  ·  ".join(filter(None, (styles, self.note))))
        self.plot.clear()
        self.legend.clear()
        self.curves = []
        logarithmic = quantity != "metric"
        self.plot.setLogMode(x=False, y=logarithmic)
        metric = {run.metric_name for run in self.runs if run.metric_name}
        label = {"loss": "loss", "lr": "learning rate",
                 "metric": metric.pop() if len(metric) == 1 else "metric"}[quantity]
        self.plot.setLabel("left", label)
        for index, run in enumerate(self.runs):
            colour = racer_colour(index)
            solid, dashed = run.series(quantity)
            x, y = _drawable(run.epochs, solid, logarithmic)
            self.curves.append(self.plot.plot(x, y, pen=pen(colour, 2.0), name=run.name))
            if dashed is not None:
                self.plot.plot(*_drawable(run.epochs, dashed, logarithmic), pen=pen(colour, 1.4, dashed=True))
        if self.runs:
            self.plot.enableAutoRange()


def _drawable(x: np.ndarray, y: np.ndarray, logarithmic: bool) -> tuple[np.ndarray, np.ndarray]:
    """Only finite values (and positive ones on a log axis) are drawn."""
    keep = np.isfinite(y) & ((y > 0) if logarithmic else True)
    return x[keep], y[keep]
