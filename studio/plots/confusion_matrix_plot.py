"""`ConfusionMatrixPlot`: for classification, which classes the network confuses on the validation set.

Rows are the true classes, columns the predicted ones; each cell shows its count and is shaded by the share of
its row (the recall), so a good network shows a dark diagonal whatever the class sizes. Updated at every epoch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from core.training.snapshot import Snapshot
from studio.plots.plot_style import follow_runs, set_title, show_axes, style_axes
from studio.plots.redraw_throttle import RedrawThrottle

if TYPE_CHECKING:
    from studio.document import Document
    from studio.training.controller import TrainingController
    from studio.training.worker import WorkerUpdate

MAX_LABELLED_CELLS = 400  # beyond 20 × 20 the counts are too small to read
DARK_SHARE = 0.55  # a cell shaded darker than this (its share of the row) gets a white count


class ConfusionMatrixPlot(QWidget):
    def __init__(self, controller: TrainingController | None = None, document: Document | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("ConfusionMatrixPlot")
        self.document = document
        self.matrix: np.ndarray | None = None
        self.epoch: int | None = None
        self.cell_texts: list[pg.TextItem] = []
        self._cell_counts: np.ndarray | None = None  # what the cell texts show: counts, and white-on-dark flags
        self._cell_dark: np.ndarray | None = None
        self._drawn_k: int | None = None  # the class count the image rectangle and range were set for
        self._ticked_names: list[str] | None = None
        self.message = QLabel("The confusion matrix appears after the first epoch of a classification run.")
        self.message.setWordWrap(True)
        self.graphics = pg.GraphicsLayoutWidget()
        self.plot = self.graphics.addPlot(title="Validation set")
        style_axes(self.plot, "Predicted class", "True class")
        show_axes([self.plot], False)  # until there is a matrix
        self.plot.showGrid(x=False, y=False)
        self.plot.invertY(True)
        self.plot.setAspectLocked(True)
        self.plot.setMouseEnabled(x=False, y=False)
        self.image = pg.ImageItem(axisOrder="row-major")  # image[true, predicted]
        self.image.setColorMap(pg.ColorMap([0.0, 1.0], [(247, 251, 255), (8, 69, 148)]))  # white → blue
        self.plot.addItem(self.image)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.message)
        layout.addWidget(self.graphics, 1)
        self.throttle = RedrawThrottle(self, self._redraw, max_per_second=2)
        if controller is not None:
            follow_runs(controller, self.clear, self._on_update)
            latest = controller.latest  # built mid-run (a dock first shown late): catch up
            self._on_epochs(controller.epoch_records + ([latest] if latest is not None and latest.kind != "batch"
                                                        else []))

    def clear(self) -> None:
        self.matrix = None
        self.image.clear()
        for text in self.cell_texts:
            self.plot.removeItem(text)
        self.cell_texts = []
        self._forget_cells()
        self._drawn_k = None
        self._ticked_names = None
        self.message.setVisible(True)
        show_axes([self.plot], False)

    def _forget_cells(self) -> None:
        """No cell text is known to be shown (each is set at the next draw)."""
        self._cell_counts = self._cell_dark = None

    def _on_update(self, update: WorkerUpdate) -> None:
        self._on_epochs(update.epochs)

    def _on_epochs(self, snapshots: list[Snapshot]) -> None:
        for snapshot in reversed(snapshots):
            if snapshot.confusion is not None:
                self.set_matrix(snapshot.confusion, snapshot.epoch)
                return

    def _ensure_cell_texts(self, k: int) -> None:
        """One text item per cell, created when the class count changes and reused every epoch after."""
        if len(self.cell_texts) == k * k:
            return
        for text in self.cell_texts:
            self.plot.removeItem(text)
        self.cell_texts = []
        self._forget_cells()
        for i in range(k):
            for j in range(k):
                text = pg.TextItem("", anchor=(0.5, 0.5))
                text.setPos(j, i)
                self.plot.addItem(text)
                self.cell_texts.append(text)

    def class_names(self, count: int) -> list[str]:
        dataset = self.document.dataset if self.document is not None else None
        names = dataset.class_names if dataset is not None else None
        if names and len(names) == count:
            return [str(n) for n in names]
        return [str(i) for i in range(count)]

    def set_matrix(self, matrix: np.ndarray, epoch: int | None = None) -> None:
        """Keep the newest matrix; it is drawn at most twice a second (one epoch may last a millisecond)."""
        self.matrix = np.asarray(matrix)
        self.epoch = epoch
        self.throttle.request()

    def _redraw(self) -> None:
        """Draw the newest matrix. A cell's text is set only when its count or shade changed, the class ticks only
        when the names change and the range only when the class count does: with 100 cells, setting every one
        each time cost ~44 ms a draw, and most counts stay put from one epoch to the next."""
        if self.matrix is None:
            return
        matrix, epoch = self.matrix, self.epoch
        self.message.setVisible(False)
        show_axes([self.plot], True)
        k = matrix.shape[0]
        row_share = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
        self.image.setImage(row_share.astype(float), autoLevels=False, levels=(0.0, 1.0))
        names = self.class_names(k)
        if names != self._ticked_names:
            self._ticked_names = names
            ticks = [[(i, _clip(n)) for i, n in enumerate(names)]]
            self.plot.getAxis("bottom").setTicks(ticks)
            self.plot.getAxis("left").setTicks(ticks)
        if k != self._drawn_k:
            self._drawn_k = k
            self.image.setRect(QRectF(-0.5, -0.5, k, k))
            self.plot.setRange(xRange=(-0.5, k - 0.5), yRange=(-0.5, k - 0.5), padding=0.02)
        self._ensure_cell_texts(k if k * k <= MAX_LABELLED_CELLS else 0)
        if self.cell_texts:
            counts, dark = matrix.astype(np.int64).ravel(), (row_share > DARK_SHARE).ravel()
            changed = (np.ones(counts.shape, dtype=bool) if self._cell_counts is None
                       else (counts != self._cell_counts) | (dark != self._cell_dark))
            for index in np.flatnonzero(changed):
                self.cell_texts[index].setText(str(counts[index]), color="w" if dark[index] else "k")
            self._cell_counts, self._cell_dark = counts, dark
        accuracy = np.trace(matrix) / max(1, matrix.sum())
        # Short: the dock's title names the plot; a longer title was cut off in the default dock.
        suffix = f" after epoch {epoch}" if epoch is not None else ""
        set_title(self.plot, f"Validation accuracy {accuracy:.1%}{suffix}")


def _clip(name: str, width: int = 10) -> str:
    return name if len(name) <= width else name[: width - 1] + "…"
