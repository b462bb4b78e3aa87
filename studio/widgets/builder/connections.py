"""The builder's connections: edges between layers (coloured by trained weights) and residual-skip arrows.

Between narrow columns every edge is drawn; hovering one highlights it and shows its weight in the tooltip, and a
click reports it (`edge_clicked(layer, source, target)`) so the builder can offer to edit it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QGraphicsObject, QGraphicsSceneMouseEvent, QStyleOptionGraphicsItem

from studio.plots.plot_style import NEGATIVE_RGB, POSITIVE_RGB
from studio.widgets.builder.items import MUTED, SMALLEST_TEXT_PT, font
from studio.widgets.builder.layout import ColumnGeometry


BACKGROUND = (251, 252, 254)  # the view's background (#fbfcfe), which the edges' colours fade into


def _faded(rgb: tuple[int, int, int], opacity: float) -> QColor:
    """An opaque colour that looks like `rgb` at `opacity` over the background. Opaque pens paint in half the time
    of translucent ones (no blending), which matters when the edges follow the weights live."""
    return QColor(*(int(round(opacity * c + (1 - opacity) * b)) for c, b in zip(rgb, BACKGROUND)))


def _weight_pen(weight: float | None, scale: float) -> QPen:
    """TensorFlow Playground's colouring: orange for negative, blue for positive, thicker and stronger when
    larger."""
    if weight is None:
        return QPen(_faded((120, 134, 150), 0.43), 0.9)
    strength = min(abs(weight) / scale, 1.0) if scale > 0 else 0.0
    rgb = POSITIVE_RGB if weight >= 0 else NEGATIVE_RGB
    return QPen(_faded(rgb, (60 + 170 * strength) / 255), 0.6 + 2.4 * strength)


PICK_DISTANCE = 4.0  # scene units from an edge that still hover or click it
HOVER_EDGE = QColor("#ffb300")


class EdgesItem(QGraphicsObject):
    """The connections between consecutive columns: every edge between narrow ones, a band between wide ones.

    `weights[k]` (optional) is the (fan_in, fan_out) matrix into layer k, used to colour its edges. `describe`
    (optional) names a node for the tooltip: describe(layer, unit), layer −1 being the inputs.
    """

    edge_clicked = Signal(int, int, int)  # layer, source unit, target unit

    def __init__(self, columns: list[ColumnGeometry], weights: list[Any] | None = None, describe=None):
        super().__init__()
        self.columns = columns
        self.weights = weights
        self.describe = describe or (lambda layer, unit: f"{'input' if layer < 0 else 'neuron'} {unit + 1}")
        self.hovered: tuple[int, int, int] | None = None
        self.setZValue(-1)
        self.setAcceptHoverEvents(True)
        self.setAcceptedMouseButtons(Qt.MouseButton.LeftButton)
        self._rect = QRectF()
        for c in columns:
            self._rect = self._rect.united(QRectF(c.x, c.top, c.width, c.height))

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self._rect

    def set_cached(self, cached: bool) -> None:
        """Keep the painted edges as a pixmap (while idle: hovering a node then repaints no edge), or not (during
        a run: the weights change at every redraw, and filling the pixmap each time costs more than painting)."""
        mode = QGraphicsItem.CacheMode.DeviceCoordinateCache if cached else QGraphicsItem.CacheMode.NoCache
        self.setCacheMode(mode)

    def set_weights(self, weights: list[Any] | None) -> None:
        """New weight matrices (live during training); redraws the edges and the hovered edge's tooltip."""
        self.weights = weights
        if self.hovered is not None:
            self.setToolTip(self.edge_text(*self.hovered))
        self.update()

    def weight(self, layer: int, source: int, target: int) -> float | None:
        matrix = self.weights[layer] if self.weights and layer < len(self.weights) else None
        if matrix is None or source >= matrix.shape[0] or target >= matrix.shape[1]:
            return None
        return float(matrix[source, target])

    def edge_text(self, layer: int, source: int, target: int) -> str:
        weight = self.weight(layer, source, target)
        value = "not trained yet" if weight is None else f"{weight:.4g}"
        return (f"Weight from {self.describe(layer - 1, source)} to {self.describe(layer, target)}: {value}"
                + ("" if weight is None else "\nClick to edit it"))

    def edge_at(self, pos: QPointF) -> tuple[int, int, int] | None:
        """The (layer, source, target) of the edge nearest `pos` (item coordinates) within PICK_DISTANCE, or None."""
        x, y = pos.x(), pos.y()
        for k, (left, right) in enumerate(zip(self.columns, self.columns[1:])):
            if not (left.narrow and right.narrow and left.right <= x <= right.x):
                continue
            t = (x - left.right) / max(right.x - left.right, 1e-9)
            y0 = np.asarray(left.node_y)[:, None]
            y1 = np.asarray(right.node_y)[None, :]
            distance = np.abs(y0 + (y1 - y0) * t - y)  # vertical distance to each edge at this x
            i, j = np.unravel_index(int(np.argmin(distance)), distance.shape)
            if distance[i, j] <= PICK_DISTANCE:
                return k, int(i), int(j)
            return None
        return None

    def hoverMoveEvent(self, event: Any) -> None:  # noqa: N802
        edge = self.edge_at(event.pos())
        if edge != self.hovered:
            self.hovered = edge
            self.setToolTip(self.edge_text(*edge) if edge is not None else "")
            if edge is not None:
                self.setCursor(Qt.CursorShape.PointingHandCursor)
            else:
                self.unsetCursor()
            self.update()

    def hoverLeaveEvent(self, event: Any) -> None:  # noqa: N802
        if self.hovered is not None:
            self.hovered = None
            self.setToolTip("")
            self.unsetCursor()
            self.update()

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        if self.edge_at(event.pos()) is None:
            event.ignore()  # not on an edge: the canvas behind gets the click
            return
        event.accept()

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        edge = self.edge_at(event.pos())
        if edge is not None:
            self.edge_clicked.emit(*edge)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: Any = None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for k, (left, right) in enumerate(zip(self.columns, self.columns[1:])):
            matrix = self.weights[k] if self.weights and k < len(self.weights) else None
            if left.narrow and right.narrow:
                self._paint_edges(painter, left, right, matrix)
            else:
                self._paint_band(painter, left, right)
        if self.hovered is not None:
            k, i, j = self.hovered
            left, right = self.columns[k], self.columns[k + 1]
            painter.setPen(QPen(HOVER_EDGE, 3.2))
            painter.drawLine(QPointF(left.right, left.node_y[i]), QPointF(right.x, right.node_y[j]))

    def _paint_edges(self, painter: QPainter, left: ColumnGeometry, right: ColumnGeometry, matrix: Any) -> None:
        scale = float(abs(matrix).max()) if matrix is not None and getattr(matrix, "size", 0) else 0.0
        edges = []
        for i, y0 in enumerate(left.node_y):
            for j, y1 in enumerate(right.node_y):
                weight = None
                if matrix is not None and i < matrix.shape[0] and j < matrix.shape[1]:
                    weight = float(matrix[i, j])
                edges.append((0.0 if weight is None else abs(weight), weight, y0, y1))
        edges.sort(key=lambda edge: edge[0])  # the strong edges on top (opaque pens: the last one drawn shows)
        for _, weight, y0, y1 in edges:
            painter.setPen(_weight_pen(weight, scale))
            painter.drawLine(QPointF(left.right, y0), QPointF(right.x, y1))

    def _paint_band(self, painter: QPainter, left: ColumnGeometry, right: ColumnGeometry) -> None:
        polygon = QPolygonF([QPointF(left.right, left.body_top), QPointF(right.x, right.body_top),
                             QPointF(right.x, right.body_bottom), QPointF(left.right, left.body_bottom)])
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(91, 125, 177, 45))
        painter.drawPolygon(polygon)
        painter.setPen(MUTED)
        painter.setFont(font(SMALLEST_TEXT_PT))
        count = left.units * right.units
        mid = QRectF(left.right, -10, right.x - left.right, 20)
        painter.drawText(mid, Qt.AlignmentFlag.AlignCenter, f"{count:,} w")


class SkipArrowItem(QGraphicsItem):
    """A residual skip drawn as a curved dashed arrow over the block, from its input to its output."""

    def __init__(self, source: ColumnGeometry, target: ColumnGeometry):
        super().__init__()
        self.setZValue(2)
        top = min(source.top, target.top) - 34
        self.start = QPointF(source.center_x, source.top)
        self.end = QPointF(target.center_x + 20, target.top)
        self.control = QPointF((self.start.x() + self.end.x()) / 2, top)
        self.setToolTip("Residual skip: this layer's input is added to its output")

    def path(self) -> QPainterPath:
        path = QPainterPath(self.start)
        path.quadTo(self.control, self.end)
        return path

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self.path().boundingRect().adjusted(-8, -8, 8, 8)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: Any = None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        color = QColor("#8e44ad")
        painter.setPen(QPen(color, 1.8, Qt.PenStyle.DashLine))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self.path())
        # Arrow head pointing down into the block.
        tip = self.end
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(color)
        painter.drawPolygon(QPolygonF([tip, tip + QPointF(-6, -9), tip + QPointF(5, -10)]))
        painter.setPen(color)
        painter.setFont(font(SMALLEST_TEXT_PT, bold=True))
        painter.drawText(QRectF(self.control.x() - 30, self.control.y() + 2, 60, 14), Qt.AlignmentFlag.AlignCenter,
                         "+ x")
