"""Settings a user may change while training runs, validated against the catalogue before they reach the Trainer.

Each live name maps to the catalogue `Field` that governs it: the learning rate, momentum and weight decay are
the optimizer's own fields (an optimizer without momentum refuses a momentum change), L1/L2/decoupled weight decay
are training fields, and the clipping threshold is the clipping section's "value".
"""

from __future__ import annotations

from typing import Any

from core.spec import CLIPPING_FIELDS, OPTIMIZERS, TRAINING_FIELDS, Field, SpecError, check_field

LIVE_NAMES = ("lr", "l1", "l2", "decoupled_weight_decay", "weight_decay", "momentum", "clipping_value")
OPTIMIZER_LIVE = ("lr", "weight_decay", "momentum")


def _field(fields: tuple[Field, ...], name: str) -> Field | None:
    return next((f for f in fields if f.name == name), None)


def validate_live_changes(changes: dict[str, Any], optimizer_name: str) -> dict[str, Any]:
    """Return the changes converted to their types, or raise SpecError naming the setting and the bad value."""
    checked: dict[str, Any] = {}
    for name, value in changes.items():
        if name not in LIVE_NAMES:
            raise SpecError(f"live setting {name!r} cannot change while training; live settings are: "
                            f"{', '.join(LIVE_NAMES)}", name)
        if name in OPTIMIZER_LIVE:
            field = _field(OPTIMIZERS[optimizer_name].fields, name)
            if field is None:
                raise SpecError(f"optimizer {optimizer_name}: has no {name} setting to change",
                                f"training.optimizer.{name}")
            checked[name] = check_field(field, value, f"training.optimizer.{name}", f"optimizer {optimizer_name}")
        elif name == "clipping_value":
            checked[name] = check_field(_field(CLIPPING_FIELDS, "value"), value, "training.clipping.value",
                                        "clipping")
        else:
            checked[name] = check_field(_field(TRAINING_FIELDS, name), value, f"training.{name}", "training")
    return checked


def apply_to_training(training: dict[str, Any], changes: dict[str, Any]) -> None:
    """Write validated live changes into a training dict (so a checkpoint or fork carries them)."""
    for name, value in changes.items():
        if name in OPTIMIZER_LIVE:
            training["optimizer"][name] = value
        elif name == "clipping_value":
            training["clipping"]["value"] = value
        else:
            training[name] = value
