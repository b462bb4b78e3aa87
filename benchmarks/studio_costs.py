"""What watching costs the studio's main thread, plot by plot (for the studio benchmark's breakdown).

Three measures, all main-thread wall time during a run:
  * relay: the controller's slot for the worker's updates, i.e. every plot's and the status bar's intake of the
    newest snapshot (`TrainingController.seconds_relaying`);
  * setData: each plot's throttled redraw (`RedrawThrottle.draws` / `.seconds_drawing`);
  * paint: each plot's pyqtgraph views painting (`PaintTimer`, which wraps pyqtgraph's `GraphicsView.paintEvent`
    for the benchmark's lifetime and charges every paint to the dock the view sits in); the network builder's
    view (a plain QGraphicsView) is timed by a second `PaintTimer` over `BuilderView`.
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

    def per_second_ms(self, wall: float) -> float:
        """Main-thread milliseconds this plot costs per second of training."""
        return (self.draw_seconds + self.paint_seconds) * 1000 / wall if wall > 0 else 0.0


class PaintTimer:
    """Times every pyqtgraph view's paint, charged to the panel (a widget in `panels`) that contains it."""

    def __init__(self, view_class=None) -> None:
        self.view_class = view_class  # the view class whose paints are timed; None: pyqtgraph's GraphicsView
        self.seconds: dict[int, float] = defaultdict(float)  # keyed by id(panel)
        self.count: dict[int, int] = defaultdict(int)
        self._panels: dict[int, object] = {}
        self._original = None

    def _class(self):
        if self.view_class is not None:
            return self.view_class
        from pyqtgraph.widgets.GraphicsView import GraphicsView
        return GraphicsView

    def install(self) -> None:
        view_class = self._class()
        original = self._original = view_class.paintEvent
        timer = self

        def timed_paint(view, event):
            start = time.perf_counter()
            try:
                return original(view, event)
            finally:
                key = timer._panel_of(view)
                timer.seconds[key] += time.perf_counter() - start
                timer.count[key] += 1

        view_class.paintEvent = timed_paint

    def uninstall(self) -> None:
        if self._original is not None:
            self._class().paintEvent = self._original
            self._original = None

    def watch(self, panels: dict[str, object]) -> None:
        """Start counting afresh for these panels (name → widget)."""
        self._panels = {id(panel): panel for panel in panels.values()}
        self.seconds.clear()
        self.count.clear()

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
        costs.append(PlotCost(name.removesuffix("_dock"), throttle.draws, throttle.seconds_drawing, paints,
                              paint_seconds))
    return costs
