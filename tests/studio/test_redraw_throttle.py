"""`RedrawThrottle`: hidden plots don't draw but catch up when shown; plots take turns; dear redraws slow down."""

from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtWidgets import QTabWidget, QWidget

from studio.plots import redraw_throttle
from studio.plots.redraw_throttle import MAX_DRAW_SHARE, STAGGER, RedrawThrottle


class Recorder:
    """A redraw callable that remembers when it ran and what data it saw."""

    def __init__(self, source: dict | None = None, busy: float = 0.0):
        self.times: list[float] = []
        self.seen: list = []
        self.source = source
        self.busy = busy

    def __call__(self) -> None:
        self.times.append(time.perf_counter())
        if self.source is not None:
            self.seen.append(self.source["value"])
        if self.busy:  # CPU work (the throttle counts the thread's CPU time, not waiting)
            end = time.thread_time() + self.busy
            while time.thread_time() < end:
                pass


@pytest.fixture
def tabs(qtbot):
    """Two plots as tabs: the first is shown, the second hidden behind it."""
    widget = QTabWidget()
    front, back = QWidget(), QWidget()
    widget.addTab(front, "front")
    widget.addTab(back, "back")
    qtbot.addWidget(widget)
    widget.resize(300, 200)
    widget.show()
    qtbot.waitExposed(widget)
    return widget, front, back


def test_a_hidden_tab_does_not_draw_and_catches_up_with_the_newest_data_when_shown(tabs, qtbot):
    widget, _front, back = tabs
    data = {"value": 0}
    recorder = Recorder(data)
    throttle = RedrawThrottle(back, recorder, max_per_second=50)
    for value in range(1, 101):  # a run's worth of updates while the tab is behind another
        data["value"] = value
        throttle.request()
    qtbot.wait(300)  # many intervals pass
    assert recorder.seen == [] and throttle.pending
    widget.setCurrentWidget(back)
    qtbot.waitUntil(lambda: recorder.seen != [], timeout=5_000)
    assert recorder.seen == [100]  # one draw, with the newest data
    assert not throttle.pending


def test_requests_within_one_interval_draw_once(tabs, qtbot):
    _widget, front, _back = tabs
    recorder = Recorder()
    throttle = RedrawThrottle(front, recorder, max_per_second=2)
    throttle.request()
    qtbot.waitUntil(lambda: len(recorder.times) == 1, timeout=5_000)
    for _ in range(20):
        throttle.request()
    qtbot.wait(100)
    assert len(recorder.times) == 1  # the next draw waits for the interval (0.5 s)
    qtbot.waitUntil(lambda: len(recorder.times) == 2, timeout=5_000)
    assert recorder.times[1] - recorder.times[0] >= 0.5 - 0.01


def test_two_plots_asking_at_once_draw_in_turn(tabs, qtbot, monkeypatch):
    monkeypatch.setattr(redraw_throttle._SharedClock, "last_draw", float("-inf"))
    widget, front, _back = tabs
    first, second = Recorder(), Recorder()
    a = RedrawThrottle(front, first, max_per_second=100)
    b = RedrawThrottle(widget.tabBar(), second, max_per_second=100)  # another visible widget
    a.request()
    b.request()
    qtbot.waitUntil(lambda: bool(first.times and second.times), timeout=5_000)
    gap = abs(second.times[0] - first.times[0])
    assert gap >= STAGGER - 0.002  # never in the same frame: the second waited for the first's paint


def test_an_expensive_redraw_lowers_the_plot_rate(tabs, qtbot):
    _widget, front, _back = tabs
    recorder = Recorder(busy=0.03)
    throttle = RedrawThrottle(front, recorder, max_per_second=30)
    for _ in range(10):  # redraws that keep costing ≥ 30 ms (the estimate rises gradually)
        throttle.request()
        throttle.flush()
    assert throttle.cost >= 0.025
    assert throttle.min_interval >= 0.025 / MAX_DRAW_SHARE  # ≥ 0.5 s instead of 1/30 s


def test_one_slow_redraw_does_not_keep_the_rate_low(tabs, qtbot):
    _widget, front, _back = tabs
    recorder = Recorder(busy=0.02)
    throttle = RedrawThrottle(front, recorder, max_per_second=30)
    for _ in range(10):
        throttle.request()
        throttle.flush()
    assert throttle.cost >= 0.015
    recorder.busy = 0.0
    throttle.request()
    throttle.flush()
    assert throttle.cost < 0.005  # a cheap redraw is believed at once
    assert throttle.min_interval <= 0.005 / MAX_DRAW_SHARE  # back to about its own limit (1/30 s)


def test_cancel_forgets_a_pending_redraw(tabs, qtbot):
    _widget, front, _back = tabs
    recorder = Recorder()
    throttle = RedrawThrottle(front, recorder, max_per_second=20)
    throttle.request()
    throttle.cancel()
    qtbot.wait(200)
    assert recorder.times == [] and not throttle.pending


class CountingPlot(pg.PlotWidget):
    """A pyqtgraph plot that counts its paints."""

    def __init__(self):
        super().__init__()
        self.paints = 0
        self.curve = self.plot([], [])

    def paintEvent(self, event):  # noqa: N802 - Qt's name
        self.paints += 1
        return super().paintEvent(event)


def test_each_redraw_paints_the_plot_once_with_its_new_range(qtbot):
    plot = CountingPlot()
    qtbot.addWidget(plot)
    plot.resize(300, 200)
    plot.show()
    qtbot.waitExposed(plot)
    xs = np.arange(50.0)
    plot.curve.setData(xs, 50 + np.sin(xs / 10))  # same y span and label widths as the redraws: no relayout
    qtbot.wait(200)  # the first layout and paints are done
    length = [100]

    def redraw():  # more points each time: the x auto-range changes with every redraw
        xs = np.arange(length[0], dtype=float)
        plot.curve.setData(xs, 50 + np.sin(xs / 10))
        length[0] += 7

    throttle = RedrawThrottle(plot, redraw, max_per_second=100)
    throttle.request()
    throttle.flush()  # the first redraw may re-lay out the axes (another paint); the steady state is checked
    qtbot.wait(100)
    for draw in range(1, 4):
        before = plot.paints
        throttle.request()
        throttle.flush()
        qtbot.wait(100)  # let any further paint the redraw caused happen
        assert plot.paints - before == 1, f"redraw {draw} painted {plot.paints - before} times"
        (_x_low, x_high), _ = plot.getViewBox().viewRange()
        assert x_high >= length[0] - 7 - 1  # the range shown is the new data's


def test_a_plot_its_own_child_covers_entirely_still_draws(qtbot):
    plot = pg.PlotWidget()  # the viewport child covers the whole widget: its own visible region is empty
    qtbot.addWidget(plot)
    plot.resize(300, 200)
    plot.show()
    qtbot.waitExposed(plot)
    recorder = Recorder()
    throttle = RedrawThrottle(plot, recorder, max_per_second=50)
    throttle.request()
    qtbot.waitUntil(lambda: len(recorder.times) == 1, timeout=5_000)


def test_a_dock_tabbed_behind_another_does_not_draw_until_raised(qtbot):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QDockWidget, QMainWindow

    window = QMainWindow()
    qtbot.addWidget(window)
    window.setCentralWidget(QWidget())
    front_dock, back_dock = QDockWidget("front", window), QDockWidget("back", window)
    back_plot = pg.PlotWidget()
    front_dock.setWidget(pg.PlotWidget())
    back_dock.setWidget(back_plot)
    window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, front_dock)
    window.tabifyDockWidget(front_dock, back_dock)
    front_dock.raise_()
    window.resize(600, 400)
    window.show()
    qtbot.waitExposed(window)
    qtbot.wait(50)
    recorder = Recorder()
    throttle = RedrawThrottle(back_plot, recorder, max_per_second=50)
    throttle.request()
    qtbot.wait(300)
    assert recorder.times == [] and throttle.pending  # behind the other tab (though isVisible() is true)
    back_dock.raise_()
    qtbot.waitUntil(lambda: len(recorder.times) == 1, timeout=5_000)
