"""What watching costs the studio's main thread, plot by plot (for the studio benchmark's breakdown).

Three measures, all main-thread wall time during a run:
  * relay: the controller's slot for the worker's updates, i.e. every plot's and the status bar's intake of the
    newest snapshot (`TrainingController.seconds_relaying`);
  * setData: each plot's throttled redraw (`RedrawThrottle.draws` / `.seconds_drawing`);
  * paint: each plot's pyqtgraph views painting (`PaintTimer`, which wraps pyqtgraph's `GraphicsView.paintEvent`
    for the benchmark's lifetime and charges every paint to the dock the view sits in); the network builder's
    view (a plain QGraphicsView) is timed by a second `PaintTimer` over `BuilderView`.

Wall time counts the main thread's waits for the GIL and for a core, so on a loaded machine it mostly measures
the load. The figure to compare is therefore CPU time (`time.thread_time`) per second of training, per plot:
its throttle's whole draws (redraw, settling the ranges, painting: `RedrawThrottle.cpu_seconds`) plus its
stray paints, the ones Qt asked for outside a throttled draw (a moved marker, a resized label, a raised tab).
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass


@dataclass
class PlotCost:
    name: str
    draws: int
    draw_seconds: float
    paints: int
    paint_seconds: float
    draw_cpu: float = 0.0  # CPU seconds of the throttle's whole draws
    stray_paints: int = 0  # paints outside a throttled draw
    stray_cpu: float = 0.0  # their CPU seconds

    def per_second_ms(self, wall: float) -> float:
        """Main-thread wall milliseconds this plot costs per second of training."""
        return (self.draw_seconds + self.paint_seconds) * 1000 / wall if wall > 0 else 0.0

    def cpu_per_second_ms(self, wall: float) -> float:
        """Main-thread CPU milliseconds this plot costs per second of training (the figure that load does not
        inflate)."""
        return (self.draw_cpu + self.stray_cpu) * 1000 / wall if wall > 0 else 0.0


class PaintTimer:
    """Times every pyqtgraph view's paint, charged to the panel (a widget in `panels`) that contains it."""

    def __init__(self, view_class=None) -> None:
        self.view_class = view_class  # the view class whose paints are timed; None: pyqtgraph's GraphicsView
        self.seconds: dict[int, float] = defaultdict(float)  # keyed by id(panel)
        self.count: dict[int, int] = defaultdict(int)
        self.stray_cpu: dict[int, float] = defaultdict(float)  # CPU seconds of paints outside throttled draws
        self.stray_count: dict[int, int] = defaultdict(int)
        self._panels: dict[int, object] = {}
        self._original = None

    def _class(self):
        if self.view_class is not None:
            return self.view_class
        from pyqtgraph.widgets.GraphicsView import GraphicsView
        return GraphicsView

    def install(self) -> None:
        from studio.plots.redraw_throttle import _SharedClock

        view_class = self._class()
        original = self._original = view_class.paintEvent
        timer = self

        def timed_paint(view, event):
            start, cpu_start, stray = time.perf_counter(), time.thread_time(), not _SharedClock.drawing
            try:
                return original(view, event)
            finally:
                key = timer._panel_of(view)
                timer.seconds[key] += time.perf_counter() - start
                timer.count[key] += 1
                if stray:
                    timer.stray_cpu[key] += time.thread_time() - cpu_start
                    timer.stray_count[key] += 1

        view_class.paintEvent = timed_paint

    def uninstall(self) -> None:
        if self._original is not None:
            self._class().paintEvent = self._original
            self._original = None

    def watch(self, panels: dict[str, object]) -> None:
        """Start counting afresh for these panels (name → widget)."""
        self._panels = {id(panel): panel for panel in panels.values()}
        for tally in (self.seconds, self.count, self.stray_cpu, self.stray_count):
            tally.clear()

    def _panel_of(self, view) -> int:
        widget = view
        while widget is not None:
            if id(widget) in self._panels:
                return id(widget)
            widget = widget.parentWidget()
        return 0  # a view outside the watched panels (e.g. the data panel's preview)


def built_panels(window) -> dict[str, object]:
    """The window's panels that exist now, without building the ones still waiting behind a tab (walking
    `window.panels` would build them all, and a built hidden plot takes in every update: not the default
    layout a user trains in)."""
    from studio.window.docks import DOCKS

    panels = window.panels
    is_built = getattr(panels, "is_built", lambda _name: True)
    built = {spec.name: panels[spec.name] for spec in DOCKS if spec.name in panels and is_built(spec.name)}
    if getattr(window, "builder", None) is not None:
        built["builder"] = window.builder  # the central network builder: live thumbnails and edges
    from studio.window.training_status import TrainingStatus

    status = window.findChild(TrainingStatus)
    if status is not None:
        built["status bar"] = status  # epoch, speed, time left, progress: redrawn through a throttle too
    return built


def plot_costs(panels: dict[str, object], *painters: PaintTimer) -> list[PlotCost]:
    """One PlotCost per panel that draws through a RedrawThrottle (panels not built: not listed)."""
    costs = []
    for name, panel in panels.items():
        throttle = getattr(panel, "throttle", None)
        if throttle is None:
            continue
        paints = sum(p.count.get(id(panel), 0) for p in painters)
        paint_seconds = sum(p.seconds.get(id(panel), 0.0) for p in painters)
        stray_paints = sum(p.stray_count.get(id(panel), 0) for p in painters)
        stray_cpu = sum(p.stray_cpu.get(id(panel), 0.0) for p in painters)
        costs.append(PlotCost(name.removesuffix("_dock"), throttle.draws, throttle.seconds_drawing, paints,
                              paint_seconds, throttle.cpu_seconds, stray_paints, stray_cpu))
    return costs
