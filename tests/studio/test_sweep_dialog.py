"""Training → Sweep hyperparameters: a real Optuna study on a tiny saved project, run through the dialog off the
GUI thread; its trials fill the table and the views; Apply best is one undoable edit; Cancel keeps the finished
trials and a reopened dialog resumes the study."""

from __future__ import annotations

from PySide6.QtCore import Qt

from core.sweeps import default_storage, load_trials
from studio.dialogs.sweep_dialog import SweepDialog
from studio.document import Document

SWEEP_TIMEOUT_MS = 120_000


def saved_project(tmp_path, epochs: int) -> Document:
    """The default project (circles, 2-8-8-2 tanh, Adam) with few epochs, saved in the test's folder."""
    document = Document()
    document.set_settings({"training.epochs": epochs})
    document.save(tmp_path / "tiny.bps")
    return document


def sweep_dialog(qtbot, document, paths, trials: int) -> SweepDialog:
    dialog = SweepDialog(document)
    qtbot.addWidget(dialog)
    dialog.editor.set_params(())
    for path in paths:
        dialog.editor.add_row(path)
    dialog.trials.setValue(trials)
    dialog.workers.setValue(1)
    return dialog


def test_a_sweep_runs_to_the_end_and_apply_best_is_one_undoable_edit(qtbot, tmp_path):
    document = saved_project(tmp_path, epochs=3)
    dialog = sweep_dialog(qtbot, document, ["training.optimizer.lr", "layers[*].units"], trials=4)
    dialog.prune.setChecked(False)
    assert dialog.start_button.text() == "Start" and dialog.start_button.isEnabled(), dialog.blockers()
    assert not dialog.apply_button.isEnabled()  # nothing to apply yet
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    assert dialog.job.running and dialog.cancel_button.isEnabled() and not dialog.start_button.isEnabled()
    qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=SWEEP_TIMEOUT_MS)
    assert not dialog.outcome.stopped and dialog.status.text().startswith("Done: 4 trials")
    assert dialog.views.table.rowCount() == 4
    assert sorted(dialog.views.table.number_at(row) for row in range(4)) == [0, 1, 2, 3]
    assert {dialog.views.table.item(row, 1).text() for row in range(4)} == {"complete"}
    assert [dialog.views.table.horizontalHeaderItem(c).text() for c in range(5)] == [
        "#", "state", "validation loss", "training.optimizer.lr", "layers[*].units"]
    table = dialog.views.table
    runs = [table.item(row, table.columnCount() - 1).text() for row in range(4)]
    assert table.horizontalHeaderItem(table.columnCount() - 1).text() == "run" and len(set(runs)) == 4
    assert all(run.isdigit() for run in runs)  # each trial is a run in the project's run store
    assert len(dialog.views.parallel.lines) == 4 and len(dialog.views.curves.drawn) == 4
    assert all(len(trial.curve) == 3 for trial in dialog.state.ordered())  # one value per epoch
    best = dialog.state.best()
    assert best.value == min(trial.value for trial in dialog.state.ordered())
    assert dialog.views.parallel.best == best.number == dialog.views.curves.best
    qtbot.waitUntil(lambda: dialog.views.importance.importances != {} and not dialog.views.importance_job.running,
                    timeout=SWEEP_TIMEOUT_MS)
    assert set(dialog.views.importance.importances) == {"training.optimizer.lr", "layers[*].units"}

    before = document.spec
    assert dialog.apply_button.isEnabled()
    qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    spec = document.spec
    assert spec.training.optimizer.lr == best.params["training.optimizer.lr"]
    units = best.params["layers[*].units"]
    assert [layer.units for layer in spec.layers[:-1]] == [units, units]  # every hidden layer, not the output
    assert document.undo_stack.undoText() == f"Apply sweep trial {best.number}"
    document.undo_stack.undo()
    assert document.spec == before
    dialog.done(0)


def test_start_waits_for_a_saved_project(qtbot, tmp_path):
    document = Document()
    dialog = sweep_dialog(qtbot, document, ["training.optimizer.lr"], trials=2)
    assert not dialog.start_button.isEnabled() and "Save the project first" in dialog.start_button.toolTip()
    document.save(tmp_path / "p.bps")
    assert dialog.start_button.isEnabled()
    document.set_settings({"training.epochs": 7})
    assert not dialog.start_button.isEnabled() and "Save your changes first" in dialog.start_button.toolTip()
    dialog.editor._edit(0, 2).setText("0")
    dialog.editor._check()
    document.save(tmp_path / "p.bps")
    assert not dialog.start_button.isEnabled() and "lr must be > 0" in dialog.start_button.toolTip()


def test_cancel_keeps_finished_trials_and_a_reopened_dialog_resumes_the_study(qtbot, tmp_path):
    document = saved_project(tmp_path, epochs=40)
    dialog = sweep_dialog(qtbot, document, ["training.optimizer.lr"], trials=200)
    dialog.start()
    qtbot.waitUntil(lambda: dialog.state.done >= 1, timeout=SWEEP_TIMEOUT_MS)
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=SWEEP_TIMEOUT_MS)
    assert dialog.outcome.stopped and "Cancelled" in dialog.status.text()
    trials = load_trials(default_storage(document.path), "tiny")
    kept = [t for t in trials if t.state == "complete"]
    assert 1 <= len(kept) < 200
    finished = [t for t in trials if t.state in ("complete", "pruned")]  # a trial cut short is not counted
    assert dialog.state.done == len(finished) and f"Cancelled: {len(finished)} finished trials kept" in \
        dialog.status.text()
    assert {t.number for t in dialog.state.complete} == {t.number for t in kept}
    dialog.done(0)

    reopened = SweepDialog(document)  # the study is read back from beside the project
    qtbot.addWidget(reopened)
    assert {t.number for t in reopened.state.complete} == {t.number for t in kept}
    assert reopened.views.table.rowCount() == len(reopened.state.trials) >= len(kept)
    assert [p.path for p in reopened.editor.params()] == ["training.optimizer.lr"]
    assert reopened.start_button.text() == "Resume" and reopened.start_button.isEnabled()
    done_before = reopened.state.done
    reopened.trials.setValue(done_before + 1)
    reopened.workers.setValue(1)
    qtbot.mouseClick(reopened.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: reopened.outcome is not None, timeout=SWEEP_TIMEOUT_MS)
    assert not reopened.outcome.stopped and reopened.state.done >= done_before + 1  # a new trial, pruned or not
    assert {t.number for t in kept} <= {t.number for t in reopened.state.complete}
    reopened.done(0)


def test_the_training_menu_opens_the_sweep_dialog_and_is_off_while_training(main_window):
    action = main_window.action_sweep
    assert action.isEnabled()
    action.trigger()
    dialog = main_window.sweep_dialog
    assert dialog.isVisible() and dialog.windowTitle() == "Sweep hyperparameters"
    main_window.document.set_training(True)
    assert not action.isEnabled() and not dialog.start_button.isEnabled()
    main_window.document.set_training(False)
    assert action.isEnabled()
    action.trigger()
    assert main_window.sweep_dialog is dialog  # one of a kind
    dialog.done(0)


def test_another_space_starts_a_new_study_and_keeps_the_old_one(qtbot, tmp_path):
    document = saved_project(tmp_path, epochs=2)
    dialog = sweep_dialog(qtbot, document, ["training.optimizer.lr"], trials=2)
    dialog.start()
    qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=SWEEP_TIMEOUT_MS)
    assert dialog.start_button.text() == "Resume"  # the same question: continue the study
    dialog.editor.add_row("training.batch_size")
    assert dialog.start_button.text() == "Start"  # another question: a study of its own
    dialog.start()
    assert dialog.study_name.text() == "tiny-2"
    qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=SWEEP_TIMEOUT_MS)
    assert dialog.outcome.study_name == "tiny-2" and dialog.views.table.rowCount() == 2
    assert [dialog.views.table.horizontalHeaderItem(c).text() for c in (3, 4)] == [
        "training.optimizer.lr", "training.batch_size"]
    assert len(load_trials(default_storage(document.path), "tiny")) == 2  # the first study is untouched
    dialog.done(0)
