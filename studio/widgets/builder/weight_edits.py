"""Editing one weight in the network builder (a mixin of `NetworkBuilder`): a click on an edge asks for a value,
which becomes one undoable edit of the document's weights (`studio.commands.edge_weight_command`). Text that is
not a finite number, a run in progress, or a network not trained yet is refused above the drawing."""

from __future__ import annotations

from PySide6.QtWidgets import QInputDialog

from studio.commands import edge_weight_command


class EditsEdgeWeights:
    """Needs the builder's document, edges, error_label, `node_name` and `_is_training`."""

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

