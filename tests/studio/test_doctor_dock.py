"""The Doctor dock around a real controller: SGD at lr = 1000 on the default project gets a "learning rate too high"
card and a marker on the loss plot; its cure is one undoable edit; "Apply and retrain" starts again from the run's
initial weights and the problem does not return; a healthy default run shows no card."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from core.network import Network
from studio.plots.loss_plot import LossPlot
from studio.training.controller import IDLE, TrainingController
from studio.widgets.doctor_panel import DoctorPanel

HIGH_RATE = {"training.optimizer.name": "sgd", "training.optimizer.lr": 1000.0}


@pytest.fixture
def controller(document):
    """A controller that opens no dialog (a diverged run would)."""
    ctrl = TrainingController(document)
    ctrl.show_dialogs = False
    yield ctrl
    ctrl.shutdown()


@pytest.fixture
def views(document, controller, qtbot):
    """The Doctor dock's panel and the loss plot, both following the controller."""
    panel, loss = DoctorPanel(document, controller), LossPlot(controller)
    for widget in (panel, loss):
        qtbot.addWidget(widget)
    panel.resize(420, 700)
    panel.show()
    return panel, loss


def train(controller, qtbot, start=None) -> None:
    with qtbot.waitSignal(controller.finished, timeout=120_000):
        (start or controller.start)()
    qtbot.waitUntil(lambda: controller.state == IDLE, timeout=10_000)


def card(panel, problem: str):
    return next(c for c in panel.cards if c.finding.problem == problem)


def cure_index(found, starts: str) -> int:
    return next(i for i, button in enumerate(found.cure_buttons) if button.label.text().startswith(starts))


def high_rate_run(document, controller, qtbot, epochs: int = 8) -> None:
    document.set_settings({**HIGH_RATE, "training.epochs": epochs})
    train(controller, qtbot)


def set_own_initial_weights(document) -> dict[str, np.ndarray]:
    """Initial weights no seed gives: a retrain that drew fresh weights instead of keeping them would differ."""
    shape = Network.from_spec(document.spec).get_state()
    rng = np.random.default_rng(7)
    own = {name: rng.normal(0.0, 0.5, np.shape(value)).astype(np.asarray(value).dtype)
           for name, value in shape.items()}
    document.set_weights(own, [])
    return own


def test_a_rate_of_1000_gets_a_card_and_a_marker_with_its_evidence(document, controller, views, qtbot):
    panel, loss = views
    high_rate_run(document, controller, qtbot)
    found = card(panel, "lr_too_high")
    assert found.finding.epoch >= 1
    assert "start loss" in found.evidence.text() and "largest Δw/w" in found.evidence.text()
    assert "learning rate is too high" in found.message.text()
    marker = loss.finding_lines["lr_too_high"]
    assert marker.value() == found.finding.epoch and marker.isVisible()
    assert "start loss" in marker.toolTip() and "Learning rate too high" in marker.toolTip()
    assert "problem" in panel.status.text()
    qtbot.mouseClick(found, Qt.MouseButton.LeftButton)  # the card highlights its marker
    assert loss.highlighted == "lr_too_high" and panel.selected == "lr_too_high"
    others = [line for name, line in loss.finding_lines.items() if name != "lr_too_high"]
    assert others  # at this rate the tanh units saturate too: a second marker, drawn plain
    assert all(marker.pen.widthF() > line.pen.widthF() for line in others)
    assert found.property("selected") == "true"


def test_the_lower_rate_cure_is_one_undoable_edit(document, controller, views, qtbot):
    panel, _loss = views
    high_rate_run(document, controller, qtbot)
    found = card(panel, "lr_too_high")
    steps = document.undo_stack.count()
    qtbot.mouseClick(found.cure_buttons[cure_index(found, "Lower the learning rate")], Qt.MouseButton.LeftButton)
    assert document.spec["training"]["optimizer"]["lr"] == pytest.approx(0.01)  # SGD's usual rate
    assert document.undo_stack.count() == steps + 1
    lower = found.cure_buttons[cure_index(found, "✓ Lower the learning rate")]  # ticked: nothing left to apply
    assert not lower.isEnabled()
    document.undo_stack.undo()  # one step takes it all back
    assert document.spec["training"]["optimizer"]["name"] == "sgd"
    assert document.spec["training"]["optimizer"]["lr"] == 1000.0
    assert lower.isEnabled() and lower.label.text().startswith("Lower the learning rate")


def test_a_wildcard_cure_is_one_undo_step_over_every_hidden_layer(document, controller, views, qtbot):
    panel, _loss = views
    high_rate_run(document, controller, qtbot)
    found = card(panel, "saturation")
    steps = document.undo_stack.count()
    found.cure_buttons[cure_index(found, "Use ReLU")].click()
    hidden = document.spec["layers"][:-1]
    assert [layer["activation"] for layer in hidden] == ["relu"] * len(hidden)
    assert [layer["init"] for layer in hidden] == ["he_normal"] * len(hidden)
    assert document.undo_stack.count() == steps + 1
    assert card(panel, "saturation") is found  # the dock's own cure keeps the cards; the cure is ticked
    assert found.cure_buttons[cure_index(found, "✓ Use ReLU")].isEnabled() is False
    document.undo_stack.undo()
    assert [layer["activation"] for layer in document.spec["layers"][:-1]] == ["tanh"] * len(hidden)
    assert card(panel, "saturation") is found and found.cure_buttons[cure_index(found, "Use ReLU")].isEnabled()


def test_apply_and_retrain_restarts_from_the_same_initial_weights_and_the_problem_is_gone(
        document, controller, views, qtbot):
    panel, _loss = views
    own = set_own_initial_weights(document)
    high_rate_run(document, controller, qtbot)
    first = controller.last_result
    for name, value in own.items():
        np.testing.assert_array_equal(first.initial_weights[name], value)
    found = card(panel, "lr_too_high")
    retrain = found.retrain_buttons[cure_index(found, "Lower the learning rate")]
    assert "same initial weights" in retrain.toolTip()
    steps = document.undo_stack.count()
    train(controller, qtbot, start=retrain.click)
    second = controller.last_result
    assert second is not first
    for name, value in own.items():
        np.testing.assert_array_equal(second.initial_weights[name], value)
    assert document.undo_stack.count() == steps + 1 and document.spec["training"]["optimizer"]["lr"] == 0.01
    assert "lr_too_high" not in [f.problem for f in controller.findings]
    assert not any(c.finding.problem == "lr_too_high" for c in panel.cards)
    assert second.snapshot.train_loss < first.snapshot.train_loss / 100


def test_a_reshaping_cure_retrains_from_the_seeds_weights(document, controller, views, qtbot):
    panel, _loss = views
    high_rate_run(document, controller, qtbot)
    found = card(panel, "saturation")
    index = cure_index(found, "Add batch norm")
    assert "same seed" in found.retrain_buttons[index].toolTip()
    train(controller, qtbot, start=found.retrain_buttons[index].click)
    assert all(layer["batch_norm"] for layer in document.spec["layers"][:-1])
    expected = Network.from_spec(document.spec).get_state()
    for name, value in expected.items():
        np.testing.assert_array_equal(controller.last_result.initial_weights[name], value)


def test_a_healthy_default_run_shows_no_card(document, controller, views, qtbot):
    panel, loss = views
    assert "Train the network" in panel.status.text()
    train(controller, qtbot)  # the default project: 200 epochs of Adam on circles
    assert controller.findings == [] and panel.cards == [] and loss.finding_lines == {}
    assert panel.status.text().startswith("No problems found in this run (200 epochs checked for a learning rate")


def test_findings_travel_once_and_cards_are_built_only_when_they_arrive(document, controller, qtbot):
    updates = []
    controller.updated.connect(updates.append)
    panel = DoctorPanel(document, controller)
    qtbot.addWidget(panel)
    built = []
    original = panel._add_findings
    panel._add_findings = lambda findings: (built.append(len(findings)), original(findings))
    high_rate_run(document, controller, qtbot, epochs=30)
    sent = [f for update in updates for f in update.findings]
    assert sent == controller.findings and len({f.problem for f in sent}) == len(sent) >= 2
    assert sum(built) == len(sent) and len(built) < len(updates)  # most updates built nothing


def test_a_dock_opened_after_the_run_shows_its_findings_and_clears_with_a_network_edit(
        document, controller, qtbot):
    high_rate_run(document, controller, qtbot)
    panel = DoctorPanel(document, controller)
    qtbot.addWidget(panel)
    problems = [c.finding.problem for c in panel.cards]
    assert "lr_too_high" in problems and problems == [f.problem for f in controller.findings]
    document.set_settings({"training.optimizer.lr": 0.5})  # a training setting: the cards stay
    assert [c.finding.problem for c in panel.cards] == problems
    document.set_units(0, 6)  # the network changed: its findings no longer describe it
    assert panel.cards == []
    assert "Train the network" in panel.status.text()


def test_cards_clear_when_a_new_run_starts_or_the_weights_are_reset(document, controller, views, qtbot):
    panel, loss = views
    high_rate_run(document, controller, qtbot)
    assert panel.cards and loss.finding_lines
    controller.reset()
    assert panel.cards == [] and loss.finding_lines == {} and controller.findings == []
    high_rate_run(document, controller, qtbot)
    assert panel.cards
    document.set_settings({"training.optimizer.lr": 0.01})
    with qtbot.waitSignal(controller.run_started, timeout=5_000):
        controller.start()
    assert panel.cards == [] and loss.finding_lines == {}
    qtbot.waitUntil(lambda: controller.state == IDLE, timeout=120_000)


def test_a_cure_refused_during_a_run_says_why_and_changes_nothing(document, controller, views, qtbot):
    panel, _loss = views
    document.set_settings({**HIGH_RATE, "training.epochs": 100_000})
    controller.start()
    qtbot.waitUntil(lambda: any(c.finding.problem == "saturation" for c in panel.cards), timeout=60_000)
    spec = document.spec
    found = card(panel, "saturation")
    found.cure_buttons[cure_index(found, "Add batch norm")].click()  # not a live setting
    assert document.spec == spec and panel.notice.isVisibleTo(panel)
    assert "while training" in panel.notice.text()
    controller.stop()
    qtbot.waitUntil(lambda: controller.state == IDLE, timeout=10_000)



def test_apply_and_retrain_during_a_run_ends_it_and_starts_from_its_initial_weights(document, controller, views,
                                                                                    qtbot):
    panel, _loss = views
    own = set_own_initial_weights(document)
    document.set_settings({**HIGH_RATE, "training.epochs": 100_000})
    controller.start()
    qtbot.waitUntil(lambda: any(c.finding.problem == "lr_too_high" for c in panel.cards), timeout=60_000)
    found = card(panel, "lr_too_high")
    retrain = found.retrain_buttons[cure_index(found, "Switch to Adam")]
    with qtbot.waitSignal(controller.run_started, timeout=30_000):
        retrain.click()  # the run ends (its trained weights written back), the cure applies, a new run starts
    assert controller.is_active and document.spec["training"]["optimizer"]["name"] == "adam"
    qtbot.waitUntil(lambda: controller.latest is not None, timeout=30_000)
    controller.stop()
    qtbot.waitUntil(lambda: controller.state == IDLE, timeout=30_000)
    for name, value in own.items():  # not the stopped run's trained weights, nor the seed's
        np.testing.assert_array_equal(controller.last_result.initial_weights[name], value)
