"""`RedrawThrottle`: redraw a plot at most N times a second, never while hidden, and never two plots at once.

Data arrive up to ~30 times a second, but drawing is what costs: a pyqtgraph frame is several milliseconds of
Python on the main thread, and with Python's GIL every millisecond the main thread spends is a millisecond the
training thread may wait. So plots store every update at once (cheap) and draw through this throttle:

  * the newest data, at most `max_per_second` times a second, and less often when the plot's drawing is
    expensive: a plot's own redraws (and paints) may take at most `MAX_DRAW_SHARE` of the main thread's CPU;
  * only when visible: a hidden plot (a closed dock, a tab behind another) keeps its data and draws once, with
    the newest, when it is shown again (at once on a Show event; within `HIDDEN_POLL` when a tab is raised);
  * staggered: every throttle shares one clock, and a plot whose turn comes less than `STAGGER` seconds after
    another plot drew waits out the rest. Spreading the plots over the frame keeps every single block of
    main-thread work (what an input event may have to wait for) to one plot's cost instead of the sum of all;
  * painted once, at once: after the redraw, pyqtgraph's pending auto-ranges are settled (`prepareForPaint`)
    and the scene's queued item updates delivered before the widget repaints. Left to themselves, a changed
    range and the scene's deferred dirty-item pass each request another paint of the plot (measured: 2 paints
    per redraw, for a plot whose range changes). Painting right away also lets the cost estimate include it.
    Only the dirty regions are painted (the window's pending update request, delivered now), not the whole
    widget: the axes of a range that stayed put, a key whose text did not change, are left as they are.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from pyqtgraph import GraphicsView
from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

STAGGER = 0.02  # seconds between two plots' redraws (room for the first one's paint)
HIDDEN_POLL = 0.25  # seconds between looks at whether a hidden plot with new data has come into view
# At most this share of the main thread in one plot's redraws. Every millisecond the main thread holds the GIL may
# be one the training waits: at 5 % the loss plot alone took ~55 ms of CPU per second of a fast run, with the
# gradient flow, the builder and the status bar the studio trained at ~85 % of headless speed. At 3 % a 10-ms loss
# redraw comes ~3 times a second while training fast (a cheaper one more often, up to the plot's own limit).
MAX_DRAW_SHARE = 0.03
_COST_SMOOTHING = 0.3  # weight of a dearer redraw in the running cost estimate


class _SharedClock:
    """When any throttle last drew (one clock for the whole application: there is one main thread)."""

    last_draw = float("-inf")
    drawing = False  # inside a throttle's draw: a paint now is the throttle's own (benchmarks tell stray ones)


class RedrawThrottle(QObject):
    def __init__(self, widget: QWidget, redraw: Callable[[], None], max_per_second: float = 10.0):
        super().__init__(widget)
        self.widget = widget
        self.redraw = redraw
        self.interval = 1.0 / max_per_second
        self.pending = False
        self.draws = 0  # how many times it actually drew (tests, benchmarks)
        self.seconds_drawing = 0.0  # main-thread time spent in `redraw` (the setData side; painting follows)
        self.cpu_seconds = 0.0  # main-thread CPU time of whole draws: redraw, settling ranges, painting
        self.cost = 0.0  # running estimate of one redraw's CPU seconds, its paint included
        self._last = float("-inf")
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_timeout)
        widget.installEventFilter(self)

    @property
    def min_interval(self) -> float:
        """Seconds between this plot's redraws: its own limit, or longer when its redraws are expensive."""
        return max(self.interval, self.cost / MAX_DRAW_SHARE)

    def request(self) -> None:
        """Ask for a redraw with the newest data; several requests within one interval draw once."""
        self.pending = True
        if not self._timer.isActive():
            self._start_timer(self._wait())

    def flush(self) -> None:
        """Draw now if anything is pending (e.g. at the end of a run, or in tests)."""
        self._timer.stop()
        if self.pending:
            self._draw()

    def cancel(self) -> None:
        """Forget a pending redraw (the widget was set by other means, e.g. a final state)."""
        self._timer.stop()
        self.pending = False

    def is_shown(self) -> bool:
        """Shown on screen: visible, and some of it unobscured. A dock tabbed behind another stays `isVisible()`
        but has nothing unobscured. The widget's own `visibleRegion()` is not enough either way: it is empty
        for a widget its children cover entirely (a panel that is all plot), so their regions count too."""
        widget = self.widget
        if not widget.isVisible() or widget.window().isMinimized():
            return False
        if not widget.visibleRegion().isEmpty():
            return True
        return any(child.isVisible() and not child.visibleRegion().isEmpty()
                   for child in widget.findChildren(QWidget))

    def _wait(self) -> float:
        """Seconds until this plot may draw: its own interval since its last draw, and the stagger since any."""
        now = time.perf_counter()
        return max(0.0, self._last + self.min_interval - now, _SharedClock.last_draw + STAGGER - now)

    def _start_timer(self, seconds: float) -> None:
        self._timer.start(int(seconds * 1000 + 0.999))  # round up: an early timeout would only wait again

    def _on_timeout(self) -> None:
        if not self.pending:
            return
        if not self.is_shown():
            # Hidden: a Show event draws the newest data, but raising a tabbed dock sends none (it was never
            # hidden, only covered), so look again now and then.
            self._start_timer(HIDDEN_POLL)
            return
        wait = self._wait()
        if wait > 0:  # another plot drew meanwhile
            self._start_timer(wait)
            return
        self._draw()

    def _draw(self) -> None:
        self.pending = False
        start = self._last = _SharedClock.last_draw = time.perf_counter()
        cpu_start = time.thread_time()
        self.draws += 1
        _SharedClock.drawing = True
        try:
            self.redraw()
            self.seconds_drawing += time.perf_counter() - start
            self._paint()
        finally:
            _SharedClock.drawing = False
        # CPU time, not wall time: waiting for the GIL or for a core is not work this plot made the thread do.
        seconds = time.thread_time() - cpu_start
        self.cpu_seconds += seconds
        # A cheaper redraw is believed at once, a dearer one gradually: one slow frame (the first layout, a
        # garbage collection) must not slow the plot down for seconds.
        self.cost = min(seconds, (1 - _COST_SMOOTHING) * self.cost + _COST_SMOOTHING * seconds)

    def _paint(self) -> None:
        if not self.is_shown():
            return  # drawn by flush() while hidden: it paints when shown
        views = self.widget.findChildren(GraphicsView)
        for view in [self.widget, *views] if isinstance(self.widget, GraphicsView) else views:
            scene = view.scene()
            if scene is not None:
                scene.prepareForPaint()  # settle auto-ranges now, so that one paint shows the final ranges
                # The scene hands its dirty items to the views in a queued call: deliver it now, not after our
                # paint (it would ask for a second one).
                QCoreApplication.sendPostedEvents(scene, QEvent.Type.MetaCall)
        # Paint what changed, now: the window's pending update request repaints the dirty regions only (an axis
        # or a key whose range and text stayed the same is not painted again); `repaint()` painted all of it.
        QCoreApplication.sendPostedEvents(self.widget.window(), QEvent.Type.UpdateRequest)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        # getattr: Qt may call the filter while the widget is being torn down, after our attributes are gone.
        if watched is getattr(self, "widget", None) and event.type() == QEvent.Type.Show and self.pending:
            self._start_timer(self._wait())
        return False
