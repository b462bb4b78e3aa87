"""Training → Find learning rate: the range test off the GUI thread, its curve and suggestion, and "Use this rate"
as one undoable edit; it can't start while a run trains, can be cancelled, and never changes the weights."""

from __future__ import annotations

import math

import numpy as np
import pytest

from studio.dialogs.lr_finder_dialog import LR_PATH, LrFinderDialog, rounded_rate
from tests.studio.diagnostic_dialog_support import TIMEOUT_MS, dialog_for


@pytest.fixture
def dialog(document, qtbot):
    yield from dialog_for(LrFinderDialog, document, qtbot)


def _run(dialog, qtbot):
    with qtbot.waitSignal(dialog.task.finished, timeout=TIMEOUT_MS):
        assert dialog.start()
    return dialog.result


def test_the_sweep_plots_its_curve_and_marks_the_suggestion(dialog, qtbot):
    result = _run(dialog, qtbot)
    xs, ys = dialog.curve.getData()
    assert len(xs) == len(result.rates) >= 50 and np.allclose(ys, result.losses)
    assert dialog.plot.getAxis("bottom").logMode  # loss against the rate on a log axis
    assert dialog.chosen_line.isVisible() and dialog.chosen_line.value() == pytest.approx(
        math.log10(result.suggestion))
    text = dialog.suggestion_label.text()
    rule_words = {"steepest": "steepest descent", "minimum": "lowest loss ÷ 10"}
    assert f"{rounded_rate(result.suggestion):g}" in text and rule_words[result.rule] in text
    assert dialog.progress.value() == dialog.progress.maximum() and dialog.use_button.isEnabled()


def test_use_this_rate_is_one_undoable_edit(dialog, document, qtbot):
    before = document.spec["training"]["optimizer"]["lr"]
    result = _run(dialog, qtbot)
    depth = document.undo_stack.count()
    assert dialog.use_rate()
    assert document.spec["training"]["optimizer"]["lr"] == rounded_rate(result.suggestion) != before
    assert document.undo_stack.count() == depth + 1
    assert f"{rounded_rate(result.suggestion):g}" in dialog.current_label.text()
    document.undo_stack.undo()
    assert document.spec["training"]["optimizer"]["lr"] == before
    assert LR_PATH == "training.optimizer.lr"


def test_the_sweep_starts_from_the_trained_weights_and_leaves_them_alone(dialog, document, qtbot):
    from core.project_parts import network_with_weights
    network = network_with_weights(document.spec, None)
    network.params[:] = np.random.default_rng(3).normal(0.0, 2.0, network.params.shape)
    weights = network.get_state()
    document.set_weights({k: v.copy() for k, v in weights.items()}, [])
    result = _run(dialog, qtbot)
    assert all(np.array_equal(document.weights[k], weights[k]) for k in weights)
    # The curve starts where these weights' loss is, not where fresh initial weights' is.
    x, y = document.prepared().x_train[:1024], document.prepared().y_train[:1024]
    expected = float(network.loss.value(network.forward(x, training=False), y))
    assert result.raw_losses[0] == pytest.approx(expected, rel=1e-3)  # one step at 1e-7 moves nothing


def test_it_cannot_start_while_a_run_trains_and_says_why(dialog, document):
    document.set_training(True)
    assert not dialog.start()
    assert "A run is training" in dialog.status.text() and not dialog.run_button.isEnabled()
    document.set_training(False)
    assert dialog.run_button.isEnabled() and "run has ended" in dialog.status.text()


def test_cancel_stops_the_sweep_and_changes_nothing(dialog, document, qtbot):
    lr = document.spec["training"]["optimizer"]["lr"]
    with qtbot.waitSignal(dialog.task.cancelled, timeout=TIMEOUT_MS):
        assert dialog.start()
        assert dialog.cancel_button.isEnabled()
        dialog.cancel_button.click()
    assert dialog.result is None and not dialog.use_button.isEnabled() and "Cancelled" in dialog.status.text()
    assert not dialog.use_rate() and document.spec["training"]["optimizer"]["lr"] == lr
    assert dialog.run_button.isEnabled()


def test_a_refusal_from_the_finder_is_one_line_in_the_dialog(dialog, document, qtbot):
    document.set_settings({"training.optimizer.name": "lbfgs", "training.batch_mode": "full"})
    with qtbot.waitSignal(dialog.task.failed, timeout=TIMEOUT_MS):
        assert dialog.start()
    assert "L-BFGS" in dialog.status.text() and "\n" not in dialog.status.text()
    assert not dialog.use_button.isEnabled()


def test_the_sweep_takes_the_thread_budget_and_gives_it_back(dialog, qtbot):
    from studio.training.thread_budget import active_runs
    before = active_runs()
    with qtbot.waitSignal(dialog.task.finished, timeout=TIMEOUT_MS):
        assert dialog.start()
        assert active_runs() == before + 1  # one BLAS thread while it runs, as a training run
    assert active_runs() == before


def test_closing_the_dialog_cancels_the_sweep(dialog, qtbot):
    dialog.show()
    with qtbot.waitSignal(dialog.task.cancelled, timeout=TIMEOUT_MS):
        assert dialog.start()
        dialog.close()
    assert dialog.result is None and not dialog.task.is_running
