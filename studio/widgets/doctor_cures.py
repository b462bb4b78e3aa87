"""What the Doctor dock does, without its widgets: a cure applied as ONE undoable edit ("Apply"), or applied
and trained again from the run's initial weights ("Apply and retrain").

A cure is `{dotted.path: value}` changes (`core.diagnostics.Cure`); `layers[*].FIELD` is expanded to every hidden
layer's path (`core.spec.expand_path`) so the edit, and its undo, name each setting it changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from core.spec import Spec, expand_path

if TYPE_CHECKING:
    from core.diagnostics import Cure
    from studio.document import Document
    from studio.training.controller import TrainingController

RETRAIN_TIP = ("Apply this cure (one undoable edit), then train again from the same initial weights as the run "
               "that showed the problem, so its effect shows.")
RETRAIN_RESHAPED_TIP = ("Apply this cure (one undoable edit), then train again. The cure changes the network's "
                        "shape, so the old initial weights no longer fit: the new run starts from the weights the "
                        "same seed gives.")



def expanded_changes(spec: Spec, changes: Mapping[str, Any]) -> dict[str, Any]:
    """The cure's changes with `layers[*].FIELD` written out for each hidden layer."""
    return {path: value for pattern, value in changes.items() for path in expand_path(spec, pattern)}


def cured_spec(spec: Spec, changes: Mapping[str, Any]) -> Spec:
    """The spec with the cure's changes (SpecError when they don't apply to it)."""
    from core.spec import with_changes
    return with_changes(spec, expanded_changes(spec, changes))


def changes_shape(spec: Spec, changes: Mapping[str, Any]) -> bool:
    """Whether the cure changes the shapes of the weights (units or batch norm), so old weights no longer fit."""
    return _shapes(cured_spec(spec, changes)) != _shapes(spec)


def _shapes(spec: Spec) -> tuple:
    return spec.input_size, tuple((layer.units, layer.batch_norm) for layer in spec.layers)


def is_applied(spec: Mapping[str, Any], cure: Cure) -> bool:
    """Whether the spec already has every change of the cure (applying it would change nothing)."""
    from core.spec import SpecError, changed_paths
    try:
        return not changed_paths(spec, cured_spec(spec, cure.changes))
    except SpecError:  # no longer applies to this spec (e.g. a field of another optimizer): nothing to tick
        return False


def apply_cure(document: Document, cure: Cure) -> None:
    """The cure as ONE undoable edit (`SetSettings`), its label the undo text; SpecError (nothing changed) when
    it is refused, e.g. a setting that can't change while training."""
    document.set_settings(expanded_changes(document.spec, cure.changes), cure.label)


def apply_and_retrain(controller: TrainingController, cure: Cure) -> None:
    """End any run, apply the cure (one undoable edit), and train again from the initial weights of the run that
    showed the problem; from the seed's fresh weights when the cure reshapes the network (or no run is known).
    SpecError (nothing changed, no run started) when the cure is refused."""
    controller.finish_now()  # the run's weights and result first; no-op when idle
    document = controller.document
    result = controller.last_result
    initial = result.initial_weights if result is not None else None
    reshaped = changes_shape(document.spec, cure.changes)
    apply_cure(document, cure)
    document.set_weights(None if reshaped or initial is None else initial, [])
    controller.play_pause()  # starts now, or once the kernel warm-up has compiled them
