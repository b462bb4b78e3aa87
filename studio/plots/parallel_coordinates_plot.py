"""`ParallelCoordinatesPlot`: a sweep's trials as lines across one vertical axis per parameter plus the objective.

Each trial is a polyline through its parameter values and its objective value, coloured by the objective (the
best trial is drawn on top, thicker). Log ranges are log axes, lists of choices are evenly spaced slots
(`CoordinateAxis`). Drag up or down along an axis to select a range there: only the trials that pass every
selected range keep their colour; the others turn faint grey, and `filter_changed` says which trials pass (the
dialog's table shows only those). A click on an axis clears its range; `clear_selection()` clears them all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QPen
from PySide6.QtWidgets import QGraphicsRectItem, QVBoxLayout, QWidget

from studio.plots.coordinate_axis import CoordinateAxis
from studio.plots.plot_style import foreground

GRAB_DISTANCE = 0.3  # how far from an axis (in axis spacings) a drag still selects on it
SELECTION_LEFT, SELECTION_RIGHT = 0.015, 0.06  # the band sits right of its axis: the tick labels are on the left
FILTERED_OUT = QColor(170, 170, 170, 60)
COLOUR_MAP = "plasma"  # perceptually even: worst trials dark purple, the best orange (the pale yellow end is unused)


@dataclass(frozen=True)
class CoordinateLine:
    """One trial: its number, one value per axis (the objective last), and whether it is a finished trial (a
    pruned trial is drawn dashed)."""

    number: int
    values: tuple[Any, ...]
    pruned: bool = False


class _AxisDragViewBox(pg.ViewBox):
    """A view box whose left-button drags and clicks select on the nearest axis instead of panning."""

    def __init__(self, owner: ParallelCoordinatesPlot):
        super().__init__(enableMenu=False)
        self.owner = owner
        self.setMouseEnabled(x=False, y=False)

    def mouseDragEvent(self, ev: Any, axis: Any = None) -> None:  # noqa: N802 - pyqtgraph's name
        if ev.button() != Qt.MouseButton.LeftButton:
            ev.ignore()
            return
        start = self.mapSceneToView(ev.buttonDownScenePos())
        index = self.owner.axis_near(start.x())
        if index is None:
            ev.ignore()
            return
        ev.accept()
        now = self.mapSceneToView(ev.scenePos())
        self.owner.select_range(index, start.y(), now.y())

    def mouseClickEvent(self, ev: Any) -> None:  # noqa: N802 - pyqtgraph's name
        if ev.button() != Qt.MouseButton.LeftButton:
            ev.ignore()
            return
        index = self.owner.axis_near(self.mapSceneToView(ev.scenePos()).x())
        if index is not None:
            ev.accept()
            self.owner.select_range(index, None, None)


class ParallelCoordinatesPlot(QWidget):
    filter_changed = Signal(object)  # set[int] of the trial numbers that pass every selected range; None: no filter

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("ParallelCoordinatesPlot")
        self.view_box = _AxisDragViewBox(self)
        self.plot = pg.PlotWidget(viewBox=self.view_box)
        item = self.plot.getPlotItem()
        item.hideAxis("left")
        item.hideAxis("bottom")
        item.setMenuEnabled(False)
        item.hideButtons()
        self.plot.setToolTip("Drag along an axis to keep only the trials in that range; click the axis to clear it.")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)
        self.axes: list[CoordinateAxis] = []
        self.lines: list[CoordinateLine] = []
        self.best: int | None = None
        self.selections: dict[int, tuple[float, float]] = {}  # axis index -> (low, high) heights
        self._curves: dict[int, pg.PlotCurveItem] = {}
        self._selection_items: dict[int, QGraphicsRectItem] = {}
        self._passing: set[int] | None = None
        self._colours: dict[int, QColor] = {}
        self._show_message("The trials appear here as they finish.")

    # -- data -----------------------------------------------------------------------------------------------------
    def set_data(self, axes: Sequence[CoordinateAxis], lines: Sequence[CoordinateLine], best: int | None) -> None:
        """Draw `lines` across `axes` (the objective axis last); `best` is the best trial's number. Selections are
        kept while the axes stay the same."""
        if list(axes) != self.axes:
            self.selections.clear()
        self.axes, self.lines, self.best = list(axes), list(lines), best
        self._colours = self._objective_colours()
        self._redraw()

    def passing(self) -> set[int] | None:
        """The numbers of the trials that pass every selected range; None when no range is selected."""
        return None if self._passing is None else set(self._passing)

    # -- selection ------------------------------------------------------------------------------------------------
    def axis_near(self, x: float) -> int | None:
        index = int(round(x))
        if 0 <= index < len(self.axes) and abs(x - index) <= GRAB_DISTANCE:
            return index
        return None

    def select_range(self, index: int, start: float | None, end: float | None) -> None:
        """Keep only the trials whose height on axis `index` lies between `start` and `end` (heights 0–1, either
        order); None clears that axis's range."""
        if start is None or end is None or abs(end - start) < 1e-6:
            self.selections.pop(index, None)
        else:
            self.selections[index] = (max(min(start, end), -0.05), min(max(start, end), 1.05))
        self._draw_selections()
        self._recolour()

    def clear_selection(self) -> None:
        self.selections.clear()
        self._draw_selections()
        self._recolour()

    def _passes(self, line: CoordinateLine) -> bool:
        for index, (low, high) in self.selections.items():
            height = self.axes[index].position(line.values[index]) if index < len(line.values) else None
            if height is None or not low <= height <= high:
                return False
        return True

    # -- drawing --------------------------------------------------------------------------------------------------
    def _show_message(self, text: str) -> None:
        self.plot.clear()
        message = pg.TextItem(text, color=foreground(), anchor=(0.5, 0.5))
        message.setPos(0, 0.5)
        self.plot.addItem(message)
        self.plot.setXRange(-1, 1, padding=0)
        self.plot.setYRange(0, 1, padding=0)

    def _redraw(self) -> None:
        self.plot.clear()
        self._curves.clear()
        self._selection_items.clear()
        if not self.axes:
            self._show_message("The trials appear here as they finish.")
            return
        count = len(self.axes)
        self.plot.setXRange(-0.55, count - 0.45, padding=0)
        self.plot.setYRange(-0.06, 1.2, padding=0)
        self._draw_axes()
        xs = np.arange(count, dtype=float)
        order = sorted(self.lines, key=lambda line: (line.number == self.best, self._colour_rank(line)))
        for line in order:
            heights = [axis.position(value) for axis, value in zip(self.axes, line.values)]
            ys = np.array([np.nan if h is None else h for h in heights], dtype=float)
            curve = pg.PlotCurveItem(xs[: len(ys)], ys, connect="finite")
            self.plot.addItem(curve)
            self._curves[line.number] = curve
        self._draw_selections()
        self._recolour()

    def _draw_axes(self) -> None:
        ink = foreground()
        paper = pg.mkColor(pg.getConfigOption("background"))
        paper.setAlpha(200)  # tick labels on a veil of the background: readable where lines cross them
        axis_pen = pg.mkPen(ink, width=1.2)
        for index, axis in enumerate(self.axes):
            self.plot.addItem(pg.PlotCurveItem([index, index], [0.0, 1.0], pen=axis_pen))
            title = pg.TextItem(axis.label, color=ink, anchor=(0.5, 1.0))
            title.setPos(index, 1.12 if index % 2 else 1.04)  # alternate heights: long names don't collide
            self.plot.addItem(title)
            for height, text in axis.ticks():
                tick = pg.TextItem(text, color=ink, anchor=(1.0, 0.5), fill=pg.mkBrush(paper))
                tick.setPos(index - 0.03, height)
                tick.setZValue(15)
                self.plot.addItem(tick)
                self.plot.addItem(pg.PlotCurveItem([index - 0.02, index], [height, height], pen=axis_pen))

    def _draw_selections(self) -> None:
        for item in self._selection_items.values():
            self.plot.removeItem(item)
        self._selection_items.clear()
        for index, (low, high) in self.selections.items():
            rect = QGraphicsRectItem(QRectF(index - SELECTION_LEFT, low, SELECTION_LEFT + SELECTION_RIGHT, high - low))
            rect.setBrush(QBrush(QColor(31, 119, 180, 70)))
            rect.setPen(QPen(QColor(31, 119, 180), 0))
            rect.setZValue(-1)  # behind the lines and the tick labels, which stay readable
            self.plot.addItem(rect)
            self._selection_items[index] = rect

    def _recolour(self) -> None:
        """Colour each line by its objective (faint grey when it fails a selected range), then tell the table."""
        self._passing = {line.number for line in self.lines if self._passes(line)} if self.selections else None
        for line in self.lines:
            curve = self._curves.get(line.number)
            if curve is None:
                continue
            kept = self._passing is None or line.number in self._passing
            colour = self._colours.get(line.number, QColor("#1f77b4")) if kept else FILTERED_OUT
            width = 3.0 if line.number == self.best and kept else 1.4
            style = Qt.PenStyle.DashLine if line.pruned else Qt.PenStyle.SolidLine
            curve.setPen(pg.mkPen(colour, width=width, style=style))
            curve.setZValue(10 if line.number == self.best else (5 if kept else 0))
        self.filter_changed.emit(self.passing())

    def _objective_colours(self) -> dict[int, QColor]:
        """Colours along the colour map by rank of objective toward the best (the best orange, the worst dark)."""
        ranked = sorted(self.lines, key=self._colour_rank)
        colour_map = pg.colormap.get(COLOUR_MAP)
        colours = {}
        for rank, line in enumerate(ranked):
            fraction = 0.5 if len(ranked) == 1 else rank / (len(ranked) - 1)
            colours[line.number] = colour_map.map(0.05 + 0.75 * fraction, mode="qcolor")
        return colours

    def _colour_rank(self, line: CoordinateLine) -> float:
        """Larger is nearer the best: the objective's distance from the worst end, measured toward the best."""
        if not self.axes or self.best is None:
            return 0.0
        best_line = next((line for line in self.lines if line.number == self.best), None)
        objective = self.axes[-1]
        height = objective.position(line.values[-1]) if line.values else None
        best_height = objective.position(best_line.values[-1]) if best_line is not None else None
        if height is None or best_height is None:
            return -1.0
        return -abs(best_height - height)
