"""Training → Check gradients: one row per layer, green when backprop agrees with finite differences, red where a
(planted) wrong backward pass makes it disagree; batch norm and dropout checked honestly; never while training."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from studio.dialogs.gradcheck_dialog import AGREES, GREEN, RED, WRONG, GradientCheckDialog, verdict
from tests.studio.diagnostic_dialog_support import TIMEOUT_MS, dialog_for


@pytest.fixture
def dialog(document, qtbot):
    yield from dialog_for(GradientCheckDialog, document, qtbot)


def _rows(dialog, qtbot) -> list[tuple[str, float, str, str]]:
    with qtbot.waitSignal(dialog.task.finished, timeout=TIMEOUT_MS):
        assert dialog.start()
    table = dialog.table
    return [(table.item(r, 0).text(), float(table.item(r, 1).text()), table.item(r, 5).text(),
             table.item(r, 1).foreground().color().name()) for r in range(table.rowCount())]


def test_the_default_network_agrees_in_every_layer(dialog, document, qtbot):
    rows = _rows(dialog, qtbot)
    assert [name for name, *_ in rows] == ["layer 1 (tanh)", "layer 2 (tanh)", "output (softmax)"]
    assert all(error < AGREES and word == "agrees" and colour == GREEN.name() for _, error, word, colour in rows)
    assert "All 3 layers agree" in dialog.status.text()
    assert "relative error" in dialog.explanation.text()  # the sentence that says what the figure means


def test_a_planted_wrong_gradient_shows_a_red_row(dialog, qtbot, monkeypatch):
    from core.network import Network
    original = Network.loss_and_grad

    def wrong_in_layer_2(self, *args, **kwargs):  # a backward pass that gets the second layer's gradient wrong
        loss = original(self, *args, **kwargs)
        self.grads[self.layer_param_slices[1]] *= 1.5
        return loss

    monkeypatch.setattr(Network, "loss_and_grad", wrong_in_layer_2)
    rows = _rows(dialog, qtbot)
    words = [word for _, _, word, _ in rows]
    assert words == ["agrees", "wrong", "agrees"]
    assert rows[1][1] > WRONG and rows[1][3] == RED.name()
    assert "wrong in layer 2 (tanh)" in dialog.status.text()


def test_batch_norm_and_dropout_are_checked_honestly(dialog, document, qtbot):
    document.set_settings({"layers[0].dropout": 0.3, "layers[1].batch_norm": True})
    rows = _rows(dialog, qtbot)
    assert len(rows) == 3 and all(word == "agrees" for _, _, word, _ in rows)


def test_the_verdict_bands():
    assert verdict(1e-9)[0] == "agrees" and verdict(1e-5)[0] == "look closer" and verdict(1e-3)[0] == "wrong"
    assert verdict(float("nan"))[0] == "wrong" and verdict(float("inf"))[0] == "wrong"


def test_it_cannot_start_while_a_run_trains(dialog, document):
    document.set_training(True)
    assert not dialog.start() and "A run is training" in dialog.status.text()
    assert not dialog.run_button.isEnabled() and dialog.table.rowCount() == 0


def test_the_training_menu_opens_both_checks(main_window, qtbot):
    actions = {action.text(): action for action in main_window.menuBar().actions()}
    menu = actions["&Training"].menu()
    texts = [action.text() for action in menu.actions()]
    assert "Find &learning rate…" in texts and "Check &gradients…" in texts
    main_window.diagnostic_actions.action_check_gradients.trigger()
    dialog = main_window.diagnostic_actions.dialogs["check_gradients"]
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 3, timeout=TIMEOUT_MS)
    main_window.diagnostic_actions.action_find_lr.trigger()
    finder = main_window.diagnostic_actions.dialogs["find_lr"]
    qtbot.waitUntil(lambda: finder.result is not None, timeout=TIMEOUT_MS)
    assert finder.isVisible() and QApplication.instance() is not None
