"""Scrub (issue #15 §2): the dialog over a run the studio recorded; the slider moves the shown epoch and the
decision boundary, the weights and the gradient flow follow; data without two inputs says so in a line; a run
whose data changed is refused in a line; Training → Scrub last run… opens it once a run is recorded."""

from __future__ import annotations

import sqlite3

import numpy as np

from core.scrub import ScrubRun
from studio.dialogs.scrub_dialog import ScrubDialog
from studio.training.controller import IDLE, TrainingController

TIMEOUT_MS = 30_000  # the first view loads Numba's kernels; a shared 2-core machine is slow
EPOCHS = 4


def record_run(document, qtbot, folder, epochs=EPOCHS):
    """Train `document` (saved in `folder`) for a few epochs in the studio, recorded: (store path, run id)."""
    document.save(folder / "project.bps")
    document.set_training_field("epochs", epochs)
    controller = TrainingController(document)
    try:
        with qtbot.waitSignal(controller.finished, timeout=TIMEOUT_MS):
            controller.start()
        qtbot.waitUntil(lambda: controller.state == IDLE, timeout=5_000)
    finally:
        controller.shutdown()
    assert controller.last_recorded is not None
    return controller.last_recorded


def open_dialog(qtbot, store_path, run_id) -> ScrubDialog:
    dialog = ScrubDialog(store_path, run_id)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def wait_shown(qtbot, dialog, epoch) -> None:
    qtbot.waitUntil(lambda: dialog.shown is not None and dialog.shown.epoch == epoch, timeout=TIMEOUT_MS)
    dialog.boundary.throttle.flush()
    dialog.gradients.throttle.flush()


def boundary_image(dialog) -> np.ndarray:
    return np.array(dialog.boundary.image.image, copy=True)


def test_the_slider_moves_the_epoch_and_the_views_follow(qtbot, document, tmp_path):
    store_path, run_id = record_run(document, qtbot, tmp_path)
    dialog = open_dialog(qtbot, store_path, run_id)
    wait_shown(qtbot, dialog, EPOCHS)  # it opens on the last checkpoint
    assert dialog.epochs == list(range(EPOCHS + 1)) and dialog.slider.maximum() == EPOCHS
    assert dialog.slider.isEnabled() and dialog.epoch_label.text().startswith(f"Epoch {EPOCHS} of {EPOCHS}")
    last = boundary_image(dialog)
    assert last.ndim == 3 and "epoch 4" in dialog.boundary.plot.titleLabel.text
    assert dialog.gradients.pinned.epoch == EPOCHS and "epoch 4" in dialog.weights.matrix_plot.titleLabel.text
    assert dialog.message.isHidden()
    # the last checkpoint is the network the studio kept
    with ScrubRun.open(store_path, run_id) as run:
        np.testing.assert_array_equal(dialog.shown.params, run.view(EPOCHS).params)
    np.testing.assert_allclose(dialog.shown.params, document.weights["params"], rtol=0, atol=0)

    dialog.slider.setValue(1)
    wait_shown(qtbot, dialog, 1)
    assert dialog.epoch_label.text().startswith("Epoch 1 of")
    assert "epoch 1" in dialog.boundary.plot.titleLabel.text and dialog.figures.text().startswith("Epoch 1 ·")
    assert not np.array_equal(boundary_image(dialog), last)
    assert dialog.gradients.pinned.epoch == 1
    # the gradient flow over time holds every point of the timeline, and its line marks the epoch shown
    qtbot.waitUntil(lambda: dialog.gradients.history["grad_norms"]
                    and len(dialog.gradients.history["grad_norms"][0].x) == EPOCHS + 1, timeout=TIMEOUT_MS)
    assert dialog.cursor.value() == 1
    dialog.close()
    assert dialog.loader.closed


def test_play_steps_through_the_checkpoints_to_the_end(qtbot, document, tmp_path):
    store_path, run_id = record_run(document, qtbot, tmp_path, epochs=3)
    dialog = open_dialog(qtbot, store_path, run_id)
    wait_shown(qtbot, dialog, 3)
    seen = []
    dialog.loader.view_ready.connect(lambda view: seen.append(view.epoch))
    dialog.play_button.click()  # at the end: starts again from the initial weights
    qtbot.waitUntil(lambda: not dialog.play_button.isChecked(), timeout=TIMEOUT_MS)
    assert seen == [0, 1, 2, 3] and dialog.play_button.text() == "Play"


def test_data_without_two_inputs_says_so_in_a_line(qtbot, document, tmp_path):
    document.set_data_source({"kind": "sklearn", "name": "iris"})
    store_path, run_id = record_run(document, qtbot, tmp_path, epochs=2)
    dialog = open_dialog(qtbot, store_path, run_id)
    wait_shown(qtbot, dialog, 2)
    boundary = dialog.boundary
    assert boundary.message.isVisible() and "two inputs" in boundary.message.text()
    assert "iris has 4" in boundary.message.text() and boundary.graphics.isHidden()
    assert dialog.shown.prediction is None and dialog.weights.image.image is not None  # the other views draw


def test_a_run_whose_data_changed_is_refused_in_a_line(qtbot, document, tmp_path):
    store_path, run_id = record_run(document, qtbot, tmp_path, epochs=2)
    with sqlite3.connect(store_path) as connection:
        connection.execute("UPDATE runs SET data_hash = 'f00d' WHERE id = ?", (run_id,))
    dialog = open_dialog(qtbot, store_path, run_id)
    qtbot.waitUntil(dialog.message.isVisible, timeout=TIMEOUT_MS)
    assert "changed since the run" in dialog.message.text() and "\n" not in dialog.message.text()
    assert not dialog.slider.isEnabled() and dialog.shown is None


def test_training_menu_scrubs_the_last_recorded_run(qtbot, make_window, tmp_path):
    window = make_window()
    assert not window.action_scrub.isEnabled()
    window.document.save(tmp_path / "menu.bps")
    window.document.set_training_field("epochs", 2)
    window.controller.show_dialogs = False
    with qtbot.waitSignal(window.controller.finished, timeout=TIMEOUT_MS):
        window.controller.start()
    qtbot.waitUntil(window.action_scrub.isEnabled, timeout=TIMEOUT_MS)  # once the record is in, after `finished`
    window.action_scrub.trigger()
    dialog = window.findChild(ScrubDialog)
    assert dialog is not None and dialog.run_id == window.controller.last_recorded[1]
    wait_shown(qtbot, dialog, 2)
    dialog.done(0)


def test_the_newest_request_wins(qtbot, document, tmp_path):
    """Requests made while the loader is busy (here: opening the run) replace each other: only the newest is
    computed; then the gradient figures of every timeline point arrive, in epoch order."""
    from studio.dialogs.scrub_loader import ScrubLoader

    store_path, run_id = record_run(document, qtbot, tmp_path, epochs=3)
    loader = ScrubLoader(store_path, run_id)
    views, timeline = [], []
    loader.view_ready.connect(lambda view: views.append(view.epoch))
    loader.timeline_ready.connect(lambda snapshot: timeline.append(snapshot.epoch))
    for epoch in (1, 2, 3, 0):
        loader.request(epoch)
    loader.start()
    try:
        qtbot.waitUntil(lambda: len(timeline) == 4, timeout=TIMEOUT_MS)
        assert views == [0] and timeline == [0, 1, 2, 3]
    finally:
        loader.close()
