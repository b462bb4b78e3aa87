"""`SteppedBounds`: auto-range a live plot in whole steps, so that its axes stay put between most redraws.

pyqtgraph's auto-range fits a view to its data exactly, so a plot whose curves grow at every update (the loss
over epochs, the gradient over time) gets a new range at every redraw: both axes regenerate their ticks and
labels, every item's transform is recomputed and the autodownsampled curves are re-sliced. That was about 40 %
of the loss plot's main-thread time per redraw (measured: 10.5 ms per draw, 6.5 ms with the ranges held still).

This invisible item takes part in the view's auto-range with the curves' bounds widened to whole steps of a
1-2-5 grid of about an eighth of their span. The range then changes only when the data cross a grid line (a few
times per decade of growth), never more than a step of headroom shows, and everything else about auto-range
stays pyqtgraph's: a user's zoom or pan still turns it off, the "A" button turns it back on, log axes work (the
curves' bounds come in display coordinates).
"""

from __future__ import annotations

import math
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QRectF

STEPS = 8  # grid steps across the data's span, at least (the step is rounded down to 1, 2 or 5 × 10ᵏ)


def nice_step(span: float, steps: int = STEPS) -> float:
    """The largest 1, 2 or 5 × 10ᵏ at most `span / steps` (span > 0)."""
    rough = span / steps
    decade = 10.0 ** math.floor(math.log10(rough))
    for factor in (5.0, 2.0, 1.0):
        if factor * decade <= rough:
            return factor * decade
    return decade


def stepped(low: float, high: float, steps: int = STEPS) -> tuple[float, float]:
    """[low, high] widened outwards to whole steps of `nice_step(high - low)`."""
    if not (math.isfinite(low) and math.isfinite(high)) or high <= low:
        return low, high
    step = nice_step(high - low, steps)
    return math.floor(low / step) * step, math.ceil(high / step) * step


class SteppedBounds(pg.GraphicsObject):
    """Added to a plot, widens its auto-range to whole grid steps around its data items (see the module
    docstring). Paints nothing; its bounds are the data's, stepped, or none without data."""

    def __init__(self, plot: pg.PlotItem, steps: int = STEPS):
        super().__init__()
        self.setFlag(self.GraphicsItemFlag.ItemHasNoContents)  # nothing to paint, ever
        self.plot = plot
        self.steps = steps

    def dataBounds(  # noqa: N802 - pyqtgraph's name
            self, ax: int, frac: float = 1.0, orthoRange: Any = None) -> tuple[float, float] | None:  # noqa: N803
        lows, highs, pixels = [], [], 0.0
        for item in self.plot.listDataItems():
            if not item.isVisible():
                continue
            bounds = item.dataBounds(ax, frac=frac, orthoRange=orthoRange)
            if bounds is None or bounds[0] is None or bounds[1] is None:
                continue
            lows.append(float(bounds[0]))
            highs.append(float(bounds[1]))
            pixels = max(pixels, float(item.pixelPadding()) if hasattr(item, "pixelPadding") else 0.0)
        if not lows:
            return None
        low, high = min(lows), max(highs)
        step_low, step_high = stepped(low, high, self.steps)
        # The view widens each item's bounds by its pixel padding (a pen's width, a symbol's size) at the scale of
        # the tentative range, ours: include that margin m, or it would nudge the range at every redraw. With
        # the range's span s + 2m over n pixels, m = p (s + 2m) / n, so m = p s / (n - 2p).
        size = self.plot.vb.width() if ax == 0 else self.plot.vb.height()
        margin = pixels * (step_high - step_low) / (size - 2 * pixels) if size > 2 * pixels else 0.0
        return step_low - margin, step_high + margin

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt's name
        return QRectF()

    def paint(self, *_args: Any) -> None:
        pass


def step_auto_range(plot: pg.PlotItem, steps: int = STEPS) -> SteppedBounds:
    """Make `plot`'s auto-range move in whole steps (see the module docstring)."""
    bounds = SteppedBounds(plot, steps)
    plot.addItem(bounds)
    return bounds
