"""The layer inspector: every option of the selected layer, each with a tooltip on what it does and when to use it.

It shows the layer the builder selected (`show_layer(index)`, connected to `NetworkBuilder.layer_selected`) and
follows it through every change of the document, wherever it comes from (Edit → Undo, the history, a loaded file):
the same layer stays inspected wherever it moves, and a removed one passes to its neighbour. It sends each edit to
the Document as one undoable command, and shows a refused edit in place: the field turns red with the reason under
it, and nothing reaches the engine. Choices that could never be valid here (softmax on a hidden layer, dropout on
the output) are greyed out with the reason as their tooltip. While training runs every field is locked, with a
tooltip saying why.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QCheckBox, QLabel, QVBoxLayout, QWidget

from core.spec.parameter_count import parameter_count
from core.spec import ACTIVATIONS, INITIALIZERS, LAYER_FIELDS, SpecError, resolved_init, with_changes
from studio.document import Document
from studio.widgets.builder.selection import follow_layer
from studio.widgets.builder.spec_edits import binary_output_state, is_binary_dataset, set_binary_output
from studio.widgets.field_editors import FieldForm

ACTIVATION_LABELS = {"relu": "ReLU", "leaky_relu": "leaky ReLU", "elu": "ELU", "gelu": "GELU", "tanh": "tanh",
                     "sigmoid": "sigmoid", "softplus": "softplus", "softmax": "softmax", "linear": "linear"}
INIT_LABELS = {"auto": "auto (He or Xavier)", "xavier_uniform": "Xavier uniform", "xavier_normal": "Xavier normal",
               "he_uniform": "He uniform", "he_normal": "He normal", "lecun_uniform": "LeCun uniform",
               "lecun_normal": "LeCun normal", "zeros": "zeros"}
LOCKED_WHILE_TRAINING = "Pause training to change the network"
OUTPUT_LOCKS = {"units": "The output layer's width follows the data set (one unit per class or target)",
                "batch_norm": "Batch norm is not used on the output layer",
                "dropout": "Dropout is not used on the output layer",
                "residual": "The output layer has no residual skip"}


class LayerInspector(QWidget):
    """The selected layer's options as a form; each edit is one `Document.set_settings({"layers[i].FIELD": v})`."""

    def __init__(self, document: Document, parent: QWidget | None = None):
        super().__init__(parent)
        self.document = document
        self.index = 0
        self._layers_seen: list[dict[str, Any]] = document.spec.layers  # what `index` refers to
        self.title = QLabel(self)
        self.title.setStyleSheet("font-weight: bold; font-size: 13px;")
        self.shape = QLabel(self)
        self.shape.setStyleSheet("color: #4a5561;")
        self.form = FieldForm(LAYER_FIELDS, self, choice_labels={"activation": ACTIVATION_LABELS,
                                                                 "init": INIT_LABELS},
                              choice_help={"activation": ACTIVATIONS, "init": INITIALIZERS})
        self.form.field_edited.connect(self._on_field_edited)
        self.binary_output = QCheckBox("One sigmoid unit (binary cross-entropy)", self)
        self.binary_output.setToolTip("For two classes: a single sigmoid output giving P(class 2), trained with "
                                      "binary cross-entropy, instead of two softmax units. Same model, fewer "
                                      "weights; TensorFlow Playground's choice.")
        self.binary_output.clicked.connect(self._on_binary_output_clicked)
        self.explanation = QLabel(self)
        self.explanation.setWordWrap(True)
        self.explanation.setStyleSheet("color: #4a5561; background: #f4f6f9; padding: 6px; border-radius: 4px;")
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.shape)
        layout.addWidget(self.form)
        layout.addWidget(self.binary_output)
        layout.addWidget(self.explanation)
        layout.addStretch(1)
        self.setMinimumWidth(260)
        document.spec_changed.connect(self.refresh)
        document.data_changed.connect(self.refresh)
        document.training_changed.connect(lambda *_: self._apply_locks())
        self.refresh()

    # -- showing --------------------------------------------------------------------------------------------
    def show_layer(self, index: int) -> None:
        """Inspect layer `index` (0-based over hidden and output layers; the last is the output layer)."""
        self.index = index
        self._layers_seen = self.document.spec.layers
        self.refresh()

    def refresh(self) -> None:
        """Follow the inspected layer to where the document now has it; show its current values (clearing any
        refused edit shown in red)."""
        spec = self.document.spec
        layers = spec.layers
        self.index = follow_layer(self._layers_seen, layers, self.index)
        self._layers_seen = layers
        layer = layers[self.index]
        is_output = self.index == len(layers) - 1
        self.form.clear_errors()
        self.form.set_values(layer)
        self.form.set_row_visible("leaky_slope", layer.activation == "leaky_relu")
        self.title.setText("Output layer" if is_output else f"Layer {self.index + 1} (dense)")
        fan_in = spec.input_size if self.index == 0 else layers[self.index - 1].units
        parameters = parameter_count(spec, self.index)
        self.shape.setText(f"{fan_in} inputs → {layer.units} units · {parameters:,} parameters")
        state = binary_output_state(spec)
        self.binary_output.setVisible(is_output and is_binary_dataset(self.document) and bool(state))
        self.binary_output.setChecked(state == "sigmoid")
        init = resolved_init(layer)
        init_text = INITIALIZERS[layer["init"]] + (f" Here: {INIT_LABELS[init]}." if layer["init"] == "auto" else "")
        self.explanation.setText(f"<b>{ACTIVATION_LABELS[layer['activation']]}</b>: "
                                 f"{ACTIVATIONS[layer['activation']]}<br><b>Initialiser</b>: {init_text}")
        self._mark_impossible_choices(spec)
        self._apply_locks()

    def _mark_impossible_choices(self, spec: dict[str, Any]) -> None:
        """Grey out each activation that would make this spec invalid, with the validator's reason."""
        editor = self.form.editor("activation")
        for name in ACTIVATIONS:
            try:
                with_changes(spec, {f"layers[{self.index}].activation": name})
                editor.set_choice_enabled(name, True)
            except SpecError as error:
                editor.set_choice_enabled(name, False, str(error))

    def _apply_locks(self) -> None:
        training = self.document.is_training
        is_output = self.index == len(self.document.spec.layers) - 1
        for name, editor in self.form.editors.items():
            if training:
                editor.set_locked(True, LOCKED_WHILE_TRAINING)
            elif is_output and name in OUTPUT_LOCKS:
                editor.set_locked(True, OUTPUT_LOCKS[name])
            else:
                editor.set_locked(False)
        self.binary_output.setEnabled(not training)

    # -- editing --------------------------------------------------------------------------------------------
    def _on_field_edited(self, name: str, value: Any) -> None:
        try:
            self.document.set_settings({f"layers[{self.index}].{name}": value})
        except SpecError as error:
            self.form.set_error(name, f"Not applied: {error}")

    def _on_binary_output_clicked(self, checked: bool) -> None:
        try:
            set_binary_output(self.document, sigmoid=checked)
        except SpecError as error:
            self.binary_output.setChecked(not checked)
            self.binary_output.setToolTip(f"Not applied: {error}")
