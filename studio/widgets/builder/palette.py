"""The layer palette: a strip of layer kinds to drag into a gap of the network (or click to add before the output).

A drag carries the new layer's spec as JSON under `LAYER_MIME_TYPE`; the builder's view accepts it, shows where
it would land, and inserts it through the same undoable Document edit as the "+ Add layer" button. The same
presets fill that button's menu, so the two never disagree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QMimeData, QPoint, Qt, Signal
from PySide6.QtGui import QDrag, QMouseEvent
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QToolButton, QWidget

from core.spec import default_layer

LAYER_MIME_TYPE = "application/x-backprop-studio-layer"


@dataclass(frozen=True)
class LayerPreset:
    """A kind of layer the palette offers: its chip text, its menu text and the spec it starts with."""

    chip: str
    name: str
    layer: dict[str, Any]


LAYER_PRESETS: tuple[LayerPreset, ...] = (
    LayerPreset("ReLU", "Dense layer (8, ReLU)", default_layer(8, "relu")),
    LayerPreset("tanh", "Dense layer (8, tanh)", default_layer(8, "tanh")),
    LayerPreset("sigmoid", "Dense layer (8, sigmoid)", default_layer(8, "sigmoid")),
    LayerPreset("leaky ReLU", "Dense layer (8, leaky ReLU)", default_layer(8, "leaky_relu")),
    LayerPreset("GELU", "Dense layer (8, GELU)", default_layer(8, "gelu")),
    LayerPreset("+ BN", "Dense + batch norm", {**default_layer(8, "relu"), "batch_norm": True}),
    LayerPreset("+ dropout", "Dense + dropout 0.2", {**default_layer(8, "relu"), "dropout": 0.2}),
)


def layer_mime_data(layer: dict[str, Any]) -> QMimeData:
    """What a palette drag carries: the new layer's spec as JSON."""
    mime = QMimeData()
    mime.setData(LAYER_MIME_TYPE, json.dumps(layer).encode("utf-8"))
    mime.setText(f"Dense {layer['units']} · {layer['activation']}")  # for drops into text fields
    return mime


def layer_from_mime_data(mime: QMimeData) -> dict[str, Any] | None:
    """The layer a drag carries, or None if it carries none (another app's drag, or damaged JSON)."""
    if not mime.hasFormat(LAYER_MIME_TYPE):
        return None
    try:
        layer = json.loads(bytes(mime.data(LAYER_MIME_TYPE).data()).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    return layer if isinstance(layer, dict) else None


class PaletteChip(QToolButton):
    """One layer kind: click to add it before the output, or drag it into a gap of the network."""

    def __init__(self, preset: LayerPreset, parent: QWidget | None = None):
        super().__init__(parent)
        self.preset = preset
        self.setText(preset.chip)
        self.setToolTip(f"{preset.name}: drag into a gap between layers, or click to add before the output")
        self.setCursor(Qt.CursorShape.OpenHandCursor)
        self.setAutoRaise(False)
        self.setStyleSheet(
            "QToolButton { background: #eef3fb; border: 1px solid #9db3d6; border-radius: 9px;"
            " padding: 1px 6px; color: #1f2933; }"
            "QToolButton:hover { background: #dce7f7; }"
            "QToolButton:disabled { color: #9aa4ae; border-color: #d3d9e0; background: #f4f6f8; }")
        self._press_pos: QPoint | None = None

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt's name)
        if event.button() == Qt.MouseButton.LeftButton:
            self._press_pos = event.position().toPoint()
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._press_pos is None or not event.buttons() & Qt.MouseButton.LeftButton:
            return super().mouseMoveEvent(event)
        if (event.position().toPoint() - self._press_pos).manhattanLength() < QApplication.startDragDistance():
            return None
        self._press_pos = None
        self.setDown(False)  # a drag is not a click: releasing must not also add the layer
        drag = QDrag(self)
        drag.setMimeData(layer_mime_data(self.preset.layer))
        drag.setPixmap(self.grab())
        drag.setHotSpot(event.position().toPoint())
        drag.exec(Qt.DropAction.CopyAction)
        return None

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self._press_pos = None
        super().mouseReleaseEvent(event)


class LayerPalette(QWidget):
    """The strip of chips; `preset_clicked(layer)` when one is clicked rather than dragged."""

    preset_clicked = Signal(dict)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        title = QLabel("Drag in:", self)
        title.setStyleSheet("color: #4a5561;")
        layout.addWidget(title)
        self.chips: list[PaletteChip] = []
        for preset in LAYER_PRESETS:
            chip = PaletteChip(preset, self)
            chip.clicked.connect(lambda _=False, layer=preset.layer: self.preset_clicked.emit(dict(layer)))
            layout.addWidget(chip)
            self.chips.append(chip)
        layout.addStretch(1)

    def set_editable(self, editable: bool) -> None:
        for chip in self.chips:
            chip.setEnabled(editable)
            chip.setToolTip(f"{chip.preset.name}: drag into a gap between layers, or click to add before the "
                            "output" if editable else "Pause training to change the network")
