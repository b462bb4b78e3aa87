"""The Doctor dock in the main window: in the View menu, and never broken whether it is opened before, during or
after a run, after a reset, after opening another project, or used to apply a cure and retrain."""

from __future__ import annotations

from pathlib import Path

from studio.training.controller import IDLE

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"
HIGH_RATE = {"training.optimizer.name": "sgd", "training.optimizer.lr": 1000.0}


def doctor(window, qtbot):
    dock = window.docks["doctor_dock"]
    dock.raise_()
    qtbot.waitUntil(lambda: window.panels.is_built("doctor_dock"), timeout=2000)
    return dock.widget()


def run_to_the_end(window, qtbot, start=None) -> None:
    with qtbot.waitSignal(window.controller.finished, timeout=120_000):
        (start or window.controller.start)()
    qtbot.waitUntil(lambda: window.controller.state == IDLE, timeout=10_000)


def problems(panel) -> list[str]:
    return [card.finding.problem for card in panel.cards]


def test_the_view_menu_lists_the_doctor(main_window):
    view = next(action.menu() for action in main_window.menuBar().actions() if action.text() == "&View")
    assert "Doctor" in [action.text() for action in view.actions()]


def test_opened_before_a_run_then_reset_then_another_project(document, make_window, qtbot):
    document.set_settings({**HIGH_RATE, "training.epochs": 8})
    window = make_window(document)
    window.controller.show_dialogs = False
    panel = doctor(window, qtbot)
    assert panel.cards == [] and "Train the network" in panel.status.text()
    run_to_the_end(window, qtbot)
    assert "lr_too_high" in problems(panel)
    loss = window.panels["loss_dock"]
    assert "lr_too_high" in loss.finding_lines
    window.controller.reset()
    assert panel.cards == [] and loss.finding_lines == {}
    run_to_the_end(window, qtbot)
    assert "lr_too_high" in problems(panel)
    assert window.open_project(EXAMPLES / "circles_vanishing.bps", ask_to_save=False)
    assert panel.cards == [] and loss.finding_lines == {} and "Train the network" in panel.status.text()
    window.document.set_training_field("epochs", 3)
    run_to_the_end(window, qtbot)  # the panel follows the new project's runs
    assert panel.status.text() and panel.isVisible()


def test_opened_mid_run_shows_what_was_found_so_far(document, make_window, qtbot):
    document.set_settings({**HIGH_RATE, "training.epochs": 100_000})
    window = make_window(document)
    controller = window.controller
    controller.show_dialogs = False
    assert not window.panels.is_built("doctor_dock")
    controller.start()
    qtbot.waitUntil(lambda: any(f.problem == "lr_too_high" for f in controller.findings), timeout=60_000)
    panel = doctor(window, qtbot)
    assert "lr_too_high" in problems(panel)  # built late, it shows the run's findings at once
    controller.stop()
    qtbot.waitUntil(lambda: controller.state == IDLE, timeout=10_000)
    assert "lr_too_high" in problems(panel)  # the run's end keeps them


def test_opened_after_the_run_and_apply_and_retrain_cures_it(document, make_window, qtbot):
    document.set_settings({**HIGH_RATE, "training.epochs": 8})
    window = make_window(document)
    window.controller.show_dialogs = False
    run_to_the_end(window, qtbot)
    panel = doctor(window, qtbot)
    card = next(card for card in panel.cards if card.finding.problem == "lr_too_high")
    retrain = next(r for b, r in zip(card.cure_buttons, card.retrain_buttons)
                   if b.label.text().startswith("Lower the learning rate"))
    first = window.controller.last_result
    run_to_the_end(window, qtbot, start=retrain.click)
    assert window.controller.last_result is not first
    assert "lr_too_high" not in problems(panel)
    for name, value in first.initial_weights.items():
        assert (window.controller.last_result.initial_weights[name] == value).all()
    window.document.undo_stack.undo()  # the cure was one step
    assert window.document.spec["training"]["optimizer"]["lr"] == 1000.0
