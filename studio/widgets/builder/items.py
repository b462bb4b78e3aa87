"""The network builder's scene items: layer blocks with their buttons and the input column.

Items only draw and report what the mouse did (through signals); the `NetworkBuilder` turns that into Document
edits. Neurons are painted by their block (not one item each) and found by position on hover. With 2-D data a
trained (or training) network's neurons show thumbnails of their output over the input plane (`thumbnails`,
set by the builder); `ThumbnailZoomItem` shows the hovered one enlarged.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QImage, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsObject, QGraphicsSceneMouseEvent, QStyleOptionGraphicsItem

from studio.widgets.builder.button import ButtonItem
from studio.widgets.builder.layout import NODE_RADIUS, ColumnGeometry

HIDDEN_COLORS = (QColor("#eef3fb"), QColor("#5b7db1"))
OUTPUT_COLORS = (QColor("#fff3e0"), QColor("#d9822b"))
INPUT_COLORS = (QColor("#e8f5e9"), QColor("#4c9a5b"))
SELECTED_PEN = QColor("#1565c0")
HOVER_NODE = QColor("#ffca28")
TEXT = QColor("#1f2933")
MUTED = QColor("#6b7785")
DRAG_THRESHOLD = 6.0
SMALLEST_TEXT_PT = 8.0  # no builder text is smaller; the view never shrinks it below MIN_TEXT_PIXELS on screen
MIN_TEXT_PIXELS = 9.0
THUMBNAIL_SIZE = 28.0  # a neuron thumbnail: a square that fills most of the node pitch
ZOOM_SIZE = 132.0  # the hovered thumbnail, enlarged (screen pixels: it ignores the view's zoom)


def paint_thumbnail_node(painter: QPainter, center: QPointF, image: QImage, border: QColor, hovered: bool) -> None:
    """A neuron drawn as its output heatmap in a small square, framed (highlighted when hovered)."""
    half = THUMBNAIL_SIZE / 2
    rect = QRectF(center.x() - half, center.y() - half, THUMBNAIL_SIZE, THUMBNAIL_SIZE)
    painter.drawImage(rect, image)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.setPen(QPen(HOVER_NODE, 2.4) if hovered else QPen(border, 1.0))
    painter.drawRect(rect)


def min_readable_scale() -> float:
    """The smallest view scale at which the builder's smallest text is still MIN_TEXT_PIXELS tall on screen."""
    from PySide6.QtGui import QFontInfo
    pixels = QFontInfo(font(SMALLEST_TEXT_PT)).pixelSize()
    return min(1.0, MIN_TEXT_PIXELS / pixels) if pixels > 0 else 1.0


def font(size: float, bold: bool = False) -> QFont:
    """The builder's text: `size` points, optionally bold."""
    result = QFont()
    result.setPointSizeF(size)
    result.setBold(bold)
    return result


def layer_title(layer: dict[str, Any], is_output: bool) -> str:
    activation = layer["activation"].replace("_", " ")
    return f"Output · {activation}" if is_output else f"Dense {layer['units']} · {activation}"


def layer_badges(layer: dict[str, Any], is_output: bool = False) -> list[str]:
    """The extras a block shows under its title: batch norm, dropout p, residual skip, a non-default init."""
    badges = []
    if layer.get("batch_norm"):
        badges.append("BN")
    if layer.get("dropout", 0.0) > 0:
        badges.append(f"drop {layer['dropout']:g}")
    if layer.get("residual"):
        badges.append("skip")
    default_init = "xavier_uniform" if is_output else "auto"  # core.spec.output_layer starts with Xavier
    if layer.get("init", "auto") != default_init:
        badges.append(layer["init"].split("_")[0])
    return badges


class NodeHover:
    """Hover over a column's nodes (a mixin for its item): `unit_at` finds the node under the mouse; a change is
    painted and announced through the item's `_announce_hover(unit)`, −1 when the mouse leaves the nodes."""

    column: ColumnGeometry
    hovered_unit: int

    def unit_at(self, pos: QPointF) -> int:
        """The neuron under `pos` (item coordinates), or -1."""
        if not self.column.narrow:
            return -1
        reach = THUMBNAIL_SIZE / 2 + 2
        for unit in range(self.column.units):
            center = self.node_center(unit)
            if abs(pos.x() - center.x()) <= reach and abs(pos.y() - center.y()) <= reach:
                return unit
        return -1

    def _hover(self, unit: int) -> None:
        if unit != self.hovered_unit:
            self.hovered_unit = unit
            self.update()
            self._announce_hover(unit)

    def hoverMoveEvent(self, event: Any) -> None:  # noqa: N802
        self._hover(self.unit_at(event.pos()))

    def hoverLeaveEvent(self, event: Any) -> None:  # noqa: N802
        self._hover(-1)


class LayerBlockItem(NodeHover, QGraphicsObject):
    """One layer as a rounded block: title, badges, neurons (or a count), and its −, +, × buttons.

    Press-and-release selects it (`clicked`); dragging a hidden layer sideways moves it and, on release,
    reports where its centre ended up (`drag_finished(index, centre_x)`). Hovering a neuron reports
    `unit_hovered(index, unit)`, leaving it `unit_hovered(-1, -1)`.
    """

    clicked = Signal(int)
    drag_moved = Signal(int, float)
    drag_finished = Signal(int, float)
    unit_hovered = Signal(int, int)

    def __init__(self, column: ColumnGeometry, layer: dict[str, Any], is_output: bool, selected: bool):
        super().__init__()
        self.column = column
        self.layer = layer
        self.index = column.index
        self.is_output = is_output
        self.selected = selected
        self.hovered_unit = -1
        self.thumbnails: list[QImage] | None = None  # one per unit, set by the builder (2-D data only)
        self._press_x: float | None = None
        self._dragging = False
        self.setAcceptHoverEvents(True)
        self.setAcceptedMouseButtons(Qt.MouseButton.LeftButton)
        self.setToolTip("Click to inspect" + ("" if is_output else "; drag sideways to reorder; "
                                              "right-click for more"))
        c = column
        self.minus = ButtonItem("−", "Remove a neuron", self)
        self.plus = ButtonItem("+", "Add a neuron", self)
        footer_y = c.top + c.height - 15
        self.minus.setPos(c.x + 16, footer_y)
        self.plus.setPos(c.right - 16, footer_y)
        self.remove = ButtonItem("×", "Remove this layer", self, size=16, color=QColor("#c0392b"))
        self.remove.setPos(c.right - 12, c.top + 12)
        if is_output:
            for button in (self.minus, self.plus, self.remove):
                button.hide()
        elif layer["units"] <= 1:
            self.minus.set_enabled(False, "A layer needs at least one neuron")

    @property
    def colors(self) -> tuple[QColor, QColor]:
        return OUTPUT_COLORS if self.is_output else HIDDEN_COLORS

    def boundingRect(self) -> QRectF:  # noqa: N802
        c = self.column
        return QRectF(c.x - 2, c.top - 2, c.width + 4, c.height + 4)

    def block_rect(self) -> QRectF:
        c = self.column
        return QRectF(c.x, c.top, c.width, c.height)

    def node_center(self, unit: int) -> QPointF:
        return QPointF(self.column.center_x, self.column.node_y[unit])

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: Any = None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        fill, border = self.colors
        c = self.column
        pen = QPen(SELECTED_PEN, 2.6) if self.selected else QPen(border, 1.3)
        painter.setPen(pen)
        painter.setBrush(QBrush(fill))
        painter.drawRoundedRect(self.block_rect(), 10, 10)
        painter.setPen(TEXT)
        painter.setFont(font(9.5, bold=True))
        title_rect = QRectF(c.x + 7, c.top + 4, c.width - (30 if not self.is_output else 14), 18)
        title = QFontMetricsF(painter.font()).elidedText(layer_title(self.layer, self.is_output),
                                                         Qt.TextElideMode.ElideRight, title_rect.width())
        painter.drawText(title_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, title)
        self._paint_badges(painter)
        if c.narrow:
            self._paint_nodes(painter, border)
        else:
            self._paint_wide_body(painter, border)
        painter.setPen(MUTED)
        painter.setFont(font(8.5))
        has_buttons = self.minus.isVisible() or self.plus.isVisible()
        inset = 28 if has_buttons else 6
        footer = QRectF(c.x + inset, c.top + c.height - 26, c.width - 2 * inset, 22)
        units = self.layer["units"]
        text = f"{units} unit{'s' if units != 1 else ''}" + (" · fit to data" if not has_buttons else "")
        painter.drawText(footer, Qt.AlignmentFlag.AlignCenter, text)

    def _paint_badges(self, painter: QPainter) -> None:
        c = self.column
        painter.setFont(font(SMALLEST_TEXT_PT))
        metrics = QFontMetricsF(painter.font())
        x = c.x + 6
        for badge in layer_badges(self.layer, self.is_output):
            width = metrics.horizontalAdvance(badge) + 10
            rect = QRectF(x, c.top + 24, width, 15)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor("#d7e3f4") if not self.is_output else QColor("#fde2c2"))
            painter.drawRoundedRect(rect, 7, 7)
            painter.setPen(TEXT)
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, badge)
            x += width + 4

    def _paint_nodes(self, painter: QPainter, border: QColor) -> None:
        thumbnails = self.thumbnails
        if thumbnails is not None and len(thumbnails) == self.column.units:
            for unit, image in enumerate(thumbnails):
                paint_thumbnail_node(painter, self.node_center(unit), image, border, unit == self.hovered_unit)
            return
        for unit in range(self.column.units):
            painter.setPen(QPen(border, 1.2))
            painter.setBrush(HOVER_NODE if unit == self.hovered_unit else QColor("white"))
            painter.drawEllipse(self.node_center(unit), NODE_RADIUS, NODE_RADIUS)

    def _paint_wide_body(self, painter: QPainter, border: QColor) -> None:
        c = self.column
        body = QRectF(c.x + 14, c.body_top + 4, c.width - 28, c.body_bottom - c.body_top - 8)
        painter.setPen(QPen(border, 1.0, Qt.PenStyle.DashLine))
        painter.setBrush(QColor("white"))
        painter.drawRoundedRect(body, 8, 8)
        painter.setPen(TEXT)
        painter.setFont(font(16, bold=True))
        painter.drawText(body.adjusted(0, 0, 0, -18), Qt.AlignmentFlag.AlignCenter, f"{c.units:,}")
        painter.setPen(MUTED)
        painter.setFont(font(8.5))
        painter.drawText(body.adjusted(0, 30, 0, 0), Qt.AlignmentFlag.AlignCenter, "neurons")

    # -- mouse ----------------------------------------------------------------------------------------------
    def _announce_hover(self, unit: int) -> None:
        self.unit_hovered.emit(self.index if unit >= 0 else -1, unit)

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        self._press_x = event.scenePos().x()
        self._dragging = False
        event.accept()

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        if self._press_x is None or self.is_output:
            return
        dx = event.scenePos().x() - self._press_x
        if not self._dragging and abs(dx) >= DRAG_THRESHOLD:
            self._dragging = True
            self.setZValue(10)
            self.setOpacity(0.8)
            self.setCursor(Qt.CursorShape.ClosedHandCursor)
        if self._dragging:
            self.setPos(dx, 0)
            self.drag_moved.emit(self.index, self.column.center_x + dx)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        if self._press_x is None:
            return
        self._press_x = None
        if self._dragging:
            self._dragging = False
            self.unsetCursor()
            self.drag_finished.emit(self.index, self.column.center_x + self.pos().x())
        else:
            self.clicked.emit(self.index)


class InputColumnItem(NodeHover, QGraphicsObject):
    """The input column: one labelled node per feature when few, else a block "784 inputs". Hovering a node
    reports `unit_hovered(unit)`, leaving it `unit_hovered(-1)`."""

    unit_hovered = Signal(int)

    def __init__(self, column: ColumnGeometry, feature_names: list[str]):
        super().__init__()
        self.column = column
        self.feature_names = feature_names
        self.thumbnails: list[QImage] | None = None  # each input over the plane, set by the builder
        self.hovered_unit = -1
        self.setAcceptHoverEvents(True)
        self.setToolTip(f"{column.units} input features (set by the data set)")

    def _announce_hover(self, unit: int) -> None:
        self.unit_hovered.emit(unit)

    def boundingRect(self) -> QRectF:  # noqa: N802
        c = self.column
        return QRectF(c.x - 2, c.top - 2, c.width + 4, c.height + 4)

    def node_center(self, unit: int) -> QPointF:
        return QPointF(self.column.right - 18, self.column.node_y[unit])

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: Any = None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        fill, border = INPUT_COLORS
        c = self.column
        painter.setPen(QPen(border, 1.3))
        painter.setBrush(fill)
        painter.drawRoundedRect(QRectF(c.x, c.top, c.width, c.height), 10, 10)
        painter.setPen(TEXT)
        painter.setFont(font(9.5, bold=True))
        painter.drawText(QRectF(c.x + 6, c.top + 4, c.width - 12, 20), Qt.AlignmentFlag.AlignLeft, "Input")
        if not c.narrow:
            painter.setFont(font(16, bold=True))
            body = QRectF(c.x, c.body_top, c.width, c.body_bottom - c.body_top)
            painter.drawText(body.adjusted(0, 0, 0, -18), Qt.AlignmentFlag.AlignCenter, f"{c.units:,}")
            painter.setPen(MUTED)
            painter.setFont(font(8.5))
            painter.drawText(body.adjusted(0, 30, 0, 0), Qt.AlignmentFlag.AlignCenter, "inputs")
            return
        painter.setFont(font(SMALLEST_TEXT_PT))
        metrics = QFontMetricsF(painter.font())
        thumbnails = self.thumbnails if self.thumbnails is not None and len(self.thumbnails) == c.units else None
        for unit in range(c.units):
            center = self.node_center(unit)
            if thumbnails is not None:
                paint_thumbnail_node(painter, center, thumbnails[unit], border, unit == self.hovered_unit)
            else:
                painter.setPen(QPen(border, 1.2))
                painter.setBrush(QColor("white"))
                painter.drawEllipse(center, NODE_RADIUS, NODE_RADIUS)
            name = self.feature_names[unit] if unit < len(self.feature_names) else f"x{unit + 1}"
            label_width = c.width - 38
            painter.setPen(TEXT)
            painter.drawText(QRectF(c.x + 6, center.y() - 9, label_width, 18),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             metrics.elidedText(name, Qt.TextElideMode.ElideRight, label_width))


class ThumbnailZoomItem(QGraphicsItem):
    """The hovered neuron's thumbnail, enlarged, with its name: drawn at a fixed screen size beside the node
    (it ignores the view's zoom, so it stays readable when a large network is shown small)."""

    def __init__(self) -> None:
        super().__init__()
        self.image: QImage | None = None
        self.caption = ""
        self.setZValue(30)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.hide()

    def show_at(self, anchor: QPointF, image: QImage, caption: str) -> None:
        self.prepareGeometryChange()
        self.image, self.caption = image, caption
        self.setPos(anchor)
        self.show()
        self.update()

    def set_image(self, image: QImage) -> None:
        self.image = image
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802
        return QRectF(14, -ZOOM_SIZE / 2 - 22, ZOOM_SIZE + 8, ZOOM_SIZE + 30)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: Any = None) -> None:
        if self.image is None:
            return
        frame = QRectF(18, -ZOOM_SIZE / 2, ZOOM_SIZE, ZOOM_SIZE)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(255, 255, 255, 235))
        painter.drawRoundedRect(frame.adjusted(-4, -22, 4, 4), 6, 6)
        painter.drawImage(frame, self.image)
        painter.setPen(QPen(QColor("#1f2933"), 1.0))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(frame)
        painter.setFont(font(9))
        painter.drawText(QRectF(frame.x(), frame.y() - 20, frame.width(), 18), Qt.AlignmentFlag.AlignCenter,
                         self.caption)
