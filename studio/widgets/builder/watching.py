"""Watching a run in the network builder (a mixin of `NetworkBuilder`): neuron thumbnails and live edges.

With 2-D data each neuron shows its output over the input plane as a thumbnail and the edges follow the weights
live, both from the worker's grid predictions (never computed on the GUI thread), redrawn at most
`THUMBNAIL_REFRESH` times a second by updating the scene's items, never rebuilding the scene. After a run the
thumbnails stay while the document's weights are the ones they were made with. Hovering a node shows its map
enlarged (`ThumbnailZoomItem`), at the grid's full resolution.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from studio.training.prediction_views import FollowsPredictions
from studio.widgets.builder.layout import MAX_NODES
from studio.widgets.builder.thumbnails import layer_images

if TYPE_CHECKING:
    from studio.training.controller import TrainingController

THUMBNAIL_REFRESH = 5  # thumbnail and live-edge redraws a second at most (predictions come ≤ 5 a second anyway)


class WatchesTraining(FollowsPredictions):
    """Needs the builder's document, blocks, inputs_item, feature_names, edges, zoom, throttle and `_edge_weights`."""

    def watch_training(self, controller: TrainingController) -> None:
        """Follow a training controller's grid predictions (the `prediction` of its ordered updates): live
        thumbnails and edges."""
        controller.updated.connect(self._on_update)
        controller.weights_reset.connect(self.clear_prediction)

    def clear_prediction(self) -> None:
        self.throttle.cancel()
        self.prediction, self.thumbnails, self.live_weights = None, None, None
        self._apply_thumbnails()

    def _show_prediction(self) -> None:
        """Turn the newest prediction into thumbnails (and, during a run, edge weights) and repaint the items."""
        prediction, spec = self.prediction, self.document.spec
        activations = prediction.activations if prediction is not None else None
        if prediction is None or activations is None or prediction.grid.dims != 2 or \
                [a.shape[2] for a in activations] != [layer.units for layer in spec.layers]:
            self.thumbnails = None  # no maps (wide network, 1-D data) or maps of another network
        else:
            layers = spec.layers
            self.thumbnails = [self._input_images(prediction.inputs)] + [
                layer_images(maps, layer["activation"], i == len(layers) - 1) if layer["units"] <= MAX_NODES else None
                for i, (maps, layer) in enumerate(zip(activations, layers))]
        params = prediction.params if prediction is not None else None
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
        weights = self.document.weights
        params = self.prediction.params if self.prediction is not None else None
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
        images = item.thumbnails if item is not None else None
        return images[unit] if images is not None and 0 <= unit < len(images) else None

    def _zoom_image(self, layer: int, unit: int) -> Any:
        """The enlarged view of a node that shows a thumbnail: its map at the grid's full resolution."""
        if self._thumbnail(layer, unit) is None:
            return None
        prediction, layers = self.prediction, self.document.spec.layers
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
            names = self.feature_names
            return f"input {names[unit]}" if unit < len(names) else f"input {unit + 1}"
        layers = self.document.spec.layers
        where = "output" if layer == len(layers) - 1 else f"layer {layer + 1}"
        return f"{where}, neuron {unit + 1}"

