"""`GradientFlowPlot`: does the gradient reach every layer? Per-layer gradient size now, over time, and the
update-to-weight ratio.

Top: bars of each layer's gradient norm (or mean |gradient|) on a log scale; a layer whose gradient is two
orders of magnitude below the median of the layers is coloured and labelled "vanishing", two orders above (or
non-finite) "exploding". Middle: the same figure over time, one line per layer on a log axis. Bottom: each
layer's ‖Δw‖/‖w‖ of the last step, with the 10⁻³ rule of thumb drawn for reference.
"""

from __future__ import annotations

import functools
import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QComboBox, QWidget

from core.training.snapshot import Snapshot
from studio.plots.plot_style import (
    ElidedLabel,
    EXPLODING_COLOUR, NORMAL_COLOUR, VANISHING_COLOUR, controls_row, follow_runs, layer_colour, make_live_curve, pen,
    run_active, show_axes, stack_panel, style_axes,
)
from studio.plots.adaptive_layout import AdaptiveLayout
from studio.plots.log_axis import readable_axes
from studio.plots.redraw_throttle import RedrawThrottle
from studio.plots.series_buffer import SeriesBuffer
from studio.plots.stepped_range import step_auto_range

if TYPE_CHECKING:
    from studio.training.controller import TrainingController
    from studio.training.worker import WorkerUpdate

VANISHING_FACTOR = 1e-2  # two orders of magnitude below the strongest (non-exploding) layer
EXPLODING_FACTOR = 1e2  # two orders above the median layer …
EXPLODING_AT_LEAST = 1.0  # … and large in absolute terms (a healthy output layer often leads by 100×)
TINY = 1e-30
MAX_LEGEND_LAYERS = 4
MAX_PENDING = 512  # snapshots kept aside at most before they go into the histories
LABEL_TOLERANCE = 0.005  # a bar's label follows its bar when it moved by more than this share of the axis


def classify_layers(values: np.ndarray) -> list[str]:
    """ "vanishing", "exploding" or "ok" for each layer's gradient size.

    Exploding: non-finite, or 100× the median layer and above 1. Vanishing: 100× below the strongest of the
    other layers; measured against the strongest, not the median, because in a vanishing stack the median layer
    is itself starved, and the healthy layers near the output would otherwise look like they explode."""
    values = np.asarray(values, dtype=float)
    finite = values[np.isfinite(values)]
    median = float(np.median(finite)) if finite.size else 0.0
    exploding = ~np.isfinite(values) | ((values > median * EXPLODING_FACTOR) & (values > EXPLODING_AT_LEAST))
    healthy = values[~exploding]
    strongest = float(healthy.max()) if healthy.size else 0.0
    return ["exploding" if boom else "vanishing" if strongest > 0 and v < strongest * VANISHING_FACTOR else "ok"
            for v, boom in zip(values, exploding)]


def _log10(values: np.ndarray) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    return np.log10(np.clip(np.where(np.isfinite(values), values, 1e30), TINY, None))


class GradientFlowPlot(QWidget):
    QUANTITIES = {"Gradient norm ‖∇‖": "grad_norms", "Mean |gradient|": "grad_mean_abs"}

    def __init__(self, controller: TrainingController | None = None, parent: QWidget | None = None,
                 capacity: int = 5_000):
        super().__init__(parent)
        self.setObjectName("GradientFlowPlot")
        self.capacity = capacity
        self.layer_names: list[str] = []
        self.history: dict[str, list[SeriesBuffer]] = {key: [] for key in self.QUANTITIES.values()}
        self.latest: Snapshot | None = None
        self.pinned: Snapshot | None = None  # shown as "now" instead of the newest (a scrubbed checkpoint)
        self._last_x = float("-inf")  # the newest step drawn over time, in epochs
        self._pending: list[Snapshot] = []  # taken in, not yet added to the histories (see add_snapshots)
        self.labels: list[str] = []
        self._controller = controller
        self._build()
        self.throttle = RedrawThrottle(self, self._redraw, max_per_second=3)
        if controller is not None:
            follow_runs(controller, self.clear, self.add_update)

    def _build(self) -> None:
        self.quantity = QComboBox()
        self.quantity.addItems(list(self.QUANTITIES))
        self.quantity.setToolTip("What to measure per layer: the L2 norm of its gradient, or the mean absolute "
                                 "gradient (independent of the layer's size).")
        self.quantity.currentIndexChanged.connect(self._redraw)
        self.graphics = pg.GraphicsLayoutWidget()
        self.bars_plot = self.graphics.addPlot(row=0, col=0, title="Gradient per layer", axisItems=readable_axes())
        self.time_plot = self.graphics.addPlot(row=1, col=0, title="Gradient over time", axisItems=readable_axes())
        self.ratio_plot = self.graphics.addPlot(row=2, col=0, title="Update / weight", axisItems=readable_axes())
        self.arrangement = AdaptiveLayout(
            self.graphics, [self.bars_plot, self.time_plot, self.ratio_plot], names=["Now", "Over time", "Δw/w"],
            weights=[1, 1, 1], min_plot_size=(190, 130),
            tips=["Each layer's gradient size now (log scale)", "Each layer's gradient size over the run",
                  "Each layer's update-to-weight ratio ‖Δw‖/‖w‖ of the last step (10⁻³ is typical)"])
        self.arrangement.mode_changed.connect(self._on_arrangement_changed)  # the selector's choice included
        self.verdict = ElidedLabel()
        controls = controls_row(self.arrangement.selector)
        controls.addWidget(self.quantity)
        controls.addStretch(1)
        style_axes(self.bars_plot, "Layer", "size (log)")
        style_axes(self.time_plot, "Epoch", "size (log)")
        style_axes(self.ratio_plot, "Layer", "‖Δw‖/‖w‖ (log)")
        for plot in (self.bars_plot, self.ratio_plot):  # bars are drawn at log₁₀ heights; label them as values
            plot.getAxis("left").setLogMode(False, True)
            # A user who zoomed gets the range back at the next update.
            plot.vb.sigRangeChangedManually.connect(lambda *_args, plot=plot: setattr(plot, "_set_range", None))
        self.time_plot.setLogMode(y=True)
        step_auto_range(self.time_plot)  # axes that stay put between most redraws
        self.legend = self.time_plot.addLegend(offset=(-10, 10), brush=(255, 255, 255, 190))
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.6, brushes=[])
        self.bars_plot.addItem(self.bars)
        self.ratio_bars = pg.BarGraphItem(x=[], height=[], width=0.6, brush=NORMAL_COLOUR)
        self.ratio_plot.addItem(self.ratio_bars)
        self.ratio_plot.addItem(pg.InfiniteLine(pos=-3, angle=0, pen=pen("#7f7f7f", 1, dashed=True),
                                                label="10⁻³", labelOpts={"position": 0.95, "color": "#7f7f7f"}))
        self.bar_texts: list[pg.TextItem] = []
        self.curves: list[pg.PlotDataItem] = []
        self._curves_for: list[str] = []  # the layer names `curves` (and their legend entries) were made for
        self._ticks_for: list[str] = []  # and the bars' ticks
        # The finding on a line of its own: beside the selector, a dock of the default size left it no width at
        # all. Shortened to the dock's width; in full, with the advice, in its tooltip.
        stack_panel(self, controls, self.verdict, graphics=self.graphics)

    @property
    def quantity_key(self) -> str:
        return self.QUANTITIES[self.quantity.currentText()]

    def clear(self) -> None:
        self.layer_names = []
        self._pending = []
        self.latest = self.pinned = None
        self._last_x = float("-inf")
        self.labels = []
        # The lines, their legend and the ticks stay for the next run of the same network (`_ensure_curves`):
        # making them again took ~30 ms of the GUI thread at every run's first redraw. Emptied, they draw nothing.
        for curve in self.curves:
            curve.setData([], [])
        self.legend.setVisible(False)  # no layer's line to name until a run's data come
        for key in self.history:
            self.history[key] = []
        self._redraw()

    def add_update(self, update: WorkerUpdate) -> None:
        """A worker update's snapshots in order: every epoch's (at least one point per epoch), then the newest."""
        self.add_snapshots([*update.epochs, *([update.latest] if update.latest is not None else [])])

    def add_snapshots(self, snapshots: list[Snapshot]) -> None:
        """Take snapshots in: kept aside (a list append each) and added to the histories in one go when the plot
        draws, one `SeriesBuffer.extend` per layer and quantity. Digits trains a few hundred epochs a second,
        each with a point for every layer; a plot behind a tab takes them in by the batch of `MAX_PENDING`."""
        self._pending.extend(s for s in snapshots if s.grad_norms is not None)
        if len(self._pending) >= MAX_PENDING:
            self._take_pending()
        self.throttle.request()

    def add_snapshot(self, snapshot: Snapshot) -> None:
        self.add_snapshots([snapshot])

    def _take_pending(self) -> None:
        """Add the snapshots kept aside, each run of snapshots of one network (the same layers) at once."""
        pending, self._pending = self._pending, []
        start = 0
        while start < len(pending):
            names = list(pending[start].layer_names)
            end = start + 1
            while end < len(pending) and list(pending[end].layer_names) == names:
                end += 1
            self._take(pending[start:end], names)
            start = end

    def _take(self, snapshots: list[Snapshot], names: list[str]) -> None:
        """Snapshots of one network (`names`): a point per new step, per layer, in each quantity's history."""
        if names != self.layer_names:
            self.clear()
            self._start_layers(names)
        xs = np.array([s.step / max(1, s.batches_per_epoch) for s in snapshots])
        # The same step may arrive twice (as an epoch's snapshot and as the newest one): keep steps past the last.
        newer = xs > np.maximum.accumulate(np.concatenate([[self._last_x], xs[:-1]]))
        if newer.any():
            self._last_x = max(self._last_x, float(xs[newer].max()))
            for key, buffers in self.history.items():
                points = [(x, getattr(s, key)) for x, s, new in zip(xs, snapshots, newer)
                          if new and getattr(s, key) is not None]
                if not points:
                    continue
                x = np.array([p[0] for p in points])
                values = np.array([p[1] for p in points], dtype=float).reshape(len(points), -1)
                for buffer, column in zip(buffers, values.T):
                    finite = np.isfinite(column)
                    buffer.extend(x[finite], np.maximum(column[finite], TINY))
        newest = max(snapshots, key=lambda s: s.step)
        if self.latest is None or newest.step >= self.latest.step:
            self.latest = newest

    def pin(self, snapshot: Snapshot | None) -> None:
        """Show `snapshot` in the bars and the verdict, whatever the history holds (a scrub through a run's
        checkpoints: the history is the whole run, the bars the checkpoint at hand); None: the newest again."""
        if snapshot is not None and list(snapshot.layer_names) != self.layer_names:
            self._take_pending()
            if list(snapshot.layer_names) != self.layer_names:
                self.clear()
                self._start_layers(list(snapshot.layer_names))
        self.pinned = snapshot
        self.throttle.request()

    def hide_update_ratios(self) -> None:
        """Drop the Δw/w panel (a checkpoint has no last step to measure)."""
        self.arrangement.remove_plot(self.ratio_plot)

    def _start_layers(self, names: list[str]) -> None:
        self.layer_names = names
        for key in self.history:
            self.history[key] = [SeriesBuffer(self.capacity) for _ in names]
        self.legend.setVisible(True)
        if names == self._ticks_for:
            return  # the same network as the last run's: its ticks (and lines, if made) serve again
        self._ticks_for = list(names)
        ticks = [[(i, _short(name, terse=len(names) > 4)) for i, name in enumerate(names)]]
        self.bars_plot.getAxis("bottom").setTicks(ticks)
        self.ratio_plot.getAxis("bottom").setTicks(ticks)

    def _ensure_curves(self) -> None:
        """The "over time" lines of the current network, made when that plot is first on show: in a small dock
        it sits behind the selector, and making a line per layer and its legend entry took ~30 ms of the GUI
        thread at a run's first redraw. A new run of the same network keeps them."""
        names = self.layer_names
        if names == self._curves_for:
            return
        for curve in self.curves:
            self.time_plot.removeItem(curve)
        self.legend.clear()
        self._curves_for = list(names)
        # A legend of more than a few layers would cover the lines; the bars' colours and ticks name them then.
        legend_names = names if len(names) <= MAX_LEGEND_LAYERS else [None] * len(names)
        self.curves = [make_live_curve(self.time_plot, layer_colour(i), legend_name)
                       for i, legend_name in enumerate(legend_names)]

    def _ensure_bar_texts(self, count: int) -> None:
        """One label per bar, reused from update to update (creating items 30 times a second is slow)."""
        while len(self.bar_texts) > count:
            self.bars_plot.removeItem(self.bar_texts.pop())
        while len(self.bar_texts) < count:
            text = pg.TextItem("", anchor=(0.5, 1.0))
            text.shown = None  # (text, colour) it shows: set only when that changes
            self.bars_plot.addItem(text)
            self.bar_texts.append(text)

    def _redraw(self) -> None:
        """Hand the newest figures to the plots on show (a plot behind the selector is drawn when shown: see
        `_on_arrangement_changed`). Ranges, labels and their positions are set only when they change: each
        change re-lays out axes or items, and a TextItem moved asks for a paint of its own."""
        self._take_pending()
        show_axes(self.arrangement.plots, bool(self.layer_names) or run_active(self._controller))
        key = self.quantity_key
        shown = self.arrangement.is_shown
        if shown(self.time_plot):
            if self.layer_names:
                self._ensure_curves()
            for curve, buffer in zip(self.curves, self.history.get(key, [])):
                curve.setData(buffer.x, buffer.y)
        s = self.pinned or self.latest
        if s is None or getattr(s, key) is None:
            self.bars.setOpts(x=[], height=[], brushes=[])
            self.ratio_bars.setOpts(x=[], height=[])
            self._ensure_bar_texts(0)
            self._say("", "")
            return
        values = np.asarray(getattr(s, key), dtype=float)
        self.labels = classify_layers(values)
        if shown(self.bars_plot):
            self._draw_bars(values)
        if shown(self.ratio_plot) and s.update_ratios is not None:
            self._draw_ratios(_log10(s.update_ratios))
        self._say(*verdict(self.layer_names, self.labels))

    def _draw_bars(self, values: np.ndarray) -> None:
        heights = _log10(values)
        # The axis spans whole half-decades: it changes when a bar crosses one, not with every update.
        base = min(_half_decade_below(float(heights.min()) - 1.0), -1.0)
        top = max(_half_decade_above(float(heights.max()) + 0.6), base + 1.0)
        colours = [{"vanishing": VANISHING_COLOUR, "exploding": EXPLODING_COLOUR}.get(label, layer_colour(i))
                   for i, label in enumerate(self.labels)]
        self.bars.setOpts(x=np.arange(len(values)), y0=base, height=heights - base,
                          brushes=[_brush(c) for c in colours])
        self._ensure_bar_texts(len(values))
        tolerance = LABEL_TOLERANCE * (top - base)
        for i, (label, h, text) in enumerate(zip(self.labels, heights, self.bar_texts)):
            shown = (label if label != "ok" else f"{values[i]:.2g}", colours[i] if label != "ok" else None)
            if shown != text.shown:
                text.shown = shown
                text.setText(shown[0], color=shown[1] or pg.getConfigOption("foreground"))
            position = text.pos()
            if position.x() != i or abs(position.y() - h) > tolerance:
                text.setPos(i, h)
        _set_range(self.bars_plot, (-0.6, len(values) - 0.4), (base, top))

    def _draw_ratios(self, ratios: np.ndarray) -> None:
        base = min(_half_decade_below(float(ratios.min()) - 0.5), -4.0)
        top = _half_decade_above(max(float(ratios.max()), -3.0) + 0.3)  # the 10⁻³ reference line always shows
        self.ratio_bars.setOpts(x=np.arange(len(ratios)), y0=base, height=ratios - base)
        _set_range(self.ratio_plot, (-0.6, len(ratios) - 0.4), (base, top))

    def _on_arrangement_changed(self, *_args: Any) -> None:
        self._redraw()  # a plot that comes into view gets the figures it missed while hidden

    def _say(self, text: str, advice: str) -> None:
        colour = (VANISHING_COLOUR if "anishing" in text else EXPLODING_COLOUR if "xploding" in text
                  else pg.mkColor(pg.getConfigOption("foreground")).name())
        if text != self.verdict.full_text:
            self.verdict.setStyleSheet(f"color: {colour}; font-weight: {'bold' if advice else 'normal'}")
            self.verdict.set_full_text(text)
            self.verdict.setToolTip(f"{text}\n{advice}".strip())


def _half_decade_below(value: float) -> float:
    return math.floor(value * 2) / 2


def _half_decade_above(value: float) -> float:
    return math.ceil(value * 2) / 2


@functools.lru_cache(maxsize=64)
def _brush(colour: str) -> Any:
    return pg.mkBrush(colour)


def _set_range(plot: pg.PlotItem, x: tuple[float, float], y: tuple[float, float]) -> None:
    """Set a plot's range in one step, and only when it differs from the one set last (each change re-lays out
    both axes and asks for a paint)."""
    if getattr(plot, "_set_range", None) != (x, y):
        plot._set_range = (x, y)
        plot.setRange(xRange=x, yRange=y)


def verdict(layer_names: list[str], labels: list[str]) -> tuple[str, str]:
    """The one-line finding ("⚠ vanishing gradient: L1, L2") and what to try about it."""
    found = []
    for kind in ("vanishing", "exploding"):
        layers = [_short(n, terse=True) for n, label in zip(layer_names, labels) if label == kind]
        if layers:
            found.append(f"{kind} gradient in {_ranges(layers)}")
    if not found:
        return "Gradients flow through every layer", ""
    advice = []
    if "vanishing" in labels:
        advice.append("Vanishing (100× below the strongest layer): try ReLU-like activations, He initialisation, "
                      "batch norm or residual skips.")
    if "exploding" in labels:
        advice.append("Exploding (100× above the median layer): lower the learning rate, clip gradients or add "
                      "batch norm.")
    return "⚠ " + "; ".join(found), "\n".join(advice)


def _short(name: str, terse: bool = False) -> str:
    """ "layer 2 (tanh)" → "L2 tanh" ("L2" when terse) and "output (softmax)" → "out" for crowded axes."""
    if name.startswith("layer "):
        number, _, kind = name[len("layer "):].partition(" ")
        return f"L{number}" if terse else f"L{number} {kind.strip('()')}".strip()
    if name.startswith("output"):
        return "out" if terse else name
    return name


def _ranges(short_names: list[str]) -> str:
    """ "L1, L2, L3, L5" → "L1–L3, L5": runs of consecutive layers written as ranges."""
    parts: list[list[str]] = []
    for name in short_names:
        number = int(name[1:]) if name[:1] == "L" and name[1:].isdigit() else None
        previous = parts[-1][-1] if parts else ""
        if number is not None and previous[1:].isdigit() and int(previous[1:]) == number - 1:
            parts[-1].append(name)
        else:
            parts.append([name])
    return ", ".join(", ".join(run) if len(run) < 3 else f"{run[0]}–{run[-1]}" for run in parts)
