"""`GridPrediction`: the network's outputs (and per-neuron activations) over a grid of the 2-D input plane,
or along a line of inputs for 1-D data (the fitted curve of a 1-D regression).

The studio's worker computes one every ~200 ms while training, with the current weights, and sends it with its
update; the decision-boundary plot, the activation maps and the network builder's neuron thumbnails and edges draw
from it. The scrub through a run's checkpoints (core.scrub) computes one per checkpoint. No Qt here, so the
studio imports it from core like any engine type: the studio's main thread never runs the network.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

GRID_RESOLUTION = 64  # cells per side: 4,096 points, a forward pass of well under a millisecond for small nets
LINE_RESOLUTION = 256  # points along the input axis of 1-D data
MAX_NEURONS_FOR_MAPS = 128  # per-neuron maps only for narrow networks (up to ten hidden layers of 12 in the builder)


@dataclass(frozen=True)
class GridSpec:
    """Where the grid lies in the raw (unscaled) feature space: a 2-D plane, or (dims 1) a line along x."""

    x_min: float
    x_max: float
    y_min: float
    y_max: float
    resolution: int = GRID_RESOLUTION
    dims: int = 2

    @classmethod
    def around(cls, x_raw: np.ndarray, margin: float = 0.1, resolution: int = GRID_RESOLUTION) -> "GridSpec":
        """A grid covering the points `x_raw` (n, 2), or a line covering (n, 1), with a margin, so the boundary
        (or curve) shows beyond the data."""
        lo, hi = np.nanmin(x_raw, axis=0).astype(float), np.nanmax(x_raw, axis=0).astype(float)
        pad = np.maximum((hi - lo) * margin, 1e-3)
        if x_raw.shape[1] == 1:
            return cls(lo[0] - pad[0], hi[0] + pad[0], 0.0, 0.0, LINE_RESOLUTION, dims=1)
        return cls(lo[0] - pad[0], hi[0] + pad[0], lo[1] - pad[1], hi[1] + pad[1], resolution)

    def points(self) -> np.ndarray:
        """The cell centres, row-major with y varying slowest: shape (resolution², 2), float32; for a line,
        shape (resolution, 1)."""
        xs = np.linspace(self.x_min, self.x_max, self.resolution, dtype=np.float32)
        if self.dims == 1:
            return xs[:, None]
        ys = np.linspace(self.y_min, self.y_max, self.resolution, dtype=np.float32)
        gx, gy = np.meshgrid(xs, ys)
        return np.column_stack([gx.ravel(), gy.ravel()])


@dataclass
class GridPrediction:
    """Outputs over the grid: `outputs` is (resolution, resolution, k) indexed [row=y, col=x, output]; for a
    line (dims 1), (1, resolution, k)."""

    grid: GridSpec
    outputs: np.ndarray
    activations: list[np.ndarray] | None  # per layer: (resolution, resolution, units); None for wide networks
    step: int  # the step whose weights produced it
    params: np.ndarray | None = None  # a copy of the flat parameters (narrow networks only): the builder's edges
    inputs: np.ndarray | None = None  # the network's inputs over the grid, (rows, resolution, features); shared
    epoch: int | None = None  # the epoch of a run's checkpoint whose weights produced it (a scrub); None: live


class GridPredictor:
    """Runs on the worker thread: prepares the grid's network inputs once and predicts on demand."""

    def __init__(self, grid: GridSpec, preprocess: Callable[[np.ndarray], np.ndarray]):
        self.grid = grid
        self.inputs = np.ascontiguousarray(preprocess(grid.points()))
        rows = 1 if grid.dims == 1 else grid.resolution
        self.input_maps = self.inputs.reshape(rows, grid.resolution, -1)
        self.input_maps.flags.writeable = False  # sent with every prediction, never copied: nobody may write it

    def predict(self, network, step: int, epoch: int | None = None) -> GridPrediction:
        r = self.grid.resolution
        rows = 1 if self.grid.dims == 1 else r
        if sum(int(b) for b in _layer_widths(network)) > MAX_NEURONS_FOR_MAPS:
            outputs = np.asarray(network.predict(self.inputs), dtype=np.float32).reshape(rows, r, -1)
            return GridPrediction(self.grid, outputs, None, step, epoch=epoch)
        activations = [np.asarray(a, dtype=np.float32).reshape(rows, r, -1)
                       for a in network.layer_activations(self.inputs)]  # the last one is the output
        return GridPrediction(self.grid, activations[-1], activations, step, np.array(network.params, copy=True),
                              self.input_maps, epoch)


def _layer_widths(network) -> list[int]:
    return [block.units for block in network.blocks]
