"""Training → Check gradients: backprop against central finite differences, one table row per layer.

It runs `core.diagnostics.check_gradients` on the first `ROWS` training rows at the document's current weights
(initial weights when untrained), on the worker thread: core checks a float64 copy of a network the thread builds
itself, with dropout drawing the same masks in every evaluation and batch norm in training mode (batch
statistics, its running statistics put back after each probe), so the loss is one fixed function of the weights
and a finite difference of it is exact up to round-off. Each layer's row shows its largest relative error over
the entries probed, coloured green below `AGREES` (round-off), red above `WRONG` (core's tolerance: a wrong
backward pass), amber between.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from core.diagnostics.gradient_check import DEFAULT_TOLERANCE
from studio.dialogs.diagnostic_dialog import DiagnosticDialog
from studio.training.background_task import ProgressCallback

if TYPE_CHECKING:
    from core.diagnostics.gradient_check import LayerGradientCheck
    from core.spec import Spec
    from studio.document import Document

ROWS = 32  # training rows in the batch (the CLI's default too): each probed entry costs two forward passes
ENTRIES = 20  # parameters probed per layer, chosen at random from the seed
AGREES = 1e-6  # below: backprop and the finite difference agree to round-off
WRONG = DEFAULT_TOLERANCE  # above: the layer's gradient is wrong
GREEN, AMBER, RED = QColor("#2e7d32"), QColor("#b26a00"), QColor("#c62828")
COLUMNS = ("Layer", "Relative error", "Entries", "Backprop", "Numeric", "Verdict")
COLUMN_TIPS = ("", "The largest relative error over the entries probed", "Weights and biases probed in this layer",
               "Backprop's gradient at the worst entry", "The finite difference at the worst entry",
               "green: agrees to round-off; amber: look closer; red: wrong")
EXPLANATION = (
    "Compares the gradient backprop computes with a numerical one, (L(w + ε) − L(w − ε)) / 2ε, in float64 on the "
    f"first {ROWS} training rows, for {ENTRIES} weights chosen at random in each layer. Dropout keeps the same "
    "masks in every evaluation and batch norm uses its training-mode batch statistics, so both sides see the same "
    "function. The figure is the largest relative error |backprop − numeric| / (|backprop| + |numeric|): below "
    f"{AGREES:g} (green) the two agree to round-off; above {WRONG:g} (red) backprop is wrong for that layer, a bug "
    "in its backward pass; in between (amber), look closer: a tiny gradient, whose finite difference is mostly "
    "round-off, or a ReLU kink within ε of a weight gives such figures without a bug.")
TINY_GRADIENT = 1e-4  # below this, the finite difference's round-off (~1e-10) is a visible share of the value


def verdict(error: float) -> tuple[str, QColor]:
    """The row's word and colour for a relative error (NaN or ∞: wrong)."""
    if not math.isfinite(error) or error > WRONG:
        return "wrong", RED
    if error < AGREES:
        return "agrees", GREEN
    return "look closer", AMBER


def check_work(spec: Spec, weights: Any, data: Any) -> Callable[[ProgressCallback],
                                                                             list[LayerGradientCheck]]:
    """The check for a BackgroundTask: builds its own network (any thread; nothing shared is written)."""
    def work(report: ProgressCallback) -> list[LayerGradientCheck]:
        from core.diagnostics import check_gradients
        from core.project_parts import network_with_weights
        network = network_with_weights(spec, weights)
        report(0, len(network.layer_names))
        return check_gradients(network, data.x_train[:ROWS], data.y_train[:ROWS], max_entries_per_layer=ENTRIES,
                               seed=spec.training.seed, tolerance=WRONG, on_layer=report)
    return work


class GradientCheckDialog(DiagnosticDialog):
    WHAT = "the gradient check"

    def __init__(self, document: Document, parent: QWidget | None = None):
        super().__init__(document, "Check gradients", EXPLANATION, parent)
        self.setObjectName("GradientCheckDialog")
        self.resize(700, 420)

    def _build_result(self, layout: QVBoxLayout) -> None:
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)  # layer names never wrap
        self.table.setWordWrap(False)
        for column, tip in enumerate(COLUMN_TIPS):
            self.table.horizontalHeaderItem(column).setToolTip(tip)
        layout.addWidget(self.table, 1)

    def _work(self, spec: Spec, weights: Any, data: Any) -> Callable[[ProgressCallback], Any]:
        return check_work(spec, weights, data)

    def _clear_result(self) -> None:
        self.table.setRowCount(0)

    def _show_result(self, results: list[LayerGradientCheck]) -> None:
        self.table.setRowCount(len(results))
        for row, result in enumerate(results):
            word, colour = verdict(result.max_relative_error)
            cells = (result.layer_name, f"{result.max_relative_error:.2e}", str(result.checked_entries),
                     f"{result.worst_analytic:.6g}", f"{result.worst_numeric:.6g}", word)
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column > 0:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if column in (1, 5):
                    item.setForeground(colour)
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(row, column, item)
        wrong = [r.layer_name for r in results if verdict(r.max_relative_error)[0] == "wrong"]
        closer = [r.layer_name for r in results if verdict(r.max_relative_error)[0] == "look closer"]
        if wrong:
            self.status.setText(f"Backprop's gradient is wrong in {', '.join(wrong)}: its error is above "
                                f"{WRONG:g}. Training follows a wrong direction there.")
        elif closer:
            tiny = all(abs(r.worst_analytic) < TINY_GRADIENT for r in results if r.layer_name in closer)
            why = (f"their gradients are tiny (below {TINY_GRADIENT:g}), where the finite difference is mostly "
                   f"round-off" if tiny else "usually a ReLU kink near a probed weight")
            self.status.setText(f"No layer is wrong; {', '.join(closer)}: between {AGREES:g} and {WRONG:g}, "
                                f"{why}, not a bug.")
        else:
            self.status.setText(f"All {len(results)} layers agree: backprop matches finite differences to "
                                f"round-off.")
