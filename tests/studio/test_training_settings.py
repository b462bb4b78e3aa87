"""The training-settings panel and its learning-rate preview, driven with real keys and clicks."""

from __future__ import annotations

import time

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QPalette

from core.schedules import preview_learning_rates
from core.spec import OPTIMIZERS, TRAINING_FIELDS, default_spec, with_changes
from studio.widgets.field_editors import INVALID_FILL
from studio.widgets.lr_preview import SAMPLES, planned_rates
from studio.widgets.training_settings import TrainingSettingsPanel


@pytest.fixture
def panel(qtbot, document):
    widget = TrainingSettingsPanel(document)
    qtbot.addWidget(widget)
    widget.resize(380, 900)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def combo_select(qtbot, combo, name: str) -> None:
    """Open the combo's list and click the item, as a user does (one edit, no intermediate choices)."""
    combo.showPopup()
    view = combo.view()
    index = combo.model().index(combo.findData(name), 0)
    view.scrollTo(index)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(index).center())
    assert combo.currentData() == name, f"{name} could not be picked"


def type_into(qtbot, spin, text: str) -> None:
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, text)
    qtbot.keyClick(spin, Qt.Key.Key_Return)


def test_switching_optimizer_shows_its_own_fields_and_undoes(qtbot, panel, document):
    assert set(panel.forms["optimizer."].editors) == {f.name for f in OPTIMIZERS["adam"].fields}
    combo_select(qtbot, panel.optimizer_choice.input, "rmsprop")
    optimizer = document.spec["training"]["optimizer"]
    assert optimizer["name"] == "rmsprop" and optimizer["lr"] == 0.01  # the learning rate is kept
    assert document.undo_stack.count() == 1 and document.undo_stack.undoText() == "Switch optimizer to RMSprop"
    assert set(panel.forms["optimizer."].editors) == {"lr", "alpha", "eps", "momentum", "centered", "weight_decay"}
    assert panel.editor("optimizer.alpha").value() == 0.99
    assert panel.optimizer_choice.description.text() == OPTIMIZERS["rmsprop"].help
    type_into(qtbot, panel.editor("optimizer.alpha").input, "0.9")
    assert document.spec["training"]["optimizer"]["alpha"] == 0.9
    document.undo_stack.undo()
    document.undo_stack.undo()
    assert document.spec["training"]["optimizer"]["name"] == "adam"
    assert "beta1" in panel.forms["optimizer."].editors and panel.optimizer_choice.value() == "adam"


def test_learning_rate_steps_on_a_log_ladder_and_the_preview_follows(qtbot, panel, document):
    spin = panel.editor("optimizer.lr").input
    spin.setFocus()
    qtbot.keyClick(spin, Qt.Key.Key_Up)  # 0.01 → 0.02 on the 1-2-5 ladder
    assert document.spec["training"]["optimizer"]["lr"] == pytest.approx(0.02)
    assert panel.lr_preview.rates[0] == pytest.approx(0.02)
    type_into(qtbot, spin, "3e-3")
    assert document.spec["training"]["optimizer"]["lr"] == pytest.approx(0.003)
    assert np.allclose(panel.lr_preview.rates, 0.003) and len(panel.lr_preview.rates) == 200


def test_schedule_fields_and_preview(qtbot, panel, document):
    combo_select(qtbot, panel.schedule_choice.input, "step")
    assert set(panel.forms["schedule."].editors) == {"step_size", "gamma", "warmup_epochs", "warmup_start_factor"}
    type_into(qtbot, panel.editor("schedule.step_size").input, "50")
    rates = panel.lr_preview.rates
    assert np.allclose(rates, preview_learning_rates(document.spec["training"]))
    assert rates[49] == pytest.approx(0.01) and rates[50] == pytest.approx(0.001) and rates[-1] == pytest.approx(1e-5)
    assert panel.lr_preview.log_scale  # three orders of magnitude: drawn on a log axis
    assert "→ 1e-05 at epoch 200" in panel.lr_preview.summary.text()


def test_refused_value_is_red_in_place_and_never_reaches_the_document(qtbot, panel, document):
    type_into(qtbot, panel.editor("optimizer.lr").input, "0")
    editor = panel.editor("optimizer.lr")
    assert document.spec["training"]["optimizer"]["lr"] == 0.01
    assert editor.error() == "Not applied: optimizer adam: lr must be > 0, got 0.0"
    assert editor.message.isVisible() and editor.input.palette().color(QPalette.ColorRole.Base) == QColor(INVALID_FILL)
    assert "lr must be > 0" in editor.input.toolTip()
    type_into(qtbot, editor.input, "0.05")
    assert document.spec["training"]["optimizer"]["lr"] == 0.05 and editor.error() is None


def test_lbfgs_forces_full_batch_and_greys_out_mini_batches(qtbot, panel, document):
    notices = []
    document.notice.connect(notices.append)
    assert panel.editor("batch_size").isVisibleTo(panel)
    combo_select(qtbot, panel.optimizer_choice.input, "lbfgs")
    assert document.spec["training"]["batch_mode"] == "full"
    assert notices and "full batch" in notices[0]
    assert not panel.editor("batch_size").isVisibleTo(panel)  # no batch size for a full batch
    combo = panel.editor("batch_mode").input
    mini = combo.findData("mini")
    assert not combo.model().item(mini).isEnabled()
    assert "L-BFGS needs full-batch" in combo.itemData(mini, Qt.ItemDataRole.ToolTipRole)


def test_conditional_rows_follow_their_switches(qtbot, panel, document):
    value = panel.editor("clipping.value")
    assert not value.isVisibleTo(panel)
    combo_select(qtbot, panel.editor("clipping.mode").input, "norm")
    assert document.spec["training"]["clipping"]["mode"] == "norm" and value.isVisibleTo(panel)
    patience = panel.editor("early_stopping.patience")
    assert not patience.isVisibleTo(panel)
    box = panel.editor("early_stopping.enabled").input
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
    assert document.spec["training"]["early_stopping"]["enabled"] is True and patience.isVisibleTo(panel)


def test_only_live_fields_stay_editable_while_training(qtbot, panel, document):
    document.set_training(True)
    assert panel.optimizer_choice.is_locked()
    assert "Pause training to change the optimizer" in panel.optimizer_choice.input.toolTip()
    epochs = panel.editor("epochs")
    assert epochs.is_locked() and "Pause training to change the epochs" in epochs.input.toolTip()
    lr = panel.editor("optimizer.lr")
    assert not lr.is_locked()
    type_into(qtbot, lr.input, "0.002")  # a live change, while training
    assert document.spec["training"]["optimizer"]["lr"] == 0.002
    assert not panel.editor("l2").is_locked() and not panel.editor("clipping.value").is_locked()
    document.set_training(False)
    assert not epochs.is_locked() and not panel.optimizer_choice.is_locked()


def test_every_setting_has_its_explanation_as_tooltip(panel):
    for field in TRAINING_FIELDS:
        assert field.help in panel.editor(field.name).input.toolTip(), field.name
    assert panel.editor("loss").input.itemData(0, Qt.ItemDataRole.ToolTipRole)


def test_blockers_are_shown_when_training_cannot_start(qtbot):
    from studio.document import Document
    document = Document(spec=default_spec(input_size=3))  # circles gives 2 inputs
    panel = TrainingSettingsPanel(document)
    qtbot.addWidget(panel)
    panel.show()
    assert panel.blockers.isVisible() and "takes 3 inputs" in panel.blockers.text()


def test_long_runs_are_sampled_fast_and_short_runs_are_exact():
    spec = with_changes(default_spec(), {"training.schedule.name": "cosine"})
    epochs, rates = planned_rates(spec.training)
    assert np.array_equal(rates, preview_learning_rates(spec.training)) and epochs[0] == 1
    training = with_changes(spec, {"training.epochs": 1_000_000}).training
    start = time.perf_counter()
    epochs, rates = planned_rates(training)
    assert time.perf_counter() - start < 0.5
    assert len(rates) <= SAMPLES and epochs[-1] == 1_000_000 and rates[0] == pytest.approx(0.01)


def test_milestones_list_field_parses_and_refuses_in_place(qtbot, panel, document):
    combo_select(qtbot, panel.schedule_choice.input, "multistep")
    line = panel.editor("schedule.milestones").input
    assert line.text() == "30, 80"
    type_into(qtbot, line, "20, 60, 120")
    assert document.spec["training"]["schedule"]["milestones"] == [20, 60, 120]
    assert panel.lr_preview.rates[60] == pytest.approx(0.01 * 0.1**2)
    type_into(qtbot, line, "60, 20")  # not increasing: the validator refuses
    editor = panel.editor("schedule.milestones")
    assert "strictly increasing" in editor.error() and document.spec["training"]["schedule"]["milestones"] == [20, 60, 120]
    type_into(qtbot, line, "ten")
    assert "whole numbers separated by commas" in editor.error()


def test_log_ladder_steps():
    from studio.widgets.field_editors import _nice_steps
    assert [_nice_steps(v, +1) for v in (0.001, 0.002, 0.005, 0.003)] == pytest.approx([0.002, 0.005, 0.01, 0.005])
    assert [_nice_steps(v, -1) for v in (0.001, 0.002, 0.01)] == pytest.approx([0.0005, 0.001, 0.005])


def test_open_ended_strengths_step_on_the_ladder_down_to_zero(qtbot, panel, document):
    spin = panel.editor("l2").input
    spin.setFocus()
    qtbot.keyClick(spin, Qt.Key.Key_Up)
    qtbot.keyClick(spin, Qt.Key.Key_Up)
    assert document.spec["training"]["l2"] == pytest.approx(2e-4)
    assert document.undo_stack.count() == 1  # one field's steps merge into one undo step
    qtbot.keyClick(spin, Qt.Key.Key_Down)
    qtbot.keyClick(spin, Qt.Key.Key_Down)
    assert document.spec["training"]["l2"] == 0.0


def test_training_seed_takes_the_specs_whole_range_past_a_c_int(qtbot, panel, document):
    from core.network.network import Network
    seed_box = panel.editor("seed").input
    big = 3_000_000_000  # > 2**31 − 1, the most a QSpinBox holds
    type_into(qtbot, seed_box, str(big))
    assert document.spec["training"]["seed"] == big and seed_box.value() == big
    assert Network.from_spec(document.spec).seed == big  # the engine takes it as it is
    type_into(qtbot, seed_box, str(2**32 - 1))
    assert document.spec["training"]["seed"] == 2**32 - 1  # the spec's own upper bound
    type_into(qtbot, seed_box, str(2**40))
    assert document.spec["training"]["seed"] == 2**32 - 1 and seed_box.value() == 2**32 - 1  # held at the bound
    seed_box.setFocus()
    seed_box.lineEdit().selectAll()
    qtbot.keyClicks(seed_box.lineEdit(), "-½x")  # only digits can be typed: these keys change nothing
    assert seed_box.lineEdit().text() == str(2**32 - 1)
    qtbot.keyClick(seed_box.lineEdit(), Qt.Key.Key_Return)
    assert document.spec["training"]["seed"] == 2**32 - 1 and not panel.editor("seed").error()
    document.undo_stack.undo()  # successive edits of one field are one undo step
    assert document.spec["training"]["seed"] == 0 and seed_box.value() == 0  # the field follows undo
