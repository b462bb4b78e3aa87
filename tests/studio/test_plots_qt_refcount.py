"""Guards against a Qt binding that drops references to None/True/False (PySide6 6.12.0 on Python 3.11).

Such a build returns None from every void method without a reference; a live plot calls thousands of them per
second and the process aborts with "none_dealloc" after a few seconds of training. pyproject excludes it.
"""

import sys

import pytest
from PySide6.QtWidgets import QGraphicsRectItem


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal from Python 3.12 on")
def test_qt_void_calls_keep_none_refcount(qtbot):
    item = QGraphicsRectItem(0, 0, 1, 1)
    before = sys.getrefcount(None)
    for _ in range(200):
        item.update()
        item.setPos(1.0, 2.0)
    assert sys.getrefcount(None) >= before - 5  # a leaking build loses 400 here


def test_plot_survives_many_updates(qtbot):
    import pyqtgraph as pg

    widget = pg.PlotWidget()
    qtbot.addWidget(widget)
    curve = widget.plot([], [])
    before = sys.getrefcount(None)
    for i in range(2000):
        curve.setData([0.0, 1.0, 2.0], [i, i + 1.0, i + 2.0])
    x, y = curve.getData()
    assert y[-1] == 2001.0
    if sys.version_info < (3, 12):
        assert sys.getrefcount(None) >= before - 50
