"""Where the network builder draws things: one column per layer, left to right, centred on y = 0.

Pure geometry from a spec (no widgets), so it is easy to test and the drawing code stays short. Narrow layers
(≤ `MAX_NODES` units) show one circle per unit; wider ones a single block with the count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.spec import Spec

MAX_NODES = 12  # layers up to this width are drawn neuron by neuron
COLUMN_WIDTH = 150.0
COLUMN_GAP = 76.0
# Deep networks (more than COMPACT_AFTER layers) are drawn tighter, so more of them shows at a readable size:
COMPACT_AFTER = 5
COMPACT_COLUMN_WIDTH = 140.0  # room for "Dense 16 · tanh"; longer titles are elided
COMPACT_COLUMN_GAP = 44.0
NODE_PITCH = 32.0  # room for a 28 px neuron thumbnail (2-D data) between neighbours
NODE_RADIUS = 9.0
HEADER_HEIGHT = 46.0  # title line + badge line
FOOTER_HEIGHT = 30.0  # − count + buttons
WIDE_BODY_HEIGHT = 150.0
INPUT_WIDTH = 124.0


@dataclass
class ColumnGeometry:
    """One column of the drawing: the input (index -1) or layer `index` of the spec."""

    index: int
    x: float  # left edge
    width: float
    top: float
    height: float
    units: int
    narrow: bool
    node_y: list[float] = field(default_factory=list)  # node centres (narrow columns only)

    @property
    def center_x(self) -> float:
        return self.x + self.width / 2

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def body_top(self) -> float:
        """Where the nodes (or the wide block's body) start, below the header."""
        return self.top + (HEADER_HEIGHT if self.index >= 0 else 28.0)

    @property
    def body_bottom(self) -> float:
        return self.top + self.height - (FOOTER_HEIGHT if self.index >= 0 else 10.0)


def _column(index: int, x: float, width: float, units: int) -> ColumnGeometry:
    narrow = units <= MAX_NODES
    header = HEADER_HEIGHT if index >= 0 else 28.0
    footer = FOOTER_HEIGHT if index >= 0 else 10.0
    body = units * NODE_PITCH if narrow else WIDE_BODY_HEIGHT
    height = header + body + footer
    top = -height / 2
    column = ColumnGeometry(index, x, width, top, height, units, narrow)
    if narrow:
        first = top + header + NODE_PITCH / 2
        column.node_y = [first + i * NODE_PITCH for i in range(units)]
    return column


def layout_network(spec: Spec) -> list[ColumnGeometry]:
    """The input column followed by one column per layer of `spec` (the output layer last)."""
    compact = len(spec.layers) > COMPACT_AFTER
    width, gap = (COMPACT_COLUMN_WIDTH, COMPACT_COLUMN_GAP) if compact else (COLUMN_WIDTH, COLUMN_GAP)
    columns = [_column(-1, 0.0, INPUT_WIDTH, spec.input_size)]
    x = INPUT_WIDTH + gap
    for i, layer in enumerate(spec.layers):
        columns.append(_column(i, x, width, layer.units))
        x += width + gap
    return columns


def drop_index(columns: list[ColumnGeometry], center_x: float, source: int) -> int:
    """Where a hidden layer dragged so its centre is at `center_x` lands among the hidden layers.

    The input stays first and the output last, so the result lies in 0 … (number of hidden layers − 1).
    """
    hidden = [c for c in columns if c.index >= 0][:-1]
    if not hidden:
        return source
    others = [c for c in hidden if c.index != source]
    destination = sum(1 for c in others if c.center_x < center_x)
    return destination


def insert_index(columns: list[ColumnGeometry], x: float) -> int:
    """Where a new layer dropped at scene x goes: the index of the layer it will precede.

    Every layer whose centre lies left of `x` stays before it; the output layer always stays last, so the
    result lies in 0 … (number of layers − 1).
    """
    layers = [c for c in columns if c.index >= 0]
    return min(sum(1 for c in layers if c.center_x < x), len(layers) - 1)


def gap_x(columns: list[ColumnGeometry], index: int) -> float:
    """The middle of the gap just before layer `index` (where an inserted layer would appear)."""
    return columns[index + 1].x - column_gap(columns) / 2


def column_gap(columns: list[ColumnGeometry]) -> float:
    """The space between two columns of this drawing (narrower for deep networks)."""
    return columns[1].x - columns[0].right if len(columns) > 1 else COLUMN_GAP
