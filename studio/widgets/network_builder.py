"""The network builder: the document's network drawn left to right, edited by clicks, keys and drags.

Input on the left, output on the right; each layer is a block with its width, activation and extras, neurons as
circles for narrow layers. Blocks carry − / + (neurons) and × (remove) buttons; ⊕ buttons in the gaps, the "Add
layer" button and the palette strip (drag a layer kind into a gap) insert layers; dragging a hidden block sideways
reorders it; the context menu adds, duplicates and removes. Every change goes through the Document's undoable edit
methods; the drawing is rebuilt from the document's spec whenever it changes, so undo and redo redraw by themselves.

Watching a run (`watch_training`): with 2-D data each neuron shows its output over the input plane as a thumbnail
and the edges follow the weights live, both from the worker's grid predictions (never computed here), redrawn at
most `THUMBNAIL_REFRESH` times a second without rebuilding the scene. Hovering a node enlarges its thumbnail;
hovering an edge shows its weight, and clicking it edits the weight as an undoable edit.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QPoint, QPointF, Qt, Signal
from PySide6.QtGui import QAction, QColor, QPen
from PySide6.QtWidgets import (QGraphicsScene, QHBoxLayout, QInputDialog, QLabel, QMenu, QToolButton, QVBoxLayout,
                               QWidget)

from core.network.layout import layer_views
from core.spec import SpecError, default_layer
from studio.commands import edge_weight_command
from studio.plots.redraw_throttle import RedrawThrottle
from studio.widgets.builder.button import ButtonItem
from studio.widgets.builder.connections import EdgesItem, SkipArrowItem
from studio.widgets.builder.items import (InputColumnItem, LayerBlockItem, ThumbnailZoomItem, font, layer_badges,
                                          layer_title)
from studio.widgets.builder.layout import MAX_NODES, column_gap, drop_index, gap_x, insert_index, layout_network
from studio.widgets.builder.palette import LAYER_PRESETS, LayerPalette
from studio.widgets.builder.selection import follow_layer
from studio.widgets.builder.spec_edits import binary_output_state, is_binary_dataset, set_binary_output
from studio.widgets.builder.thumbnails import layer_images
from studio.widgets.builder.view import BuilderView

# What "Add layer" and the palette strip can insert (menu text → how the new hidden layer starts).
PALETTE: dict[str, dict[str, Any]] = {preset.name: preset.layer for preset in LAYER_PRESETS}
THUMBNAIL_REFRESH = 5  # thumbnail and live-edge redraws a second at most (predictions come ≤ 5 a second anyway)


class NetworkBuilder(QWidget):
    """The central editor. `layer_selected(index)` on a click; `neuron_hovered(layer, unit)`, (-1, -1) off."""

    layer_selected = Signal(int)
    neuron_hovered = Signal(int, int)

    def __init__(self, document: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.document = document
        self.selected_index = 0
        self._layers_seen: list[dict[str, Any]] = document.spec["layers"]  # what `selected_index` refers to
        self.blocks: list[LayerBlockItem] = []
        self.edges: EdgesItem | None = None
        self.inputs_item: InputColumnItem | None = None
        self.zoom: ThumbnailZoomItem | None = None
        self.prediction: Any = None  # the newest GridPrediction received (studio.training.grid_prediction)
        self.thumbnails: list[list[Any]] | None = None  # [input images, layer 0 images, …] of the shown prediction
        self.live_weights: list[Any] | None = None  # the shown prediction's weight matrices (during a run)
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
        document.spec_changed.connect(self.rebuild)
        for name in ("data_changed", "weights_changed"):
            getattr(document, name).connect(self.rebuild)
        if hasattr(document, "training_changed"):
            document.training_changed.connect(lambda *_: self.rebuild())
        self.throttle = RedrawThrottle(self, self._show_prediction, max_per_second=THUMBNAIL_REFRESH)
        self.rebuild()

    def watch_training(self, controller: Any) -> None:
        """Follow a training controller's grid predictions: live thumbnails and edges."""
        controller.prediction.connect(self.set_prediction)
        controller.weights_reset.connect(self.clear_prediction)

    # -- keyboard -------------------------------------------------------------------------------------------
    def _actions(self) -> None:
        """Delete removes the selected layer, + and − change its width, ← and → move the selection."""
        for keys, slot in ((("Delete", "Backspace"), lambda: self.remove_layer(self.selected_index)),
                           (("+", "="), lambda: self.change_units(self.selected_index, +1)),
                           (("-",), lambda: self.change_units(self.selected_index, -1)),
                           (("Left",), lambda: self.select_layer(max(0, self.selected_index - 1))),
                           (("Right",), lambda: self.select_layer(
                               min(len(self.document.spec["layers"]) - 1, self.selected_index + 1)))):
            action = QAction(self)
            action.setShortcuts(list(keys))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(slot)
            self.addAction(action)

    # -- drawing --------------------------------------------------------------------------------------------
    def _feature_names(self, width: int) -> list[str]:
        """The network's inputs by name: the feature transform's (x², sin x) when one is set, else the data set's
        columns; x1, x2, … only when neither fits."""
        names = list(getattr(getattr(self.document, "dataset", None), "feature_names", []) or [])
        transform = (getattr(self.document, "data_config", None) or {}).get("feature_transform") or []
        if transform:
            from core.data.errors import DataError
            from core.data.feature_transform import FeatureTransform
            try:
                names = FeatureTransform(list(transform)).names
            except DataError:
                pass
        return names if len(names) == width else [f"x{i + 1}" for i in range(width)]

    def _edge_weights(self, spec: dict[str, Any], flat: Any = None) -> list[Any] | None:
        """Each layer's (fan_in, fan_out) weight matrix from a flat parameter buffer (default: the document's
        trained weights) when it fits the spec, else None. Core owns the layout: `layer_views` cuts it."""
        if flat is None:
            state = getattr(self.document, "weights", None)
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
        layers = spec["layers"]
        followed = follow_layer(self._layers_seen, layers, self.selected_index)
        moved, self.selected_index, self._layers_seen = followed != self.selected_index, followed, layers
        self._retire_items()
        self.blocks = []
        self.insert_buttons = {}
        columns = layout_network(spec)
        self.columns = columns
        self.feature_names = self._feature_names(spec["input_size"])
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

    def _update_summary(self, spec: dict[str, Any]) -> None:
        widths = [spec["input_size"]] + [layer["units"] for layer in spec["layers"]]
        parameters = sum((a + 1) * b for a, b in zip(widths, widths[1:]))
        self.summary.setText(f"{'-'.join(map(str, widths))}  ·  {parameters:,} parameters")

    def _is_training(self) -> bool:
        return bool(getattr(self.document, "is_training", False))

    # -- watching a run: thumbnails and live edges -----------------------------------------------------------
    def set_prediction(self, prediction: Any) -> None:
        """A new grid prediction from the worker: stored now, drawn at the throttle's pace."""
        self.prediction = prediction
        self.throttle.request()

    def clear_prediction(self) -> None:
        self.throttle.cancel()
        self.prediction, self.thumbnails, self.live_weights = None, None, None
        self._apply_thumbnails()

    def _show_prediction(self) -> None:
        """Turn the newest prediction into thumbnails (and, during a run, edge weights) and repaint the items."""
        prediction, spec = self.prediction, self.document.spec
        activations = getattr(prediction, "activations", None)
        if prediction is None or activations is None or prediction.grid.dims != 2 or \
                [a.shape[2] for a in activations] != [layer["units"] for layer in spec["layers"]]:
            self.thumbnails = None  # no maps (wide network, 1-D data) or maps of another network
        else:
            layers = spec["layers"]
            self.thumbnails = [self._input_images(prediction.inputs)] + [
                layer_images(maps, layer["activation"], i == len(layers) - 1) if layer["units"] <= MAX_NODES else None
                for i, (maps, layer) in enumerate(zip(activations, layers))]
        params = getattr(prediction, "params", None)
        self.live_weights = self._edge_weights(spec, params) if params is not None and self._is_training() else None
        self._apply_thumbnails()

    def _input_images(self, inputs: Any) -> Any:
        """The inputs' thumbnails: the same for a whole run (the worker sends one array), so made once."""
        if inputs is None:
            return None
        if self._inputs_seen[0] is not inputs:
            self._inputs_seen = (inputs, layer_images(inputs, "linear"))
        return self._inputs_seen[1]

    def _thumbnails_are_current(self) -> bool:
        """During a run, always; after it, only while the document's weights are those the maps were made with
        (a weight edited by hand, a reset or another project makes them stale until the next prediction)."""
        if self._is_training():
            return True
        weights = getattr(self.document, "weights", None)
        params = getattr(self.prediction, "params", None)
        return bool(weights) and params is not None and np.array_equal(np.asarray(weights.get("params")), params)

    def _apply_thumbnails(self) -> None:
        """Hand the current thumbnails and live weights to the scene's items (after a rebuild too)."""
        thumbnails = self.thumbnails if self._thumbnails_are_current() else None
        if self.inputs_item is not None:
            images = thumbnails[0] if thumbnails else None
            images = images if images and len(images) == self.inputs_item.column.units else None
            if images is not self.inputs_item.thumbnails:  # (constant during a run: no repaint)
                self.inputs_item.thumbnails = images
                self.inputs_item.update()
        for block in self.blocks:
            images = thumbnails[block.index + 1] if thumbnails and block.index + 1 < len(thumbnails) else None
            block.thumbnails = images if images and len(images) == block.column.units else None
            block.update()
        if self.edges is not None and self.live_weights is not None:
            self.edges.set_weights(self.live_weights)
        if self._zoomed is not None and self.zoom is not None:
            image = self._zoom_image(*self._zoomed)
            if image is None:
                self.zoom.hide()
            else:
                self.zoom.set_image(image)

    def _thumbnail(self, layer: int, unit: int) -> Any:
        item = self.inputs_item if layer < 0 else (self.blocks[layer] if layer < len(self.blocks) else None)
        images = getattr(item, "thumbnails", None)
        return images[unit] if images is not None and 0 <= unit < len(images) else None

    def _zoom_image(self, layer: int, unit: int) -> Any:
        """The enlarged view of a node that shows a thumbnail: its map at the grid's full resolution."""
        if self._thumbnail(layer, unit) is None:
            return None
        prediction, layers = self.prediction, self.document.spec["layers"]
        maps = prediction.inputs if layer < 0 else prediction.activations[layer]
        activation = "linear" if layer < 0 else layers[layer]["activation"]
        return layer_images(maps, activation, layer == len(layers) - 1, resolution=None,
                            units=slice(unit, unit + 1))[0]

    def _on_unit_hovered(self, layer: int, unit: int) -> None:
        """Hovering a node with a thumbnail shows it enlarged beside the node; leaving it hides it."""
        image = self._zoom_image(layer, unit) if unit >= 0 else None
        if image is None or self.zoom is None:
            self._zoomed = None
            if self.zoom is not None:
                self.zoom.hide()
            return
        self._zoomed = (layer, unit)
        item = self.inputs_item if layer < 0 else self.blocks[layer]
        center = item.node_center(unit)
        self.zoom.show_at(center, image, self.node_name(layer, unit))

    def node_name(self, layer: int, unit: int) -> str:
        """How a node is called in tooltips and undo texts: an input by its feature name, else its layer."""
        if layer < 0:
            names = getattr(self, "feature_names", [])
            return f"input {names[unit]}" if unit < len(names) else f"input {unit + 1}"
        layers = self.document.spec["layers"]
        where = "output" if layer == len(layers) - 1 else f"layer {layer + 1}"
        return f"{where}, neuron {unit + 1}"

    # -- editing a weight -------------------------------------------------------------------------------------
    def edit_edge_weight(self, layer: int, source: int, target: int) -> None:
        """Ask for a new value of the clicked edge's weight and set it as one undoable edit."""
        if self._is_training():
            self._show_error("Stop training to edit a weight.")
            return
        weight = self.edges.weight(layer, source, target) if self.edges is not None else None
        if weight is None:
            self._show_error("Train the network first: then click an edge to edit its weight.")
            return
        text = self.ask_weight(f"Weight from {self.node_name(layer - 1, source)} to {self.node_name(layer, target)}:",
                               weight)
        if text is not None:
            self.set_edge_weight(layer, source, target, text)

    def ask_weight(self, label: str, current: float) -> str | None:
        """The user's answer as typed, or None when cancelled (tests replace this)."""
        text, ok = QInputDialog.getText(self, "Edit weight", label, text=f"{current:.6g}")
        return text if ok else None

    def set_edge_weight(self, layer: int, source: int, target: int, text: str) -> bool:
        """Set one weight from typed text; a refusal (not a finite number, a run in progress) shows above the
        drawing and changes nothing."""
        try:
            value = float(str(text).strip().replace(",", "."))
        except ValueError:
            self._show_error(f"A weight must be a number; {text!r} is not one.")
            return False
        try:
            command = edge_weight_command(self.document, layer, source, target, value)
        except ValueError as error:
            self._show_error(f"The weight was not changed: {error}.")
            return False
        self.error_label.hide()
        self.document.undo_stack.push(command)
        return True

    def _show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()

    # -- selection and hover --------------------------------------------------------------------------------
    def select_layer(self, index: int) -> None:
        self.selected_index = index
        for block in self.blocks:
            block.selected = block.index == index
            block.update()
        self.view.setFocus()
        self.layer_selected.emit(index)

    # -- edits (each one Document call = one undo step) ------------------------------------------------------
    def _edit(self, method: str, *args: Any) -> bool:
        """Call a Document edit; show a refusal (SpecError) above the drawing instead of raising."""
        try:
            getattr(self.document, method)(*args)
        except SpecError as error:
            self.error_label.setText(str(error))
            self.error_label.show()
            return False
        self.error_label.hide()
        return True

    def change_units(self, index: int, delta: int) -> None:
        spec = self.document.spec
        layers = spec["layers"]
        if index == len(layers) - 1:
            self._change_output_units(spec, delta)
            return
        if not 0 <= index < len(layers) - 1:
            return
        units = layers[index]["units"] + delta
        if units >= 1:
            self._edit("set_units", index, units)

    def _change_output_units(self, spec: dict[str, Any], delta: int) -> None:
        """The output follows the data; on a two-class set − / + switch to one sigmoid unit and back."""
        state = binary_output_state(spec)
        if is_binary_dataset(self.document) and (state, delta) in (("softmax", -1), ("sigmoid", +1)):
            try:
                set_binary_output(self.document, sigmoid=delta < 0)
            except SpecError as error:
                self.error_label.setText(str(error))
                self.error_label.show()

    def add_layer(self, layer: dict[str, Any] | None = None) -> None:
        """Insert a hidden layer just before the output layer and select it."""
        self.insert_layer(len(self.document.spec["layers"]) - 1, layer)

    def insert_layer(self, index: int, layer: dict[str, Any] | None = None) -> None:
        if self._edit("insert_layer", index, dict(layer) if layer else None):
            self.select_layer(index)

    def remove_layer(self, index: int) -> None:
        if 0 <= index < len(self.document.spec["layers"]) - 1:
            self._edit("remove_layer", index)
            self.select_layer(min(index, len(self.document.spec["layers"]) - 1))

    def duplicate_layer(self, index: int) -> None:
        if self._edit("duplicate_layer", index):
            self.select_layer(index + 1)

    def move_layer(self, source: int, destination: int) -> None:
        if source != destination and self._edit("move_layer", source, destination):
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
        layers = len(self.document.spec["layers"])
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
