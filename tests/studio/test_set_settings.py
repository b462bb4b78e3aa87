"""`SetSettings`: a document edit by spec path is one undo step, validated once, undone and redone exactly."""

from __future__ import annotations

import numpy as np
import pytest

from core.spec import SpecError, changed_paths, with_changes
from studio.commands import SetSettings
from studio.widgets.layer_inspector import LayerInspector
from studio.widgets.training_settings import TrainingSettingsPanel


def test_several_paths_are_one_undo_step_and_undo_redo_restore_the_specs(document, qtbot):
    before = document.spec
    changes = {"training.optimizer.lr": 0.05, "layers[*].dropout": 0.2, "training.clipping.mode": "norm"}
    with qtbot.waitSignal(document.spec_changed):
        document.set_settings(changes)
    after = document.spec
    assert after == with_changes(before, changes) and document.undo_stack.count() == 1
    command = document.undo_stack.command(0)
    assert isinstance(command, SetSettings) and command.changes == changes
    assert command.text() == ("Change learning rate to 0.05, hidden layers dropout to 0.2, clipping to norm")
    assert set(changed_paths(before, after)) == {"training.optimizer.lr", "layers[0].dropout", "layers[1].dropout",
                                                 "training.clipping.mode"}
    document.undo_stack.undo()
    assert document.spec == before
    document.undo_stack.redo()
    assert document.spec == after


def test_a_refused_edit_changes_nothing_and_no_change_is_no_step(document):
    before = document.spec
    with pytest.raises(SpecError, match="units must be ≥ 1") as info:
        document.set_settings({"training.optimizer.lr": 0.5, "layers[0].units": 0})
    assert info.value.where == "layers[0].units"
    with pytest.raises(SpecError, match="not a setting path"):
        document.set_settings({"layers[0]units": 3})
    document.set_settings({"training.optimizer.lr": before["training"]["optimizer"]["lr"]})
    assert document.spec == before and document.undo_stack.count() == 0


def test_dragging_one_number_merges_and_a_reshape_resets_weights_until_undone(document):
    for lr in (0.02, 0.03, 0.04):
        document.set_settings({"training.optimizer.lr": lr})
    assert document.undo_stack.count() == 1 and document.undo_stack.undoText() == "Change learning rate to 0.04"
    weights = {"w": np.ones(3, np.float32)}
    document.set_weights(weights, [{"epoch": 1}])
    document.set_settings({"layers[1].units": 5})
    assert document.weights is None and document.undo_stack.undoText() == "Set layer 2 to 5 units"
    document.undo_stack.undo()
    assert document.weights is weights and document.spec["layers"][1]["units"] == 8


def test_while_training_only_live_paths_change(document):
    document.set_training(True)
    with pytest.raises(SpecError, match=r"^The layer 1 units can't change while training; pause or stop first$"):
        document.set_settings({"layers[0].units": 16})
    with pytest.raises(SpecError, match="The optimizer can't change while training"):
        document.set_optimizer("sgd")
    document.set_settings({"training.optimizer.lr": 0.002, "training.l2": 0.01})
    assert document.spec["training"]["optimizer"]["lr"] == 0.002 and document.spec["training"]["l2"] == 0.01


def test_the_panels_edit_by_path(document, qtbot):
    panel = TrainingSettingsPanel(document)
    inspector = LayerInspector(document)
    qtbot.addWidget(panel)
    qtbot.addWidget(inspector)
    panel.editor("optimizer.lr").value_edited.emit(0.07)
    panel.optimizer_choice.value_edited.emit("sgd")
    inspector.show_layer(1)
    inspector.form.editor("dropout").value_edited.emit(0.3)
    stack = document.undo_stack
    assert [type(stack.command(i)).__name__ for i in range(stack.count())] == ["SetSettings"] * 3
    assert stack.command(0).changes == {"training.optimizer.lr": 0.07}
    assert stack.command(1).changes == {"training.optimizer.name": "sgd", "training.optimizer.lr": 0.07}
    assert stack.command(2).changes == {"layers[1].dropout": 0.3}
    inspector.form.editor("units").value_edited.emit(0)
    assert "units must be ≥ 1" in inspector.form.editor("units").error() and stack.count() == 3
