"""The confusion matrix redraws cheaply: only cells whose count or shade changed get new text, and the class
ticks and the range are set only when the classes change."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from studio.plots.confusion_matrix_plot import ConfusionMatrixPlot
from tests.studio.call_counter import count_calls


def shown_texts(plot: ConfusionMatrixPlot) -> list[str]:
    return [t.textItem.toPlainText() for t in plot.cell_texts]


def test_a_redraw_sets_only_the_cells_that_changed(qtbot, monkeypatch):
    pg.setConfigOptions(antialias=True, background="w", foreground="k")
    plot = ConfusionMatrixPlot()
    qtbot.addWidget(plot)
    matrix = np.diag(np.full(10, 30)) + 1
    plot.set_matrix(matrix, epoch=1)
    plot.throttle.flush()
    set_text = [count_calls(monkeypatch, text, "setText") for text in plot.cell_texts]
    set_range = count_calls(monkeypatch, plot.plot, "setRange")
    set_ticks = count_calls(monkeypatch, plot.plot.getAxis("bottom"), "setTicks")

    plot.set_matrix(matrix.copy(), epoch=2)  # the same counts
    plot.throttle.flush()
    assert sum(c[0] for c in set_text) == 0 and set_range[0] == 0 and set_ticks[0] == 0
    assert "after epoch 2" in plot.plot.titleLabel.text

    changed = matrix.copy()
    changed[3, 4], changed[3, 5] = 2, 3  # one row: two counts change, (3, 3) stays the row's dark cell
    plot.set_matrix(changed, epoch=3)
    plot.throttle.flush()
    assert [i for i, c in enumerate(set_text) if c[0]] == [34, 35]
    assert shown_texts(plot)[33:36] == ["31", "2", "3"]
    assert set_range[0] == 0 and set_ticks[0] == 0

    shade = changed.copy()
    shade[3, 0] = 40  # (3, 3) keeps its count, but no longer has most of its row: its text turns black
    plot.set_matrix(shade, epoch=4)
    plot.throttle.flush()
    assert [i for i, c in enumerate(set_text) if c[0]] == [30, 33, 34, 35]
    assert set_text[33][0] == 1 and plot.cell_texts[33].color.name() == "#000000"


def test_new_classes_set_ticks_range_and_every_cell(qtbot):
    plot = ConfusionMatrixPlot()
    qtbot.addWidget(plot)
    plot.set_matrix(np.array([[8, 2], [0, 90]]), epoch=1)
    plot.throttle.flush()
    plot.clear()
    plot.set_matrix(np.array([[5, 0, 1], [0, 7, 0], [2, 0, 9]]), epoch=1)
    plot.throttle.flush()
    assert shown_texts(plot) == ["5", "0", "1", "0", "7", "0", "2", "0", "9"]
    assert plot.plot.viewRange()[0][1] >= 2.5  # the range grew to 3 classes
    assert [label for _, label in plot.plot.getAxis("bottom")._tickLevels[0]] == ["0", "1", "2"]


def test_the_title_fits_a_default_sized_dock(qtbot):
    """The accuracy came last in a long title and was cut off in the default dock ("…after epoch 30): acc")."""
    from studio.plots.confusion_matrix_plot import ConfusionMatrixPlot

    plot = ConfusionMatrixPlot()
    qtbot.addWidget(plot)
    plot.resize(400, 300)
    plot.show()
    qtbot.waitExposed(plot)
    plot.set_matrix(np.diag(np.full(10, 30)) + 1, epoch=300)
    plot.throttle.flush()
    qtbot.wait(20)
    title = plot.plot.titleLabel
    assert "accuracy 77.5%" in title.text  # 31 of each row of 40
    shown = plot.graphics.mapFromScene(title.item.sceneBoundingRect()).boundingRect()
    assert plot.graphics.viewport().rect().adjusted(-1, -1, 1, 1).contains(shown), f"title cut: {shown}"
