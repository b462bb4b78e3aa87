"""The builder's graphics view: antialiased, a large network shrinks to fit while a small one keeps its size, and
layers dragged in from the palette are accepted (where they would land is the builder's business).

A network shrinks only as far as its smallest text stays readable (`min_readable_scale`: ≥ 9 px on screen);
a deeper one scrolls instead, starting at its inputs, and keeps its scroll position when it is redrawn (an
edit, a training update). The mouse wheel scrolls sideways when there is nothing to scroll up and down.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import (QColor, QDragEnterEvent, QDragLeaveEvent, QDragMoveEvent, QDropEvent, QPainter,
                           QResizeEvent, QWheelEvent)
from PySide6.QtWidgets import QFrame, QGraphicsScene, QGraphicsView, QWidget

from studio.widgets.builder.items import min_readable_scale
from studio.widgets.builder.palette import layer_from_mime_data


class BuilderView(QGraphicsView):
    """The scene's view. A palette drag reports `layer_drag_moved(scene_x, layer)` while over the view,
    `layer_drag_left()` when it leaves, and `layer_dropped(scene_x, layer)` on the drop."""

    layer_drag_moved = Signal(float, dict)
    layer_drag_left = Signal()
    layer_dropped = Signal(float, dict)

    def __init__(self, scene: QGraphicsScene, parent: QWidget | None = None):
        super().__init__(scene, parent)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setBackgroundBrush(QColor("#fbfcfe"))
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAcceptDrops(True)
        self.accepts_layers = True  # False while training: the network cannot change then

    def fit(self) -> None:
        rect = self.sceneRect()
        view = self.viewport().rect()
        if rect.isEmpty() or view.isEmpty():
            return
        scrolled = self._scrolled_center()
        scale = max(min_readable_scale(), min(1.0, view.width() / rect.width(), view.height() / rect.height()))
        self.resetTransform()
        self.scale(scale, scale)
        if rect.width() * scale <= view.width():
            self.centerOn(rect.center())
        elif scrolled is not None:
            self.centerOn(QPointF(scrolled.x(), rect.center().y()))  # where the user had scrolled to
        else:
            self.centerOn(QPointF(rect.left() + view.width() / scale / 2, rect.center().y()))  # the inputs first

    def _scrolled_center(self) -> QPointF | None:
        """The scene point at the viewport's centre when the drawing is wider than the view, else None."""
        bar = self.horizontalScrollBar()
        if bar.maximum() <= bar.minimum():
            return None
        return self.mapToScene(self.viewport().rect().center())

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 (Qt's name)
        vertical, horizontal = self.verticalScrollBar(), self.horizontalScrollBar()
        only_sideways = vertical.maximum() <= vertical.minimum() and horizontal.maximum() > horizontal.minimum()
        if only_sideways and not event.angleDelta().x():
            horizontal.setValue(horizontal.value() - event.angleDelta().y())  # nothing to scroll up and down
            event.accept()
            return
        super().wheelEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self.fit()

    # -- palette drops (handled here, not by the scene's items: a drop lands in a gap, not on an item) ---------
    def _scene_x(self, event: Any) -> float:
        return self.mapToScene(event.position().toPoint()).x()

    def _take_layer(self, event: QDragEnterEvent | QDragMoveEvent | QDropEvent) -> dict[str, Any] | None:
        """Accept the event as a copy if it carries a layer and the network may change now; the layer or None."""
        layer = layer_from_mime_data(event.mimeData()) if self.accepts_layers else None
        if layer is None:
            event.ignore()
        else:
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
        return layer

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        self.dragMoveEvent(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802
        layer = self._take_layer(event)
        if layer is not None:
            self.layer_drag_moved.emit(self._scene_x(event), layer)

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:  # noqa: N802
        self.layer_drag_left.emit()
        event.accept()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        layer = self._take_layer(event)
        self.layer_drag_left.emit()
        if layer is not None:
            self.layer_dropped.emit(self._scene_x(event), layer)
