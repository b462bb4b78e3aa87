"""`RedrawThrottle`: redraw a plot at most N times a second, and not at all while it is hidden.

Data arrive up to ~30 times a second, but drawing is what costs: a pyqtgraph frame is several milliseconds of
Python on the main thread, and with Python's GIL every millisecond the main thread spends is a millisecond the
training thread may wait. So plots store every update at once (cheap) and draw through this throttle: the
newest data, at a rate that suits the plot, only when visible (a hidden dock redraws once when shown again).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget


class RedrawThrottle(QObject):
    def __init__(self, widget: QWidget, redraw: Callable[[], None], max_per_second: float = 10.0):
        super().__init__(widget)
        self.widget = widget
        self.redraw = redraw
        self.interval = 1.0 / max_per_second
        self.pending = False
        self.draws = 0  # how many times it actually drew (tests, benchmarks)
        self._last = 0.0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_timeout)
        widget.installEventFilter(self)

    def request(self) -> None:
        """Ask for a redraw with the newest data; several requests within one interval draw once."""
        self.pending = True
        if not self._timer.isActive():
            wait = max(0.0, self.interval - (time.perf_counter() - self._last))
            self._timer.start(int(wait * 1000))

    def flush(self) -> None:
        """Draw now if anything is pending (e.g. at the end of a run, or in tests)."""
        self._timer.stop()
        if self.pending:
            self._draw()

    def is_shown(self) -> bool:
        """Visible and not hidden behind another tab or off screen."""
        return self.widget.isVisible() and not self.widget.visibleRegion().isEmpty()

    def _on_timeout(self) -> None:
        if self.pending and self.is_shown():
            self._draw()

    def _draw(self) -> None:
        self.pending = False
        self._last = time.perf_counter()
        self.draws += 1
        self.redraw()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        # getattr: Qt may call the filter while the widget is being torn down, after our attributes are gone.
        if watched is getattr(self, "widget", None) and event.type() == QEvent.Type.Show and self.pending:
            self._timer.start(0)
        return False
