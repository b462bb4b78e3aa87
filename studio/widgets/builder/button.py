"""A small round button drawn in the builder's scene (−, +, ×) that emits `clicked` on press-and-release."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsObject, QGraphicsSceneMouseEvent, QStyleOptionGraphicsItem


class ButtonItem(QGraphicsObject):
    """A small round button in the scene (−, +, ×, ⊕) that emits `clicked` on a press-and-release."""

    clicked = Signal()

    def __init__(self, symbol: str, tooltip: str, parent: QGraphicsItem | None = None, size: float = 18.0,
                 color: QColor = QColor("#5b7db1")):
        super().__init__(parent)
        self.symbol = symbol
        self.size = size
        self.color = color
        self.enabled = True
        self._hover = False
        self.setToolTip(tooltip)
        self.setAcceptHoverEvents(True)
        self.setAcceptedMouseButtons(Qt.MouseButton.LeftButton)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def set_enabled(self, enabled: bool, tooltip: str | None = None) -> None:
        self.enabled = enabled
        if tooltip is not None:
            self.setToolTip(tooltip)
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt's name)
        return QRectF(-self.size / 2, -self.size / 2, self.size, self.size)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: Any = None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        color = self.color if self.enabled else QColor("#c5cbd3")
        painter.setPen(QPen(color, 1.2))
        painter.setBrush(QBrush(color.lighter(170) if self._hover and self.enabled else QColor("white")))
        painter.drawEllipse(self.boundingRect().adjusted(1, 1, -1, -1))
        painter.setPen(QPen(color, 1.8))
        half = self.size * 0.22
        if self.symbol in ("+", "−"):
            painter.drawLine(QPointF(-half, 0), QPointF(half, 0))
        if self.symbol == "+":
            painter.drawLine(QPointF(0, -half), QPointF(0, half))
        if self.symbol == "×":
            painter.drawLine(QPointF(-half, -half), QPointF(half, half))
            painter.drawLine(QPointF(-half, half), QPointF(half, -half))

    def hoverEnterEvent(self, event: Any) -> None:  # noqa: N802
        self._hover = True
        self.update()

    def hoverLeaveEvent(self, event: Any) -> None:  # noqa: N802
        self._hover = False
        self.update()

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        event.accept()

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        if self.enabled and self.boundingRect().contains(event.pos()):
            self.clicked.emit()
