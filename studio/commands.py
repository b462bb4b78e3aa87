"""The undo commands of the document: swap between a state before and a state after an edit.

Every edit (a layer field, a training setting, the data source, an added point) is a `StateCommand` holding two
`DocumentState`s; an edit of settings is a `SetSettings({path: value}, text)`, whose new spec is
`core.spec.with_changes` of the current one (validated once). Swapping whole states keeps undo exact (no inverse
operations to get wrong) and is cheap: the spec is a small immutable Spec and the data set object is shared, never copied.
Consecutive edits with the same `merge_key` (the same spin box dragged) merge into one undo step.

Trained weights are part of a state only when the edit changed the network's shape (they no longer fit and are
reset); otherwise they are `UNCHANGED`, so undoing an activation change after training keeps the trained weights.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Hashable

from PySide6.QtGui import QUndoCommand

from core.spec import Spec, field_for, parse_path, with_changes
from studio.document_state import UNCHANGED, DocumentState, EditableDocument

MERGEABLE_COMMAND_ID = 0x5EC
__all__ = ["UNCHANGED", "DocumentState", "EditableDocument", "SetSettings", "StateCommand", "edge_weight_command",
           "format_value", "layer_title", "setting_subject", "settings_text"]


class StateCommand(QUndoCommand):
    """Undo = restore `before`; redo = restore `after`."""

    def __init__(self, document: EditableDocument, before: DocumentState, after: DocumentState, text: str,
                 merge_key: Hashable | None = None):
        super().__init__(text)
        self._document = document
        self.before = before
        self.after = after
        self.merge_key = merge_key

    def redo(self) -> None:
        self._document._restore_state(self.after)

    def undo(self) -> None:
        self._document._restore_state(self.before)

    def id(self) -> int:
        return MERGEABLE_COMMAND_ID if self.merge_key is not None else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, StateCommand) or other.merge_key != self.merge_key:
            return False
        self.after = other.after
        self.setText(other.text())
        if self.after.same_content(self.before) and self.after.weights is UNCHANGED:
            self.setObsolete(True)  # dragged back to where it started: nothing left to undo
        return True


class SetSettings(StateCommand):
    """Settings changed by spec path, {path: value}, as ONE undo step (e.g. {"training.optimizer.lr": 0.01} or
    {"layers[*].dropout": 0.2}). The new spec is `with_changes(document.spec, changes)`: validated once, here, so
    a refused edit raises SpecError before anything changes. Edits of the same numeric setting merge (a spin box
    dragged is one step). `changes_nothing` is true when the edit would leave the document as it is."""

    def __init__(self, document: EditableDocument, changes: Mapping[str, Any], text: str | None = None):
        spec = document.spec
        states = document._edit_states(with_changes(spec, changes))
        self.changes = dict(changes)
        self.changes_nothing = states is None
        paths = list(self.changes)
        numeric = len(paths) == 1 and field_for(spec, paths[0]).kind in ("int", "float")
        before, after = states or (None, None)
        super().__init__(document, before, after, text or settings_text(spec, self.changes),
                         ("settings", paths[0]) if numeric else None)


def setting_subject(spec: Spec, path: str) -> str:
    """How an undo text or a message names the setting at `path`: "learning rate", "layer 2 dropout"."""
    parts, name = parse_path(path), field_for(spec, path).title.lower()
    if parts[0] != "layers":
        return name
    where = "hidden layers" if parts[1] == "*" else layer_title(int(parts[1]), len(spec.layers))
    return f"{where} {name}"


def settings_text(spec: Spec, changes: Mapping[str, Any]) -> str:
    """The undo text of an edit by path: "Change learning rate to 0.01", "Set layer 1 to 12 units"."""
    if len(changes) == 1:
        (path, value), = changes.items()
        parts = parse_path(path)
        if parts[0] == "layers" and parts[-1] == "units" and parts[1] != "*":
            return f"Set {layer_title(int(parts[1]), len(spec['layers']))} to {format_value(value)} units"
    text = ", ".join(f"{setting_subject(spec, path)} to {format_value(value)}" for path, value in changes.items())
    return f"Change {text}"


def format_value(value: Any) -> str:
    """A value as an undo text shows it: 0.01, relu, on/off, [30, 80]."""
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def layer_title(index: int, num_layers: int) -> str:
    """"layer 2" for hidden layers (1-based), "output layer" for the last."""
    return "output layer" if index == num_layers - 1 else f"layer {index + 1}"


def edge_weight_command(document: EditableDocument, layer: int, source: int, target: int,
                        value: float) -> StateCommand:
    """The undoable edit "set the weight from unit `source` of layer `layer` − 1 (−1: the inputs) to unit `target`
    of layer `layer` to `value`", on the document's trained weights. Only the weights change (history and spec
    stay); undo gives the old weights back. ValueError (nothing changes) for a non-finite value, a run in
    progress, no trained weights, or an edge the network does not have."""
    import math

    import numpy as np

    from core.network.layout import layer_views

    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"a weight must be a finite number, got {value!r}")
    if document.is_training:
        raise ValueError("weights can't be edited during a run; stop it first")
    weights = document.weights
    if not weights or "params" not in weights:
        raise ValueError("the network has no trained weights yet; train it first")
    spec = document.spec
    params = np.array(weights["params"], copy=True)
    views = layer_views(spec, params)  # ValueError when the weights don't fit the network
    if not 0 <= layer < len(views):
        raise ValueError(f"there is no layer {layer + 1}; the network has {len(views)}")
    matrix = views[layer].weight
    if not (0 <= source < matrix.shape[0] and 0 <= target < matrix.shape[1]):
        raise ValueError(f"{layer_title(layer, len(views))} has no weight from unit {source + 1} to unit {target + 1}")
    old = float(matrix[source, target])
    matrix[source, target] = value
    before = DocumentState(spec, document.data_config, document.dataset, document.data_error, weights,
                           document.history)
    after = DocumentState(spec, document.data_config, document.dataset, document.data_error,
                          {**weights, "params": params}, document.history)
    text = (f"Set a weight into the {layer_title(layer, len(views))} (unit {source + 1} → {target + 1}) "
            f"from {format_value(old)} to {format_value(float(value))}")
    return StateCommand(document, before, after, text)
