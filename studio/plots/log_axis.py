"""`ReadableAxis`: an axis whose log mode stays legible in a small plot.

pyqtgraph's log axis labels every 1…9 × 10ᵏ minor tick when a range spans less than three decades, so a
200-pixel-high learning-rate plot shows "0.004 0.006 0.008 0.01 0.02 …" piled on top of each other. This axis
labels decades only (thinned to at most `MAX_LOG_LABELS`), or 1-2-5 steps when the range spans less than about
one and a half decades, and writes numbers compactly ("1e-4", "0.01", "20"). In linear mode it is pyqtgraph's.

A vertical axis grows to fit wider labels but does not shrink back during a run. pyqtgraph's default narrows it
again as soon as the labels are 10 px narrower, and a loss axis whose labels go "0.5" → "0.25" → "0.3" then
jumps sideways by a few pixels: each jump is found while painting, re-lays out the plot and paints it twice
more (measured: a third of the loss plot's paints while training).
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg

MAX_LOG_LABELS = 5
ONE_TWO_FIVE = np.log10([1.0, 2.0, 5.0])


def compact_number(value: float) -> str:
    """1e-05 → "1e-5", 0.001 → "0.001", 20.0 → "20", 2e+06 → "2e6": short labels for log ticks."""
    if value == 0 or not math.isfinite(value):
        return f"{value:g}"
    if 1e-3 <= abs(value) < 1e4:
        return f"{value:.3g}"
    mantissa, exponent = f"{value:.0e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def log_tick_values(low: float, high: float) -> list[float]:
    """Tick positions (log₁₀ values) in [low, high]: decades, or 1-2-5 steps for a narrow range."""
    low, high = sorted((low, high))
    first, last = math.ceil(low - 1e-9), math.floor(high + 1e-9)
    if high - low >= 1.5 and last >= first:
        step = max(1, math.ceil((last - first + 1) / MAX_LOG_LABELS))
        return [float(d) for d in range(first, last + 1) if d % step == 0]
    ticks = [d + f for d in range(math.floor(low), math.ceil(high) + 1) for f in ONE_TWO_FIVE]
    inside = [float(t) for t in ticks if low - 1e-9 <= t <= high + 1e-9]
    return inside or [round((low + high) / 2, 3)]


class ReadableAxis(pg.AxisItem):
    def __init__(self, orientation: str, **kwargs) -> None:
        super().__init__(orientation, **kwargs)
        self.setStyle(autoReduceTextSpace=False)  # no width jumps with every change of labels (module docstring)

    def logTickValues(self, minVal, maxVal, size, stdTicks):  # noqa: N802 - pyqtgraph's names
        return [(None, log_tick_values(minVal, maxVal))]

    def logTickStrings(self, values, scale, spacing):  # noqa: N802
        return [compact_number(10.0 ** v) for v in values]


def readable_axes() -> dict[str, ReadableAxis]:
    """`axisItems=` for `addPlot`: readable left and bottom axes."""
    return {"left": ReadableAxis("left"), "bottom": ReadableAxis("bottom")}
