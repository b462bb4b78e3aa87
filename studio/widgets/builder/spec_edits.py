"""Edits that must change several spec fields at once to stay valid, applied as ONE undo step.

Switching a two-class output between softmax (2 units, cross-entropy) and one sigmoid unit (binary
cross-entropy) touches the output's units, its activation and the loss together: no order of single-field edits
passes validation on the way, so it is one `with_changes` of the three paths, validated once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.spec import Spec, with_changes

if TYPE_CHECKING:
    from studio.document import Document


def is_binary_dataset(document: Document) -> bool:
    dataset = document.dataset
    return dataset is not None and dataset.task == "classification" and dataset.num_classes == 2


def binary_output_state(spec: Spec) -> str:
    """"softmax" (2 softmax units), "sigmoid" (one sigmoid unit) or "" (neither: not switchable)."""
    out = spec.layers[-1]
    if out.activation == "softmax" and out.units == 2:
        return "softmax"
    if out["activation"] == "sigmoid" and out["units"] == 1:
        return "sigmoid"
    return ""


def with_binary_output(spec: Spec, sigmoid: bool) -> Spec:
    """`spec` with its output one sigmoid unit with binary cross-entropy, or 2 softmax units."""
    out = f"layers[{len(spec.layers) - 1}]"
    units, activation = (1, "sigmoid") if sigmoid else (2, "softmax")
    return with_changes(spec, {f"{out}.units": units, f"{out}.activation": activation,
                               "training.loss": "binary_cross_entropy" if sigmoid else "cross_entropy"})


def apply_spec(document: Document, spec: dict[str, Any], text: str) -> None:
    """Replace the document's spec as one undoable step (validated first; SpecError leaves it unchanged)."""
    document.set_spec(spec, text)


def set_binary_output(document: Document, sigmoid: bool) -> None:
    """Switch a two-class output between one sigmoid unit and two softmax units, and tell the user."""
    apply_spec(document, with_binary_output(document.spec, sigmoid),
               "Use one sigmoid output unit" if sigmoid else "Use two softmax output units")
    document.notice.emit("Output is now one sigmoid unit with binary cross-entropy." if sigmoid else
                         "Output is now two softmax units with cross-entropy.")
