"""The Sweep dialog's views without a sweep: the parallel-coordinates axes, a drag on an axis filtering the lines
and the results table, the table's sorting, and the search-space editor's checks as the user types."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from core.spec import default_spec, validate_spec
from core.sweeps import ParamRange, TrialResult
from studio.plots.coordinate_axis import CoordinateAxis
from studio.plots.parallel_coordinates_plot import ParallelCoordinatesPlot
from studio.plots.sweep_coordinates import coordinate_axes, coordinate_lines
from studio.widgets.sweep_results_table import SweepResultsTable
from studio.widgets.sweep_space_editor import CHOICES, HIGH, LOW, SweepSpaceEditor

PARAMS = (ParamRange("training.optimizer.lr", "log", 1e-4, 1e-1), ParamRange("layers[*].units", "int", 4, 32),
          ParamRange("training.optimizer.name", "choice", choices=("adam", "sgd")))
TRIALS = [TrialResult(0, {"training.optimizer.lr": 1e-4, "layers[*].units": 4, "training.optimizer.name": "adam"},
                      0.9, "complete", (1.2, 0.9)),
          TrialResult(1, {"training.optimizer.lr": 1e-3, "layers[*].units": 16, "training.optimizer.name": "sgd"},
                      0.4, "complete", (1.0, 0.4)),
          TrialResult(2, {"training.optimizer.lr": 1e-2, "layers[*].units": 32, "training.optimizer.name": "adam"},
                      0.2, "complete", (0.8, 0.2)),
          TrialResult(3, {"training.optimizer.lr": 1e-1, "layers[*].units": 8, "training.optimizer.name": "sgd"},
                      None, "pruned", (1.5,)),
          TrialResult(4, {"training.optimizer.lr": 5e-2, "layers[*].units": 8, "training.optimizer.name": "sgd"},
                      None, "running", ())]


def test_axes_place_values_on_log_linear_and_choice_scales():
    lr = CoordinateAxis("lr", "log", 1e-4, 1e-1)
    assert lr.position(1e-4) == 0 and lr.position(1e-1) == 1 and lr.position(1e-2) == pytest.approx(2 / 3)
    assert [text for _, text in lr.ticks()] == ["1e-4", "0.001", "0.01", "0.1"]
    assert lr.position(0.0) is None and lr.position("adam") is None
    units = CoordinateAxis("units", "int", 4, 32)
    assert units.position(18) == 0.5 and [text for _, text in units.ticks()] == ["4", "18", "32"]
    name = CoordinateAxis("name", "choice", choices=("adam", "sgd", "rmsprop"))
    assert [name.position(c) for c in ("adam", "sgd", "rmsprop", "lbfgs")] == [0.0, 0.5, 1.0, None]


def test_lines_hold_each_trial_with_an_objective():
    lines = coordinate_lines(PARAMS, TRIALS)
    assert [line.number for line in lines] == [0, 1, 2, 3]  # the running trial has no objective yet
    assert lines[3].pruned and lines[3].values[-1] == 1.5  # where the pruner stopped it
    axes = coordinate_axes(PARAMS, "validation loss", TRIALS)
    assert [a.scale for a in axes] == ["log", "int", "choice", "lin"] and (axes[-1].low, axes[-1].high) == (0.2, 1.5)


def drag(qtbot, plot: ParallelCoordinatesPlot, axis: int, start: float, end: float) -> None:
    """Press on axis `axis` at height `start`, move to `end`, release: real mouse events into the plot's view."""
    view = plot.view_box

    def point(height: float):
        return plot.plot.mapFromScene(view.mapViewToScene(QPointF(axis, height)))

    viewport = plot.plot.viewport()
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point(start))
    for step in range(1, 6):
        QTest.mouseMove(viewport, point(start + (end - start) * step / 5))
        qtbot.wait(5)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point(end))


def test_dragging_on_an_axis_filters_the_lines_and_the_table(qtbot):
    plot, table = ParallelCoordinatesPlot(), SweepResultsTable()
    qtbot.addWidget(plot)
    qtbot.addWidget(table)
    plot.resize(700, 400)
    plot.show()
    table.set_columns("validation loss", [p.path for p in PARAMS])
    table.set_trials(TRIALS, best=2)
    plot.filter_changed.connect(table.show_only)
    plot.set_data(coordinate_axes(PARAMS, "validation loss", TRIALS), coordinate_lines(PARAMS, TRIALS), best=2)
    qtbot.waitExposed(plot)
    assert plot.passing() is None and table.shown_numbers() == [0, 1, 2, 3, 4]
    drag(qtbot, plot, axis=0, start=0.2, end=0.8)  # the learning rate from about 4e-4 to 2.5e-2
    assert 0 in plot.selections
    assert plot.passing() == {1, 2} and table.shown_numbers() == [1, 2]
    drag(qtbot, plot, axis=2, start=0.9, end=1.1)  # and the optimizer is sgd
    assert plot.passing() == {1} and table.shown_numbers() == [1]
    QTest.mouseClick(plot.plot.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     plot.plot.mapFromScene(plot.view_box.mapViewToScene(QPointF(0, 0.5))))  # a click clears lr's
    assert 0 not in plot.selections and plot.passing() == {1, 3}
    plot.clear_selection()
    assert table.shown_numbers() == [0, 1, 2, 3, 4]


def test_the_table_sorts_numbers_as_numbers_and_missing_values_last(qtbot):
    table = SweepResultsTable()
    qtbot.addWidget(table)
    table.set_columns("validation loss", [p.path for p in PARAMS])
    table.set_trials(TRIALS, best=2)
    table.sortByColumn(2, Qt.SortOrder.AscendingOrder)
    assert table.shown_numbers()[:3] == [2, 1, 0] and set(table.shown_numbers()[3:]) == {3, 4}
    assert table.item(0, 2).font().bold()  # the best trial
    table.sortByColumn(2, Qt.SortOrder.DescendingOrder)
    assert table.shown_numbers()[:3] == [0, 1, 2] and set(table.shown_numbers()[3:]) == {3, 4}  # still last
    table.sortByColumn(4, Qt.SortOrder.AscendingOrder)  # units: 4 < 8 < 16 < 32, not "16" < "32" < "4"
    assert [table.item(row, 4).text() for row in range(5)] == ["4", "8", "8", "16", "32"]


def test_the_space_editor_checks_each_row_as_the_user_types(qtbot):
    editor = SweepSpaceEditor(validate_spec(default_spec()))
    qtbot.addWidget(editor)
    row = editor.add_row("training.optimizer.lr")
    assert editor.error == "" and editor.params()[0].path == "training.optimizer.lr"
    assert editor.params()[0].kind == "log"
    low = editor._edit(row, LOW)
    low.clear()
    qtbot.keyClicks(low, "-1")
    assert editor.params() == () and "lr must be > 0" in editor.error and not editor.error_label.isHidden()
    assert editor.error.startswith("row 1: parameter training.optimizer.lr")
    low.clear()
    qtbot.keyClicks(low, "abc")
    assert "'abc' is not a number" in editor.error
    low.clear()
    qtbot.keyClicks(low, "1e-4")
    assert editor.error == "" and editor.params()[0].low == 1e-4
    editor._edit(row, HIGH).setText("1e-5")
    qtbot.keyClicks(editor._edit(row, HIGH), "0")
    assert "low end" in editor.error
    editor._edit(row, HIGH).setText("0.1")
    qtbot.keyClicks(editor._edit(row, HIGH), "0")
    assert editor.error == ""

    names = editor.add_row("training.optimizer.name")
    assert editor._kind_box(names).currentText() == "choice" and not editor._edit(names, LOW).isEnabled()
    editor._edit(names, CHOICES).setText("adam, warp_drive")
    qtbot.keyClicks(editor._edit(names, CHOICES), " ")
    assert "row 2" in editor.error and "warp_drive" in editor.error

    editor._edit(names, CHOICES).setText("adam, sgd")
    qtbot.keyClicks(editor._edit(names, CHOICES), " ")
    assert editor.error == "" and editor.params()[1].choices == ("adam", "sgd")
    both = editor.add_row("layers[*].dropout")
    editor._setting_box(both).setCurrentIndex(editor._setting_box(both).findData("layers[0].dropout"))
    editor.add_row("layers[*].dropout")  # layers[0].dropout is then swept twice
    assert "already swept" in editor.error
