"""The Runs dock on real store files: only the settings that differ become columns, the table sorts, filters,
renames, stars and deletes (after a confirmation) in the store, selected runs' curves overlay with a legend by
name, and Fork and Rewind start recorded runs from a checkpoint or the initial weights of a run."""

from __future__ import annotations

import sys
import types

import numpy as np
import pytest
from PySide6.QtCore import Qt

from core.runs import RunStore, store_path_for
from core.spec import with_changes
from studio.training.controller import IDLE, TrainingController
from studio.window.runs_dock import RunsDock
from tests.core.runs.fake_runs import DATA_REF, record_epochs, weights

LIST_TIMEOUT_MS = 10_000
TRAIN_TIMEOUT_MS = 60_000


def add_run(store: RunStore, spec, epochs: int, **options) -> int:
    """A finished run of `epochs` synthetic epochs (core.runs' own test snapshots)."""
    run_id = store.start_run(spec, DATA_REF, "hash", 0, weights(0.5), **options)
    recorder = store.recorder(run_id, weights=lambda: weights(1.0), checkpoint_every=2)
    record_epochs(recorder, 1, epochs)
    recorder.finish("completed", weights(1.0))
    return run_id


@pytest.fixture
def saved(document, tmp_path):
    """The default document saved in tmp_path (its run store beside it)."""
    document.save(tmp_path / "p.bps")
    return document


@pytest.fixture
def three_runs(saved):
    """Three runs of the default project that differ in the learning rate and the batch size only."""
    base = saved.spec
    specs = [with_changes(base, {"training.optimizer.lr": 0.01, "training.batch_size": 10}),
             with_changes(base, {"training.optimizer.lr": 0.03, "training.batch_size": 10}),
             with_changes(base, {"training.optimizer.lr": 0.01, "training.batch_size": 32})]
    with RunStore.open(store_path_for(saved.path)) as store:
        return [add_run(store, spec.to_json(), epochs, name=name)
                for spec, epochs, name in zip(specs, (9, 100, 10), ("base", "faster", "bigger batch"))]


@pytest.fixture
def make_panel(qtbot, saved):
    controllers, panels = [], []

    def make():
        controller = TrainingController(saved)
        controller.show_dialogs = False
        controllers.append(controller)
        panel = RunsDock(saved, controller)
        panels.append(panel)
        qtbot.addWidget(panel)
        panel.resize(1300, 700)
        panel.show()
        qtbot.waitUntil(lambda: not panel._list_job.running, timeout=LIST_TIMEOUT_MS)
        return panel

    yield make
    for controller in controllers:
        controller.shutdown()
    for panel in panels:
        panel.shutdown()  # no read left running (it holds the training thread budget)


def shown_names(panel) -> list[str]:
    column = panel.model.column_of("name")
    return [panel.proxy.index(row, column).data(Qt.ItemDataRole.EditRole) for row in range(panel.proxy.rowCount())]


def stored(saved):
    with RunStore.open(store_path_for(saved.path)) as store:
        return {run.id: run for run in store.list_runs()}


def test_only_the_settings_that_differ_become_columns(make_panel, three_runs):
    panel = make_panel()
    assert panel.model.differing == ["training.batch_size", "training.optimizer.lr"]
    headers = [panel.model.headerData(c, Qt.Orientation.Horizontal) for c in range(panel.model.columnCount())]
    assert headers[:7] == ["★", "Name", "Date", "Kind", "From", "batch_size", "optimizer.lr"]
    assert "Val loss" in headers and "Best val loss" in headers and headers[-1] == "Stopped"
    lr, batch = panel.model.column_of("setting:training.optimizer.lr"), panel.model.column_of(
        "setting:training.batch_size")
    assert [panel.proxy.index(row, lr).data() for row in range(3)] == ["0.01", "0.03", "0.01"]
    assert [panel.proxy.index(row, batch).data() for row in range(3)] == ["10", "10", "32"]
    panel.select_runs([three_runs[0]])  # the reference: what differs from it is bold
    bold = [[bool(panel.proxy.index(row, column).data(Qt.ItemDataRole.FontRole)) for column in (batch, lr)]
            for row in range(3)]
    assert bold == [[False, False], [False, True], [True, False]]


def test_sorting_is_by_value_and_tree_order_comes_back(make_panel, three_runs):
    panel = make_panel()
    epochs = panel.model.column_of("epochs")
    panel.table.sortByColumn(epochs, Qt.SortOrder.AscendingOrder)
    assert shown_names(panel) == ["base", "bigger batch", "faster"]  # 9, 10, 100 epochs: numbers, not text
    panel.table.sortByColumn(epochs, Qt.SortOrder.DescendingOrder)
    assert shown_names(panel) == ["faster", "bigger batch", "base"]
    panel.tree_button.click()
    assert shown_names(panel) == ["base", "faster", "bigger batch"]


def test_the_filter_matches_names_and_differing_settings(make_panel, three_runs):
    panel = make_panel()
    panel.filter.setText("training.optimizer.lr=0.03")
    assert shown_names(panel) == ["faster"] and panel.count.text() == "1 of 3 runs"
    panel.filter.setText("batch_size=32")
    assert shown_names(panel) == ["bigger batch"]
    panel.filter.setText("lr=0.01 bigger")  # every word must match
    assert shown_names(panel) == ["bigger batch"]
    panel.filter.setText("BASE")
    assert shown_names(panel) == ["base"]
    panel.filter.setText("nothing like it")
    assert shown_names(panel) == []
    panel.filter.clear()
    assert len(shown_names(panel)) == 3 and panel.count.text() == "3 runs"


def test_rename_and_star_are_written_to_the_store(make_panel, three_runs, saved, qtbot):
    panel = make_panel()
    name = panel.proxy.index(1, panel.model.column_of("name"))
    assert panel.proxy.setData(name, "  lr 0.03  ", Qt.ItemDataRole.EditRole)
    assert stored(saved)[three_runs[1]].name == "lr 0.03" and name.data(Qt.ItemDataRole.EditRole) == "lr 0.03"
    assert not panel.proxy.setData(name, "   ", Qt.ItemDataRole.EditRole)  # refused by the store: kept as it was
    assert "1 to 200 characters" in panel.notice.text() and not panel.notice.isHidden()
    assert stored(saved)[three_runs[1]].name == "lr 0.03"
    star = panel.proxy.index(2, panel.model.column_of("star"))
    assert panel.proxy.setData(star, Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    assert stored(saved)[three_runs[2]].starred and star.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    with qtbot.waitSignal(panel.loaded, timeout=LIST_TIMEOUT_MS):
        panel.refresh()  # read back from the file
    assert [row.summary.starred for row in panel.model.rows] == [False, False, True]


def test_delete_asks_first_and_refuses_a_run_still_recording(make_panel, three_runs, saved, answer_dialog, qtbot):
    with RunStore.open(store_path_for(saved.path)) as store:  # recording (this process is alive): not deletable
        running = store.start_run(saved.spec, DATA_REF, "hash", 0, None, name="live")
    panel = make_panel()
    panel.select_runs([three_runs[0]])
    answer_dialog("Cancel")
    panel.delete_selected()
    assert set(stored(saved)) == {*three_runs, running} and "base" in answer_dialog.seen[-1]
    answer_dialog("Delete")
    with qtbot.waitSignal(panel.loaded, timeout=LIST_TIMEOUT_MS):
        panel.delete_selected()
    assert set(stored(saved)) == {three_runs[1], three_runs[2], running}
    assert shown_names(panel) == ["faster", "bigger batch", "live"]
    panel.select_runs([running])
    answer_dialog("Delete")
    with qtbot.waitSignal(panel.loaded, timeout=LIST_TIMEOUT_MS):
        panel.delete_selected()
    assert running in stored(saved) and "still recording" in panel.notice.text()


def test_selected_runs_overlay_their_curves_with_a_legend_by_name(make_panel, three_runs, qtbot):
    panel = make_panel()
    assert panel.curves.curves == []
    with qtbot.waitSignal(panel.curves_loaded, timeout=LIST_TIMEOUT_MS):
        panel.select_runs(three_runs)
    qtbot.waitUntil(lambda: len(panel.curves.runs) == 3 and not panel._curves_job.running, timeout=LIST_TIMEOUT_MS)
    assert panel.curves.legend_names() == ["base", "faster", "bigger batch"]
    assert [curve.getData()[0].size for curve in panel.curves.curves] == [9, 100, 10]
    colours = {curve.opts["pen"].color().name() for curve in panel.curves.curves}
    assert len(colours) == 3
    for quantity in ("metric", "lr"):
        panel.curves.set_quantity(quantity)
        assert panel.curves.legend_names() == ["base", "faster", "bigger batch"]
        assert [curve.getData()[0].size for curve in panel.curves.curves] == [9, 100, 10]


def train(controller, qtbot, start) -> None:
    with qtbot.waitSignal(controller.finished, timeout=TRAIN_TIMEOUT_MS):
        start()
    qtbot.waitUntil(lambda: controller.state == IDLE, timeout=5_000)


def test_fork_starts_from_the_checkpoint_and_records_its_parent(make_panel, saved, qtbot):
    saved.set_training_field("epochs", 4)
    panel = make_panel()
    train(panel.controller, qtbot, panel.controller.start)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=LIST_TIMEOUT_MS)
    first = panel.model.rows[0].summary.id
    with qtbot.waitSignal(panel.curves_loaded, timeout=LIST_TIMEOUT_MS):
        panel.select_runs([first])
    qtbot.waitUntil(lambda: not panel._curves_job.running, timeout=LIST_TIMEOUT_MS)
    assert [panel.fork_epoch.itemData(i) for i in range(panel.fork_epoch.count())] == [1, 2, 3, 4]
    panel.fork_epoch.setCurrentIndex(1)
    saved.set_settings({"training.optimizer.lr": 0.003})  # the fork trains the current settings
    assert panel.fork_button.isEnabled()
    train(panel.controller, qtbot, panel.fork_button.click)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2, timeout=LIST_TIMEOUT_MS)  # listed when it finished
    with RunStore.open(store_path_for(saved.path)) as store:
        parent, fork = store.list_runs()
        checkpoint = store.checkpoint_weights(first, 2)
        forked = store.load_run(fork.id)
    assert (fork.parent, fork.parent_epoch) == (first, 2)
    np.testing.assert_array_equal(forked.initial_weights["params"], checkpoint["params"])
    assert forked.spec["training"]["optimizer"]["lr"] == 0.003 and parent.spec["training"]["optimizer"]["lr"] != 0.003
    assert [row.depth for row in panel.model.rows] == [0, 1]
    assert panel.model.text(panel.model.rows[1], "origin") == f"{first}@2"


def test_a_run_is_listed_as_running_while_it_trains_then_as_finished(make_panel, saved, qtbot):
    saved.set_training_field("epochs", 100_000)  # far longer than the test: it is stopped below
    panel = make_panel()
    controller = panel.controller
    assert panel.model.rowCount() == 0
    with qtbot.waitSignal(controller.run_opened, timeout=TRAIN_TIMEOUT_MS) as opened:
        assert controller.start()
    store_path, run_id = opened.args[0]
    assert store_path == store_path_for(saved.path)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1 and not panel._list_job.running, timeout=LIST_TIMEOUT_MS)
    assert controller.is_active  # listed while it trains, not once it is recorded
    summary = panel.model.rows[0].summary
    assert (summary.id, summary.status) == (run_id, "running")
    assert panel.model.text(panel.model.rows[0], "kind") == "train (running)"
    with qtbot.waitSignal(controller.run_recorded, timeout=TRAIN_TIMEOUT_MS):
        controller.stop()
    qtbot.waitUntil(lambda: panel.model.rows[0].summary.status != "running" and not panel._list_job.running,
                    timeout=LIST_TIMEOUT_MS)
    assert panel.model.rowCount() == 1 and panel.model.rows[0].summary.id == run_id
    assert panel.model.rows[0].summary.status == "finished" and panel.model.rows[0].summary.stop_reason == "stopped"


def test_rewind_reruns_from_the_same_initial_weights_and_seed(make_panel, saved, qtbot):
    saved.set_training_field("epochs", 3)
    panel = make_panel()
    train(panel.controller, qtbot, panel.controller.start)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=LIST_TIMEOUT_MS)
    first = panel.model.rows[0].summary.id
    saved.set_settings({"training.optimizer.lr": 0.05, "training.seed": 99})  # the user changed settings
    saved.set_weights(None, [])
    panel.select_runs([first])
    qtbot.waitUntil(lambda: panel.rewind_button.isEnabled(), timeout=LIST_TIMEOUT_MS)
    train(panel.controller, qtbot, panel.rewind_button.click)
    with RunStore.open(store_path_for(saved.path)) as store:
        original, rewound = (store.load_run(run.id) for run in store.list_runs())
    np.testing.assert_array_equal(rewound.initial_weights["params"], original.initial_weights["params"])
    assert rewound.seed == original.seed == 0 and saved.spec["training"]["seed"] == 0  # the run's data order
    assert (rewound.summary.parent, rewound.summary.parent_epoch) == (first, 0)
    assert rewound.spec["training"]["optimizer"]["lr"] == 0.05
    assert saved.undo_stack.undoText().startswith("Rewind to")  # the seed edit is one undoable step


def test_a_fork_that_no_longer_fits_the_network_is_refused(make_panel, saved, three_runs, qtbot):
    panel = make_panel()  # the synthetic runs' 12 weights don't fit the 2-8-8-2 network
    with qtbot.waitSignal(panel.curves_loaded, timeout=LIST_TIMEOUT_MS):
        panel.select_runs([three_runs[0]])
    qtbot.waitUntil(lambda: not panel._curves_job.running and panel.fork_button.isEnabled(), timeout=LIST_TIMEOUT_MS)
    panel.fork()
    assert "don't fit the network" in panel.notice.text() and panel.controller.state == IDLE
    assert saved.weights is None and len(stored(saved)) == 3


def test_scrub_is_hidden_without_the_scrub_dialog_and_opens_it_otherwise(make_panel, three_runs, monkeypatch):
    import studio.dialogs
    # imported by an earlier test, the module is an attribute of its package, which `from studio.dialogs import
    # scrub_dialog` reads before sys.modules: forget it there too
    monkeypatch.delattr(studio.dialogs, "scrub_dialog", raising=False)
    monkeypatch.setitem(sys.modules, "studio.dialogs.scrub_dialog", None)  # importing it raises ImportError
    panel = make_panel()
    assert panel.scrub_button.isHidden()
    opened = []

    class ScrubDialog:
        def __init__(self, store_path, run_id, parent=None):
            opened.append((store_path, run_id, parent))

        def setAttribute(self, *_args):  # noqa: N802 - Qt's name
            pass

        def show(self):
            pass

    module = types.ModuleType("studio.dialogs.scrub_dialog")
    module.ScrubDialog = ScrubDialog
    monkeypatch.setitem(sys.modules, "studio.dialogs.scrub_dialog", module)
    panel = make_panel()
    assert not panel.scrub_button.isHidden()
    panel.select_runs([three_runs[1]])
    panel.scrub_button.click()
    assert opened == [(panel.store_path, three_runs[1], panel)]


def test_the_window_has_a_runs_dock_built_when_first_shown(main_window, qtbot):
    dock = main_window.docks["runs_dock"]
    assert not main_window.panels.is_built("runs_dock")
    dock.show()
    dock.raise_()
    qtbot.waitUntil(lambda: main_window.panels.is_built("runs_dock"), timeout=5_000)
    panel = dock.widget()
    assert isinstance(panel, RunsDock)
    qtbot.waitUntil(lambda: not panel._list_job.running, timeout=LIST_TIMEOUT_MS)
    with qtbot.waitSignal(panel.loaded, timeout=LIST_TIMEOUT_MS):  # a race recorded its racers: listed again
        main_window._on_runs_recorded(panel.store_path)
    panel.refresh()
    assert panel._list_job.running
    main_window.close()  # waits for the read in flight: no thread budget left behind
    assert not panel._list_job.running
