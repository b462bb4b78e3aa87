"""Where the selected layer went after the document's spec changed (an edit, an undo, a redo, a loaded file).

Layers carry no identity, so the old and new layer lists are compared (difflib over each layer's settings): an
unchanged layer keeps being selected wherever it now sits, a layer edited in place stays selected, a moved layer
is followed to its new place, and a removed layer passes the selection to the layer that took its place (the
output layer at the end). The builder and the inspector both use this one rule, so they always agree.
"""

from __future__ import annotations

import json
from difflib import SequenceMatcher
from typing import Any


def _key(layer: dict[str, Any]) -> str:
    return json.dumps(layer, sort_keys=True, default=str)


def follow_layer(before: list[dict[str, Any]], after: list[dict[str, Any]], index: int) -> int:
    """The index in `after` of what was layer `index` of `before` (or of the layer that took its place)."""
    last = len(after) - 1
    if last < 0:
        return 0
    if not 0 <= index < len(before) or before == after:
        return max(0, min(index, last))
    old_keys, new_keys = [_key(layer) for layer in before], [_key(layer) for layer in after]
    opcodes = SequenceMatcher(a=old_keys, b=new_keys, autojunk=False).get_opcodes()
    for tag, i1, i2, j1, j2 in opcodes:
        if not i1 <= index < i2:
            continue
        if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
            return j1 + index - i1  # unchanged, or edited in place
        moved = [j for kind, _, _, k1, k2 in opcodes if kind in ("insert", "replace")
                 for j in range(k1, k2) if new_keys[j] == old_keys[index]]
        if len(moved) == 1:
            return moved[0]
        return min(j1, last)  # removed: the layer now in its place
    return max(0, min(index, last))
