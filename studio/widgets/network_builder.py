"""The network builder: the document's network drawn left to right, edited by clicks, keys and drags.

Input on the left, output on the right; each layer is a block with its width, activation and extras, neurons as
circles for narrow layers. Blocks carry − / + (neurons) and × (remove) buttons; ⊕ buttons in the gaps, the "Add
layer" button and the palette strip (drag a layer kind into a gap) insert layers; dragging a hidden block sideways
reorders it; the context menu adds, duplicates and removes. Every change goes through the Document's undoable edit
methods; the drawing is rebuilt from the document's spec whenever it changes, so undo and redo redraw by themselves.

Watching a run (`watch_training`, in `builder.watching`): with 2-D data each neuron shows its output over the
input plane as a thumbnail, enlarged on hover, and the edges follow the weights live. Hovering an edge shows its
weight; clicking it edits the weight as one undoable edit (`builder.weight_edits`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from PySide6.QtCore import QPoint, QPointF, Qt, Signal
from PySide6.QtGui import QAction, QColor, QPen
from PySide6.QtWidgets import QGraphicsScene, QHBoxLayout, QLabel, QMenu, QToolButton, QVBoxLayout, QWidget

from core.network.grid_prediction import GridPrediction
from core.network.layout import layer_views
from core.spec.parameter_count import parameter_count
from core.spec import Spec, SpecError, default_layer
from studio.document import Document
from studio.plots.redraw_throttle import RedrawThrottle
from studio.widgets.builder.button import ButtonItem
from studio.widgets.builder.connections import EdgesItem, SkipArrowItem
from studio.widgets.builder.items import (InputColumnItem, LayerBlockItem, ThumbnailZoomItem, font, layer_badges,
                                          layer_title)
from studio.widgets.builder.layout import column_gap, drop_index, gap_x, insert_index, layout_network
from studio.widgets.builder.palette import LAYER_PRESETS, LayerPalette
from studio.widgets.builder.selection import follow_layer
from studio.widgets.builder.spec_edits import binary_output_state, is_binary_dataset, set_binary_output
from studio.widgets.builder.view import BuilderView
from studio.widgets.builder.watching import THUMBNAIL_REFRESH, WatchesTraining
from studio.widgets.builder.weight_edits import EditsEdgeWeights

# What "Add layer" and the palette strip can insert (menu text → how the new hidden layer starts).
PALETTE: dict[str, dict[str, Any]] = {preset.name: preset.layer for preset in LAYER_PRESETS}


class NetworkBuilder(WatchesTraining, EditsEdgeWeights, QWidget):
    """The central editor. `layer_selected(index)` on a click; `neuron_hovered(layer, unit)`, (-1, -1) off."""

    layer_selected = Signal(int)
    neuron_hovered = Signal(int, int)

    def __init__(self, document: Document, parent: QWidget | None = None):
        super().__init__(parent)
        self.document = document
        self.selected_index = 0
        self._layers_seen: list[dict[str, Any]] = document.spec.layers  # what `selected_index` refers to
        self.blocks: list[LayerBlockItem] = []
        self.edges: EdgesItem | None = None
        self.inputs_item: InputColumnItem | None = None
        self.zoom: ThumbnailZoomItem | None = None
        self.prediction: GridPrediction | None = None  # the newest grid prediction received
        self.thumbnails: list[list[Any]] | None = None  # [input images, layer 0 images, …] of the shown prediction
        self.live_weights: list[np.ndarray] | None = None  # the shown prediction's weight matrices (during a run)
        self._zoomed: tuple[int, int] | None = None  # (layer, unit) enlarged; layer −1: an input
        self._inputs_seen: tuple[Any, Any] = (None, None)  # (the grid's input array, its images)
        self._retired: list[Any] = []
        self.insert_buttons: dict[int, ButtonItem] = {}
        self.scene = QGraphicsScene(self)
        self.view = BuilderView(self.scene, self)
        self.view.customContextMenuRequested.connect(self._on_context_menu)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.layer_drag_moved.connect(self._on_palette_drag_moved)
        self.view.layer_drag_left.connect(self._hide_drop_marker)
        self.view.layer_dropped.connect(self._on_palette_drop)
        self.add_button = QToolButton(self)
        self.add_button.setText("+ Add layer")
        self.add_button.setToolTip("Insert a hidden layer before the output layer (the arrow offers presets)")
        self.add_button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        self.add_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.add_button.clicked.connect(lambda: self.add_layer(default_layer(8, "relu")))
        menu = QMenu(self.add_button)
        for name, layer in PALETTE.items():
            menu.addAction(name, lambda layer=layer: self.add_layer(layer))
        self.add_button.setMenu(menu)
        self.palette = LayerPalette(self)
        self.palette.preset_clicked.connect(self.add_layer)
        self.summary = QLabel(self)
        self.summary.setStyleSheet("color: #4a5561;")
        self.error_label = QLabel(self)
        self.error_label.setStyleSheet("color: #c62828;")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        hint = QLabel("Click a layer to inspect it · drag it sideways to reorder · right-click for more", self)
        hint.setStyleSheet("color: #8a949e; font-size: 11px;")
        top = QHBoxLayout()
        top.addWidget(self.add_button)
        top.addSpacing(8)
        top.addWidget(self.palette, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.summary, 1)
        bottom.addWidget(hint)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(self.error_label)
        layout.addWidget(self.view, 1)
        layout.addLayout(bottom)
        self._actions()
        for changed in (document.spec_changed, document.data_changed, document.weights_changed):
            changed.connect(self.rebuild)
        document.training_changed.connect(lambda *_: self.rebuild())
        self.throttle = RedrawThrottle(self, self._show_prediction, max_per_second=THUMBNAIL_REFRESH)
        self.rebuild()

    # -- keyboard -------------------------------------------------------------------------------------------
    def _actions(self) -> None:
        """Delete removes the selected layer, + and − change its width, ← and → move the selection."""
        for keys, slot in ((("Delete", "Backspace"), lambda: self.remove_layer(self.selected_index)),
                           (("+", "="), lambda: self.change_units(self.selected_index, +1)),
                           (("-",), lambda: self.change_units(self.selected_index, -1)),
                           (("Left",), lambda: self.select_layer(max(0, self.selected_index - 1))),
                           (("Right",), lambda: self.select_layer(
                               min(len(self.document.spec.layers) - 1, self.selected_index + 1)))):
            action = QAction(self)
            action.setShortcuts(list(keys))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(slot)
            self.addAction(action)

    # -- drawing --------------------------------------------------------------------------------------------
    def _feature_names(self, width: int) -> list[str]:
        """The network's inputs by name: the feature transform's (x², sin x) when one is set, else the data set's
        columns; x1, x2, … only when neither fits."""
        dataset = self.document.dataset
        names = list(dataset.feature_names) if dataset is not None else []
        transform = self.document.data_config.get("feature_transform") or []
        if transform:
            from core.data.errors import DataError
            from core.data.feature_transform import FeatureTransform
            try:
                names = FeatureTransform(list(transform)).names
            except DataError:
                pass
        return names if len(names) == width else [f"x{i + 1}" for i in range(width)]

    def _edge_weights(self, spec: dict[str, Any], flat: np.ndarray | None = None) -> list[np.ndarray] | None:
        """Each layer's (fan_in, fan_out) weight matrix from a flat parameter buffer (default: the document's
        trained weights) when it fits the spec, else None. Core owns the layout: `layer_views` cuts it."""
        if flat is None:
            state = self.document.weights
            if not state or "params" not in state:
                return None
            flat = state["params"]
        try:
            return [view.weight for view in layer_views(spec, np.asarray(flat))]
        except ValueError:
            return None

    def rebuild(self) -> None:
        """Redraw the whole network from the document's spec (a handful of items: cheap); the selection follows
        its layer through the change (undo, redo, edits from other panels) and is announced if it moved."""
        spec = self.document.spec
        layers = spec.layers
        followed = follow_layer(self._layers_seen, layers, self.selected_index)
        moved, self.selected_index, self._layers_seen = followed != self.selected_index, followed, layers
        self._retire_items()
        self.blocks = []
        self.insert_buttons = {}
        columns = layout_network(spec)
        self.columns = columns
        self.feature_names = self._feature_names(spec.input_size)
        self.edges = EdgesItem(columns, self._edge_weights(spec), describe=self.node_name)
        self.edges.edge_clicked.connect(self.edit_edge_weight)
        self.edges.set_cached(not self._is_training())
        self.scene.addItem(self.edges)
        self.inputs_item = InputColumnItem(columns[0], self.feature_names)
        self.inputs_item.unit_hovered.connect(lambda unit: self._on_unit_hovered(-1, unit))
        self.scene.addItem(self.inputs_item)
        self.zoom = ThumbnailZoomItem()
        self.scene.addItem(self.zoom)
        self._zoomed = None
        editable = not self._is_training()
        for column, layer in zip(columns[1:], layers):
            is_output = column.index == len(layers) - 1
            block = LayerBlockItem(column, layer, is_output, column.index == self.selected_index)
            block.clicked.connect(self.select_layer)
            block.drag_moved.connect(self._on_drag_moved)
            block.drag_finished.connect(self._on_drag_finished)
            block.unit_hovered.connect(self.neuron_hovered)
            block.unit_hovered.connect(lambda layer, unit, index=column.index: self._on_unit_hovered(index, unit))
            index = column.index
            block.minus.clicked.connect(lambda index=index: self.change_units(index, -1))
            block.plus.clicked.connect(lambda index=index: self.change_units(index, +1))
            block.remove.clicked.connect(lambda index=index: self.remove_layer(index))
            if is_output:
                self._offer_binary_switch(block, spec)
            for button in (block.minus, block.plus, block.remove):
                if not editable:
                    button.set_enabled(False, "Pause training to change the network")
            self.scene.addItem(block)
            self.blocks.append(block)
            if layer["residual"]:
                self.scene.addItem(SkipArrowItem(columns[column.index], column))
        bottom = max(c.top + c.height for c in columns)
        for left, right in zip(columns, columns[1:]):
            index = right.index  # inserting at the right-hand layer's index puts the new layer in this gap
            button = ButtonItem("+", "Insert a layer here", size=20, color=QColor("#2e7d32"))
            button.setPos((left.right + right.x) / 2, bottom + 22)
            button.clicked.connect(lambda index=index: self.insert_layer(index))
            button.set_enabled(editable, None if editable else "Pause training to change the network")
            self.scene.addItem(button)
            self.insert_buttons[index] = button
        self.drop_marker = self.scene.addLine(0, 0, 0, 0, QPen(QColor("#2e7d32"), 4))
        self.drop_marker.setZValue(5)
        self.drop_marker.hide()
        self.drop_label = self.scene.addSimpleText("")
        self.drop_label.setFont(font(9, bold=True))
        self.drop_label.setBrush(QColor("#2e7d32"))
        self.drop_label.setZValue(5)
        self.drop_label.hide()
        self.scene.setSceneRect(self.scene.itemsBoundingRect().adjusted(-24, -24, 24, 24))
        self.view.fit()
        self._apply_thumbnails()
        self.add_button.setEnabled(editable)
        self.palette.set_editable(editable)
        self.view.accepts_layers = editable
        self._update_summary(spec)
        if moved:
            self.layer_selected.emit(self.selected_index)

    def _offer_binary_switch(self, block: LayerBlockItem, spec: dict[str, Any]) -> None:
        """On a two-class set the output block's − / + switch between 2 softmax units and 1 sigmoid unit."""
        state = binary_output_state(spec) if is_binary_dataset(self.document) else ""
        if state == "softmax":
            block.minus.show()
            block.minus.setToolTip("Use one sigmoid output unit (binary cross-entropy) instead of two softmax units")
        elif state == "sigmoid":
            block.plus.show()
            block.plus.setToolTip("Use two softmax output units (cross-entropy) instead of one sigmoid unit")

    def _retire_items(self) -> None:
        """Take every item off the scene but keep it alive until the next rebuild: the edit that caused this
        rebuild may come from one of them, still inside its mouse handler."""
        retired = [item for item in self.scene.items() if item.parentItem() is None]
        for item in retired:
            self.scene.removeItem(item)
        self._retired = retired

    def _update_summary(self, spec: Spec) -> None:
        widths = [spec.input_size] + [layer.units for layer in spec.layers]
        parameters = parameter_count(spec)  # core's count: batch norm's γ and β included, as the inspector says
        self.summary.setText(f"{'-'.join(map(str, widths))}  ·  {parameters:,} parameters")

    def _is_training(self) -> bool:
        return self.document.is_training

    # -- selection and hover --------------------------------------------------------------------------------
    def select_layer(self, index: int) -> None:
        self.selected_index = index
        for block in self.blocks:
            block.selected = block.index == index
            block.update()
        self.view.setFocus()
        self.layer_selected.emit(index)

    # -- edits (each one Document call = one undo step) ------------------------------------------------------
    def _edit(self, edit: Callable[[], object]) -> bool:
        """Make a Document edit (`edit()`, e.g. `lambda: document.set_units(i, 8)`); show a refusal (SpecError)
        above the drawing instead of raising."""
        try:
            edit()
        except SpecError as error:
            self.error_label.setText(str(error))
            self.error_label.show()
            return False
        self.error_label.hide()
        return True

    def change_units(self, index: int, delta: int) -> None:
        spec = self.document.spec
        layers = spec.layers
        if index == len(layers) - 1:
            self._change_output_units(spec, delta)
            return
        if not 0 <= index < len(layers) - 1:
            return
        units = layers[index]["units"] + delta
        if units >= 1:
            self._edit(lambda: self.document.set_units(index, units))

    def _change_output_units(self, spec: dict[str, Any], delta: int) -> None:
        """The output follows the data; on a two-class set − / + switch to one sigmoid unit and back."""
        state = binary_output_state(spec)
        if is_binary_dataset(self.document) and (state, delta) in (("softmax", -1), ("sigmoid", +1)):
            self._edit(lambda: set_binary_output(self.document, sigmoid=delta < 0))

    def add_layer(self, layer: dict[str, Any] | None = None) -> None:
        """Insert a hidden layer just before the output layer and select it."""
        self.insert_layer(len(self.document.spec.layers) - 1, layer)

    def insert_layer(self, index: int, layer: dict[str, Any] | None = None) -> None:
        if self._edit(lambda: self.document.insert_layer(index, dict(layer) if layer else None)):
            self.select_layer(index)

    def remove_layer(self, index: int) -> None:
        if 0 <= index < len(self.document.spec.layers) - 1:
            self._edit(lambda: self.document.remove_layer(index))
            self.select_layer(min(index, len(self.document.spec.layers) - 1))

    def duplicate_layer(self, index: int) -> None:
        if self._edit(lambda: self.document.duplicate_layer(index)):
            self.select_layer(index + 1)

    def move_layer(self, source: int, destination: int) -> None:
        if source != destination and self._edit(lambda: self.document.move_layer(source, destination)):
            self.select_layer(destination)

    def _on_drag_moved(self, index: int, center_x: float) -> None:
        """Show where the dragged layer would land: a green bar in the gap before its new neighbour."""
        destination = drop_index(self.columns, center_x, index)
        if destination == index:
            self.drop_marker.hide()
            return
        hidden = [c for c in self.columns[1:] if c.index != index]
        before = hidden[destination]  # the layer the dragged one will precede (the output at the end)
        self._show_drop_marker(before.x - column_gap(self.columns) / 2)

    def _show_drop_marker(self, x: float) -> float:
        """The green bar at scene x, as tall as the drawing; returns its top."""
        top = min(c.top for c in self.columns)
        bottom = max(c.top + c.height for c in self.columns)
        self.drop_marker.setLine(x, top, x, bottom)
        self.drop_marker.show()
        return top

    def _on_drag_finished(self, index: int, center_x: float) -> None:
        destination = drop_index(self.columns, center_x, index)
        if destination == index:
            self.rebuild()  # snap the block back
        else:
            self.move_layer(index, destination)
            self.rebuild()

    def _on_palette_drag_moved(self, scene_x: float, layer: dict[str, Any]) -> None:
        """Show where a layer dragged in from the palette would land: a green bar in that gap, named above it."""
        x = gap_x(self.columns, insert_index(self.columns, scene_x))
        top = self._show_drop_marker(x)
        self.drop_label.setText("+ " + " · ".join([layer_title(layer, is_output=False), *layer_badges(layer)]))
        label = self.drop_label.boundingRect()
        self.drop_label.setPos(x - label.width() / 2, top - label.height() - 4)
        self.drop_label.show()

    def _hide_drop_marker(self) -> None:
        self.drop_marker.hide()
        self.drop_label.hide()

    def _on_palette_drop(self, scene_x: float, layer: dict[str, Any]) -> None:
        self.insert_layer(insert_index(self.columns, scene_x), layer)

    # -- context menu ---------------------------------------------------------------------------------------
    def block_at(self, view_pos: QPoint) -> LayerBlockItem | None:
        for item in self.view.items(view_pos):
            while item is not None and not isinstance(item, LayerBlockItem):
                item = item.parentItem()
            if item is not None:
                return item
        return None

    def context_menu_for(self, index: int | None) -> QMenu:
        """The actions offered on layer `index` (None: on the empty canvas)."""
        menu = QMenu(self)
        layers = len(self.document.spec.layers)
        editable = not self._is_training()
        if index is None:
            menu.addAction("Add layer", self.add_layer).setEnabled(editable)
            return menu
        is_output = index == layers - 1
        menu.addAction("Add layer before", lambda: self.insert_layer(index)).setEnabled(editable)
        menu.addAction("Add layer after", lambda: self.insert_layer(index + 1)).setEnabled(
            editable and not is_output)
        menu.addSeparator()
        menu.addAction("Duplicate", lambda: self.duplicate_layer(index)).setEnabled(editable and not is_output)
        menu.addAction("Remove", lambda: self.remove_layer(index)).setEnabled(editable and not is_output)
        return menu

    def _on_context_menu(self, view_pos: QPoint) -> None:
        block = self.block_at(view_pos)
        if block is not None:
            self.select_layer(block.index)
        self.context_menu_for(block.index if block else None).exec(self.view.viewport().mapToGlobal(view_pos))

    def scene_point_in_view(self, point: QPointF) -> QPoint:
        """Viewport coordinates of a scene point (for tests and tooltips)."""
        return self.view.mapFromScene(point)


__all__ = ["NetworkBuilder", "PALETTE"]
