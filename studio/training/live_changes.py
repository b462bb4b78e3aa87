"""Which settings of a spec may change while training runs, and what changed between two specs.

The names are the Trainer's `set_live` keyword names (core.training.live_settings.LIVE_NAMES); each reads one
place in the spec. The controller sends only what differs, at most once per document edit.
"""

from __future__ import annotations

from typing import Any

_LOCATIONS: dict[str, tuple[str, ...]] = {
    "lr": ("optimizer", "lr"),
    "momentum": ("optimizer", "momentum"),
    "weight_decay": ("optimizer", "weight_decay"),
    "l1": ("l1",),
    "l2": ("l2",),
    "decoupled_weight_decay": ("decoupled_weight_decay",),
    "clipping_value": ("clipping", "value"),
}


def live_values(spec: dict[str, Any]) -> dict[str, Any]:
    """The live settings present in `spec` (an optimizer without momentum has no "momentum")."""
    values: dict[str, Any] = {}
    for name, path in _LOCATIONS.items():
        node: Any = spec["training"]
        for key in path:
            if not isinstance(node, dict) or key not in node:
                break
            node = node[key]
        else:
            values[name] = node
    return values


def live_changes(before: dict[str, Any], after_spec: dict[str, Any]) -> dict[str, Any]:
    """The live settings whose value differs in `after_spec` from the `before` values."""
    after = live_values(after_spec)
    return {name: value for name, value in after.items() if name in before and before[name] != value}
