"""A loss slice as a PNG: filled contours of the loss, each path with a marker per epoch, a legend, and the kind of
directions in the title. Drawn with matplotlib's Agg canvas directly (no pyplot, no global backend switch, no
Qt), so it works headless and inside the studio's process alike.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from core.landscape.files import write_atomically
from core.landscape.surface import LossSlice

CONTOUR_LEVELS = 24


def contour_levels(loss: np.ndarray) -> np.ndarray:
    """Log-spaced levels from the lowest loss to the 98th percentile: the valley's detail stays visible while a
    few far, steep points don't take every level (linear levels when the loss is not positive)."""
    finite = loss[np.isfinite(loss)]
    low, high = float(finite.min()), float(np.percentile(finite, 98))
    if not high > low:
        high = low + max(abs(low), 1.0) * 1e-6
    if low > 0:
        return np.geomspace(low, high, CONTOUR_LEVELS)
    return np.linspace(low, high, CONTOUR_LEVELS)


def render_slice(result: LossSlice, title: str | None = None, size: tuple[float, float] = (7.5, 6.0)):
    """The matplotlib Figure of the slice (for saving or embedding)."""
    from matplotlib.figure import Figure
    figure = Figure(figsize=size, dpi=110, layout="constrained")
    axes = figure.add_subplot()
    if not np.isfinite(result.loss).any():
        axes.text(0.5, 0.5, "the loss is not finite anywhere on this slice", ha="center", transform=axes.transAxes)
    else:
        levels = contour_levels(result.loss)
        clipped = np.clip(result.loss, levels[0], levels[-1])  # beyond the top level: drawn in the top colour
        from matplotlib.colors import LogNorm, Normalize
        # Colours follow the levels: spread evenly over log-spaced levels, not crowded into the lowest ones.
        norm = LogNorm(levels[0], levels[-1]) if levels[0] > 0 else Normalize(levels[0], levels[-1])
        filled = axes.contourf(result.alpha, result.beta, clipped, levels=levels, cmap="viridis", norm=norm)
        axes.contour(result.alpha, result.beta, clipped, levels=levels[::3], colors="white", linewidths=0.4,
                     alpha=0.6)
        figure.colorbar(filled, ax=axes, label="loss", format="%.3g")
    colours = ("#ff7f0e", "#e41a1c", "#f781bf", "#ffffff", "#a6d854", "#ffd92f", "#17becf", "#bcbd22")
    for index, (name, points) in enumerate(result.paths.items()):
        colour = colours[index % len(colours)]
        axes.plot(points[:, 0], points[:, 1], "-o", color=colour, markersize=3.5, linewidth=1.6,
                  markeredgecolor="black", markeredgewidth=0.4, label=f"{name} ({len(points) - 1} epochs)")
        axes.plot(points[-1, 0], points[-1, 1], "*", color=colour, markersize=13, markeredgecolor="black")
    if result.paths:
        first = next(iter(result.paths.values()))[0]
        axes.plot(first[0], first[1], "s", color="white", markeredgecolor="black", markersize=7, label="start")
    axes.plot(0.0, 0.0, "P", color="black", markersize=8, label=f"centre: {result.centre}")
    axes.set_xlim(result.alpha[0], result.alpha[-1])
    axes.set_ylim(result.beta[0], result.beta[-1])
    axes.set_xlabel("α (first direction)")
    axes.set_ylabel("β (second direction)")
    axes.legend(loc="upper right", fontsize=8, framealpha=0.85)
    axes.set_title(title or f"Loss slice, directions: {result.directions.describe()}", fontsize=10)
    return figure


def save_slice_png(result: LossSlice, path: str | os.PathLike[str], title: str | None = None) -> Path:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    figure = render_slice(result, title)
    canvas = FigureCanvasAgg(figure)
    return write_atomically(Path(path), lambda handle: canvas.print_png(handle))
