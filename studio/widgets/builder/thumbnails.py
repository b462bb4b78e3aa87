"""Neuron thumbnails: each unit's output over the 2-D input plane as a small heatmap (TensorFlow Playground's
signature view), made from the worker's `GridPrediction` (the GUI thread never runs the network).

Colours follow the builder's edges: orange for negative, white for zero, blue for positive. A hidden layer's
maps share one scale (its largest absolute value), so the neurons of a layer compare at a glance; an output
probability p is drawn as 2p − 1 (orange below ½, blue above). A node's image takes every other grid point
(32×32 for the 64×64 grid: a node is 28 px), through a 255-colour lookup table: converting a 2-8-8-2 network's
maps costs about a millisecond. The enlarged hover view converts its one unit at the full resolution.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QImage

from studio.plots.plot_style import NEGATIVE_RGB, POSITIVE_RGB, ZERO_RGB

NEGATIVE = np.array(NEGATIVE_RGB, dtype=np.float32)  # the edges' orange (one definition, in plot_style)
POSITIVE = np.array(POSITIVE_RGB, dtype=np.float32)  # the edges' blue
WHITE = np.array(ZERO_RGB, dtype=np.float32)
PROBABILITY_ACTIVATIONS = ("softmax", "sigmoid")


NODE_RESOLUTION = 32  # grid points per side in a node's thumbnail


def _diverging_table(levels: int = 255) -> np.ndarray:  # odd: zero gets its own, exactly white entry
    v = np.linspace(-1.0, 1.0, levels, dtype=np.float32)[:, None]
    return (WHITE + np.where(v >= 0, v * (POSITIVE - WHITE), -v * (NEGATIVE - WHITE))).astype(np.uint8)


_TABLE = _diverging_table()


def diverging_rgb(values: np.ndarray) -> np.ndarray:
    """Values in −1..1 (clipped; NaN as 0) → uint8 RGB, orange–white–blue, same shape plus a last axis of 3."""
    v = np.clip(np.nan_to_num(values, nan=0.0), -1.0, 1.0)
    return _TABLE[np.rint((v + 1.0) * (len(_TABLE) - 1) / 2).astype(np.intp)]


def scaled_maps(maps: np.ndarray, activation: str, is_output: bool) -> np.ndarray:
    """A layer's (rows, cols, units) maps mapped into −1..1 for colouring."""
    if is_output and activation in PROBABILITY_ACTIVATIONS:
        return 2.0 * maps - 1.0
    finite = maps[np.isfinite(maps)]
    peak = float(np.abs(finite).max()) if finite.size else 0.0
    return maps / peak if peak > 1e-12 else np.zeros_like(maps)


def layer_images(maps: np.ndarray, activation: str = "linear", is_output: bool = False,
                 resolution: int | None = NODE_RESOLUTION, units: slice = slice(None)) -> list[QImage]:
    """One QImage per unit (`units` of them) of a layer's (rows, cols, units) maps, rows = y from bottom to top,
    with at most about `resolution` points a side (None: every point). The colour scale is the whole layer's."""
    maps = np.asarray(maps, dtype=np.float32)
    step = max(1, maps.shape[0] // resolution) if resolution else 1
    rgb = diverging_rgb(scaled_maps(maps, activation, is_output)[::step, ::step, units])
    rgb = np.ascontiguousarray(rgb[::-1].transpose(2, 0, 1, 3))  # (units, rows, cols, 3); y grows upwards
    images = []
    for unit_rgb in rgb:
        rows, cols = unit_rgb.shape[:2]
        image = QImage(unit_rgb.data, cols, rows, 3 * cols, QImage.Format.Format_RGB888)
        images.append(image.copy())  # own the pixels: the NumPy buffer goes away
    return images
