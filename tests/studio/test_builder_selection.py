"""`follow_layer`: where a selected layer went when the layer list changed (pure, no widgets)."""

from __future__ import annotations

import pytest

from studio.widgets.builder.selection import follow_layer

A, B, C = ({"units": n, "activation": "relu"} for n in (3, 4, 5))
OUT = {"units": 2, "activation": "softmax"}


@pytest.mark.parametrize("before, after, index, expected", [
    ([A, B, OUT], [A, B, OUT], 1, 1),                          # nothing changed
    ([A, B, OUT], [C, A, B, OUT], 1, 2),                       # a layer inserted before it
    ([A, B, OUT], [A, B, C, OUT], 1, 1),                       # inserted after it
    ([A, B, C, OUT], [A, C, OUT], 1, 1),                       # it was removed: its right neighbour
    ([A, B, OUT], [A, OUT], 1, 1),                             # removed, the output took its place
    ([A, B, C, OUT], [B, C, OUT], 2, 1),                       # a layer before it was removed
    ([A, B, C, OUT], [B, C, A, OUT], 0, 2),                    # it was moved
    ([A, B, C, OUT], [A, {**B, "units": 9}, C, OUT], 1, 1),    # edited in place
    ([A, A, OUT], [A, OUT], 1, 0),                             # twins: either one is the same to show
    ([A, B, OUT], [OUT], 1, 0),                                # everything else gone
    ([A, B, OUT], [A, B, OUT], 7, 2),                          # an index out of range is clamped
])
def test_follow_layer(before, after, index, expected) -> None:
    assert follow_layer(before, after, index) == expected
