"""Shared look of the live plots: series colours, pens, and the small helpers every plot uses.

Plots follow pyqtgraph's global configuration (background/foreground set by the app), so colours here are
chosen to read on both a white and a dark background.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLayout, QSizePolicy, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from studio.training.controller import TrainingController
    from studio.training.worker import WorkerUpdate

TRAIN_COLOUR = "#1f77b4"  # blue
VALIDATION_COLOUR = "#ff7f0e"  # orange
LR_COLOUR = "#2ca02c"  # green
TEST_COLOUR = "#555555"  # dark grey: the held-out test figures (a number in the key; no curve)
BEST_COLOUR = "#2ca02c"
DIVERGED_COLOUR = "#d62728"  # red
VANISHING_COLOUR = "#9467bd"  # purple
EXPLODING_COLOUR = "#d62728"
NORMAL_COLOUR = "#1f77b4"
# Per-layer colours leave out red and purple: those mean "exploding" and "vanishing" in the gradient-flow plot.
# One colour per class (matplotlib's tab10 order), in every plot and the data panel's scatter.
CLASS_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                 "#bcbd22", "#17becf")
LAYER_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")
# THE diverging colours of signed values (weights, activations), as in TensorFlow Playground: orange below zero,
# white at zero, blue above. The builder's edges and thumbnails and the neuron-activation maps all use these.
NEGATIVE_RGB = (230, 126, 34)  # orange
ZERO_RGB = (255, 255, 255)  # white
POSITIVE_RGB = (33, 118, 204)  # blue


def diverging_colour_map() -> pg.ColorMap:
    """The signed-value map for pyqtgraph images: 0 → `NEGATIVE_RGB`, 0.5 → white, 1 → `POSITIVE_RGB` (use
    levels symmetric around zero)."""
    return pg.ColorMap([0.0, 0.5, 1.0], [NEGATIVE_RGB, ZERO_RGB, POSITIVE_RGB])


def layer_colour(index: int) -> str:
    return LAYER_COLOURS[index % len(LAYER_COLOURS)]


def pen(colour: str, width: float = 2.0, dashed: bool = False) -> Any:
    return pg.mkPen(colour, width=width, style=Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine)


def faded(colour: str, alpha: int = 90) -> QColor:
    c = QColor(colour)
    c.setAlpha(alpha)
    return c


def foreground() -> QColor:
    return pg.mkColor(pg.getConfigOption("foreground"))


# Samples per pixel column a live curve draws, at most: beyond it the curve is peak-downsampled (each bin's minimum
# and maximum kept, so spikes stay). pyqtgraph's default of 5 drew every point of a 2,000-point batch-loss curve in
# a 300-px plot; 1.5 looks the same (an antialiased line cannot show more) and cut the loss plot's redraw from
# ~15 to ~12 ms on a 3,000-epoch run (measured).
LIVE_DOWNSAMPLE_FACTOR = 1.5


def make_live_curve(plot: pg.PlotItem, colour: str, name: str | None, width: float = 2.0,
                    dashed: bool = False, symbol: str | None = None) -> pg.PlotDataItem:
    """One curve per series, set up for long runs: clipped to the view, downsampled automatically, and a wide solid
    line drawn as separate segments (see `draw_as_segments`)."""
    curve = plot.plot([], [], pen=pen(colour, width, dashed), name=name, symbol=symbol,
                      symbolSize=6, symbolBrush=colour, symbolPen=None, autoDownsampleFactor=LIVE_DOWNSAMPLE_FACTOR)
    curve.setClipToView(True)
    curve.setDownsampling(auto=True, method="peak")
    if width > 1.0 and not dashed:
        draw_as_segments(curve)
    return curve


def draw_as_segments(curve: pg.PlotDataItem) -> None:
    """Draw a wide, solid, opaque line as one `drawLines` of its segments instead of one path. Qt strokes a path
    wider than 1 px by computing the outline of every join, which made the loss plot's two 2.5-px per-epoch lines
    (a few hundred points each) over half of its redraw: 7.0 → 3.7 ms per redraw of a 400-epoch run (measured
    offscreen, 700 × 260 px). pyqtgraph does this by itself only without antialiasing; with it, the square caps
    of neighbouring segments overlap by a fraction of a pixel, which an opaque pen does not show (compared side by
    side)."""
    curve.curve.setSegmentedLineMode("on")


def style_axes(plot: pg.PlotItem, bottom: str, left: str, bottom_units: str | None = None,
               left_units: str | None = None) -> None:
    plot.setLabel("bottom", bottom, units=bottom_units)
    plot.setLabel("left", left, units=left_units)
    for side in ("bottom", "left"):
        plot.getAxis(side).enableAutoSIPrefix(False)  # "Loss (x0.001)" reads worse than plain numbers


def follow_runs(controller: TrainingController, clear: Callable[[], None],
                on_update: Callable[[WorkerUpdate], None]) -> None:
    """Connect a live plot to the training: emptied when a run starts or the weights are reset, fed by every
    worker update."""
    controller.run_started.connect(clear)
    controller.weights_reset.connect(clear)
    controller.updated.connect(on_update)


def controls_row(selector: QWidget) -> QHBoxLayout:
    """The row of controls above a plot's graphics, starting with its arrangement selector; the plot adds its own
    controls after it."""
    controls = QHBoxLayout()
    controls.setSpacing(6)
    controls.addWidget(selector)
    return controls


def stack_panel(owner: QWidget, controls: QLayout, *lines: QWidget, graphics: QWidget) -> QVBoxLayout:
    """Lay out a plot panel: its row of controls on top, any `lines` (a key, a verdict) each on a line of its own
    below, and the graphics taking the rest of the height."""
    layout = QVBoxLayout(owner)
    layout.setContentsMargins(2, 2, 2, 2)
    layout.setSpacing(2)
    layout.addLayout(controls)
    for line in lines:
        layout.addWidget(line)
    layout.addWidget(graphics, 1)
    return layout


def fix_label_size(label: Any, sample: str) -> None:
    """Give a label whose text changes live a fixed size (as wide as `sample`): a label that resizes with its
    text re-lays out the whole window, repainting every docked plot, at each update."""
    metrics = label.fontMetrics()
    label.setFixedSize(metrics.horizontalAdvance(sample) + 8, metrics.height() + 4)


class ElidedLabel(QLabel):
    """A one-line label that takes the width its layout gives it and shortens its text with … to fit (the full
    text in the tooltip): a live message never widens, or re-lays out, the dock it sits in."""

    def __init__(self, text: str = "", parent: Any = None):
        super().__init__(parent)
        self.full_text = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.set_full_text(text)

    def set_full_text(self, text: str) -> None:
        """Show `text`, shortened to fit; hovering shows it in full (a caller may set a longer tooltip after)."""
        self.full_text = text
        self.setToolTip(text)
        self._elide()

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        self.setText(self.fontMetrics().elidedText(self.full_text, Qt.TextElideMode.ElideRight,
                                                   max(0, self.width() - 4)))


def show_axes(plots: Any, shown: bool) -> None:
    """Show or hide the axes of placeholder plots: before there is data, an axis only says meaningless numbers
    ("x₂ (x0.001)" from −400 to 400). Changes the plots only when `shown` changes (each change re-lays out)."""
    for plot in plots:
        if getattr(plot, "_axes_shown", True) != shown:
            plot._axes_shown = shown
            for side in ("left", "bottom"):
                plot.showAxis(side, shown)


def run_active(controller: Any) -> bool:
    """A run is going on (training or paused). A plot cleared for a run that starts keeps the axes it shows:
    hiding them until the run's first data re-laid the plot out twice within a tenth of a second (a jump the
    user sees, and four extra paints of each plot per run, measured)."""
    return controller is not None and controller.is_active


def set_title(plot: Any, text: str) -> None:
    """Change a plot's title only when it differs: every change re-lays out the plot's scene."""
    if getattr(plot, "_current_title", None) != text:
        plot._current_title = text
        if not getattr(plot, "_title_hidden", False):
            plot.setTitle(text)


def show_title(plot: Any, visible: bool) -> None:
    """Show or hide a plot's title (its row then takes no room); `set_title` keeps the text while hidden."""
    text = getattr(plot, "_current_title", None)
    if text is None:
        text = plot._current_title = plot.titleLabel.text or None
    plot._title_hidden = not visible
    plot.setTitle(text if visible else None)
