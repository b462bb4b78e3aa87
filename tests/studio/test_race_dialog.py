"""Training → Race optimizers: the race runs off the GUI thread, the curves overlay live (one per racer, a legend
by name), the ranking table fills, the loss landscape draws the racers' paths, Stop ends the race, and the
document is never changed."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt

from studio.dialogs.race_dialog import RaceDialog

RACE_TIMEOUT_MS = 120_000


def race_dialog(qtbot, document, names, epochs):
    dialog = RaceDialog(document)
    qtbot.addWidget(dialog)
    dialog.set_chosen(names)
    dialog.epochs.setValue(epochs)
    dialog.landscape.grid.setValue(9)
    return dialog


def test_a_race_fills_curves_ranking_and_the_landscape(qtbot, document, user_data_dir):
    spec_before = document.spec
    dialog = race_dialog(qtbot, document, ["adam", "sgd", "rmsprop"], epochs=4)
    assert dialog.start_button.isEnabled()
    recorded = []
    dialog.recorded.connect(recorded.append)
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    assert dialog.job.running and not dialog.start_button.isEnabled() and dialog.stop_button.isEnabled()
    qtbot.waitUntil(lambda: dialog.landscape.plot.result is not None, timeout=RACE_TIMEOUT_MS)
    names = dialog.curves.names
    assert sorted(names) == ["adam", "rmsprop", "sgd"]  # in the catalogue's order
    assert [dialog.curves.curve_points(i) for i in range(3)] == [4, 4, 4]
    assert [dialog.curves._train_curves[i].getData()[0].size for i in range(3)] == [4, 4, 4]  # all drawn
    legend = [label.text for _, label in dialog.curves.legend.items]
    assert legend == names
    ranked = [dialog.ranking.item(row, 1).text() for row in range(dialog.ranking.rowCount())]
    assert sorted(ranked) == ["adam", "rmsprop", "sgd"]
    assert dialog.ranking.item(0, 0).text() == "1" and "wins" in dialog.status.text()
    result = dialog.landscape.plot.result
    assert set(result.paths) == {"adam", "sgd", "rmsprop"} and result.loss.shape == (9, 9)
    assert result.directions.kind == "PCA of the trajectories"
    assert "PCA" in dialog.landscape.plot.plot.getPlotItem().titleLabel.text
    assert result.centre == f"{ranked[0]}'s final weights"
    assert all(len(points) == 5 for points in result.paths.values())  # the start and 4 epochs
    assert document.spec == spec_before and document.weights is None
    # each racer is a run in the (unsaved) project's store, named by its optimizer, from one start
    from core.runs import RunStore
    assert recorded == [user_data_dir / "runs" / "untitled.runs.sqlite"]
    with RunStore.open(recorded[0]) as store:
        runs = store.list_runs()
        first_losses = {store.load_run(run.id).batch_losses[0] for run in runs}
    assert sorted((run.name, run.kind, run.epochs) for run in runs) == [
        ("adam", "race", 4), ("rmsprop", "race", 4), ("sgd", "race", 4)]
    assert len(first_losses) == 1
    dialog.done(0)


def test_start_needs_two_to_eight_racers(qtbot, document):
    dialog = race_dialog(qtbot, document, ["adam"], epochs=2)
    assert not dialog.start_button.isEnabled() and "Pick 2 to 8 optimizers (1 picked)" in dialog.status.text()
    dialog.set_chosen(["adam", "sgd"])
    assert dialog.start_button.isEnabled()


def test_learning_rates_are_the_racers_settings(qtbot, document):
    dialog = race_dialog(qtbot, document, ["adam", "sgd"], epochs=2)
    dialog.rate_boxes["sgd"].setValue(0.05)
    setups = {setup.name: setup.changes for setup in dialog.chosen_setups()}
    assert setups == {"adam": {"training.optimizer.name": "adam", "training.optimizer.lr": 0.001},
                      "sgd (lr 0.05)": {"training.optimizer.name": "sgd", "training.optimizer.lr": 0.05}}


def test_stop_ends_the_race_early(qtbot, document):
    dialog = race_dialog(qtbot, document, ["adam", "momentum"], epochs=5000)
    dialog.start()
    qtbot.waitUntil(lambda: dialog.curves.curve_points(1) >= 2, timeout=RACE_TIMEOUT_MS)
    qtbot.mouseClick(dialog.stop_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.race is not None, timeout=RACE_TIMEOUT_MS)
    assert all(result.stop_reason == "stopped" and result.epochs < 5000 for result in dialog.race.results), [
        (r.stop_reason, r.epochs) for r in dialog.race.results]
    assert np.isfinite(dialog.race.results[0].final_params).all()
    dialog.done(0)
