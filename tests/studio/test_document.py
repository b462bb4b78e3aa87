"""studio.document: edits validate first, each is one undo step with a readable text, signals fire, dirty flag."""

from __future__ import annotations

import numpy as np
import pytest

from core.data import DataError
from core.project import ProjectError
from core.spec import SpecError
from studio.document import Document


def _units(doc):
    return [layer["units"] for layer in doc.spec["layers"]]


def test_default_document_is_the_playground(document):
    assert document.dataset.name.startswith("circles")
    assert _units(document) == [8, 8, 2]
    assert document.spec["input_size"] == 2
    assert document.spec["training"]["optimizer"]["name"] == "adam"
    assert document.spec["training"]["optimizer"]["lr"] == 0.01
    assert document.spec["training"]["batch_size"] == 10
    assert not document.is_dirty and document.display_name == "Untitled"
    assert document.training_blockers() == []


def test_layer_field_edit_is_one_undo_step_with_text(document, qtbot):
    with qtbot.waitSignal(document.spec_changed):
        document.set_layer_field(1, "activation", "relu")
    assert document.spec["layers"][1]["activation"] == "relu"
    assert document.undo_stack.count() == 1
    assert document.undo_stack.undoText() == "Change layer 2 activation to relu"
    assert document.is_dirty
    with qtbot.waitSignal(document.spec_changed):
        document.undo_stack.undo()
    assert document.spec["layers"][1]["activation"] == "tanh"
    assert not document.is_dirty
    document.undo_stack.redo()
    assert document.spec["layers"][1]["activation"] == "relu"


def test_invalid_edit_raises_and_changes_nothing(document):
    before = document.spec
    with pytest.raises(SpecError, match="softmax is allowed only on the output layer"):
        document.set_layer_field(0, "activation", "softmax")
    with pytest.raises(SpecError, match="units must be ≥ 1, got 0"):
        document.set_units(0, 0)
    with pytest.raises(SpecError, match="unknown setting 'colour'"):
        document.set_layer_field(0, "colour", "red")
    with pytest.raises(SpecError, match="there is no layer 9"):
        document.set_layer_field(8, "units", 3)
    assert document.spec == before and document.undo_stack.count() == 0


def test_numeric_drag_merges_into_one_step(document):
    for units in (9, 10, 11, 12):
        document.set_units(0, units)
    document.set_training_field("optimizer.lr", 0.02)
    document.set_training_field("optimizer.lr", 0.03)
    assert document.undo_stack.count() == 2
    assert document.undo_stack.undoText() == "Change learning rate to 0.03"
    document.undo_stack.undo()
    assert document.spec["training"]["optimizer"]["lr"] == 0.01
    assert document.undo_stack.undoText() == "Set layer 1 to 12 units"
    document.undo_stack.undo()
    assert _units(document) == [8, 8, 2]


def test_insert_remove_duplicate_move(document):
    document.insert_layer(2)  # a default hidden layer before the output
    assert _units(document) == [8, 8, 8, 2]
    document.set_units(0, 4)
    document.duplicate_layer(0)
    assert _units(document) == [4, 4, 8, 8, 2]
    document.move_layer(0, 3)
    assert _units(document) == [4, 8, 8, 4, 2]
    document.remove_layer(1)
    assert _units(document) == [4, 8, 4, 2]
    assert document.undo_stack.undoText() == "Remove layer 2"
    with pytest.raises(SpecError, match="output layer can't be removed"):
        document.remove_layer(3)
    with pytest.raises(SpecError, match="before the output layer"):
        document.insert_layer(4)
    for _ in range(document.undo_stack.count()):
        document.undo_stack.undo()
    assert _units(document) == [8, 8, 2]


def test_training_fields_and_switches(document):
    document.set_training_field("epochs", 50)
    document.set_training_field("early_stopping.patience", 3)
    document.set_training_field("clipping.mode", "norm")
    document.set_schedule("step")
    document.set_training_field("schedule.gamma", 0.5)
    training = document.spec["training"]
    assert (training["epochs"], training["early_stopping"]["patience"], training["clipping"]["mode"]) == (50, 3, "norm")
    assert training["schedule"] == {"name": "step", "step_size": 10, "gamma": 0.5, "warmup_epochs": 0,
                                    "warmup_start_factor": 0.1}
    document.set_optimizer("rmsprop")
    optimizer = document.spec["training"]["optimizer"]
    assert optimizer["name"] == "rmsprop" and optimizer["lr"] == 0.01 and optimizer["alpha"] == 0.99
    with pytest.raises(SpecError, match="learning rate|lr must be > 0"):
        document.set_training_field("optimizer.lr", -1.0)
    with pytest.raises(SpecError, match="unknown setting"):
        document.set_training_field("optimizer.beta1", 0.9)  # rmsprop has no beta1


def test_lbfgs_switches_to_full_batch_with_notice(document, qtbot):
    with qtbot.waitSignal(document.notice) as notice:
        document.set_optimizer("lbfgs")
    assert "full batch" in notice.args[0]
    assert document.spec["training"]["batch_mode"] == "full"


def test_edits_refused_while_training_except_live_fields(document):
    document.set_training(True)
    with pytest.raises(SpecError, match="can't change while training; pause or stop first"):
        document.set_layer_field(0, "activation", "relu")
    with pytest.raises(SpecError, match="while training"):
        document.insert_layer(0)
    with pytest.raises(SpecError, match="while training"):
        document.set_training_field("epochs", 5)
    with pytest.raises(SpecError, match="while training"):
        document.set_data_source({"kind": "sklearn", "name": "iris"})
    document.set_training_field("optimizer.lr", 0.05)  # the learning rate is live
    assert document.spec["training"]["optimizer"]["lr"] == 0.05
    document.set_training(False)
    document.set_layer_field(0, "activation", "relu")


def test_data_source_fits_network_and_notices(document, qtbot):
    with qtbot.waitSignal(document.notice) as notice, qtbot.waitSignal(document.data_changed):
        document.set_data_source({"kind": "sklearn", "name": "iris"})
    assert "output units 2 → 3" in notice.args[0] and "input size 2 → 4" in notice.args[0]
    assert document.spec["input_size"] == 4 and _units(document) == [8, 8, 3]
    assert document.dataset.name == "iris"
    assert document.undo_stack.count() == 1
    document.undo_stack.undo()
    assert document.dataset.name.startswith("circles") and document.spec["input_size"] == 2


def test_bad_data_source_changes_nothing(document, tmp_path):
    with pytest.raises(DataError):
        document.set_data_source({"kind": "file", "format": "csv", "path": str(tmp_path / "missing.csv")})
    assert document.dataset.name.startswith("circles") and document.undo_stack.count() == 0


def test_data_options_validate_and_feature_transform_fits_input(document):
    document.set_data_option("val_fraction", 0.3)
    assert document.data_config["val_fraction"] == 0.3
    with pytest.raises(DataError, match="val fraction must be a number from 0"):
        document.set_data_option("val_fraction", 1.5)
    with pytest.raises(DataError, match="scaling must be one of"):
        document.set_data_option("scaling", "log")
    document.set_data_option("feature_transform", ["x", "y", "x^2", "sin x"])
    assert document.data_config["feature_transform"] == ["x", "y", "x²", "sin x"]
    assert document.spec["input_size"] == 4 and document.input_width() == 4
    assert document.prepared().x_train.shape[1] == 4
    assert document.training_blockers() == []


def test_add_point_is_undoable(document):
    count = document.dataset.num_samples
    document.add_data_point(1.5, -2.0, 1)
    assert document.dataset.num_samples == count + 1
    assert document.data_config["source"]["added_points"] == [[1.5, -2.0, 1]]
    assert document.undo_stack.undoText() == "Add a class 1 point at (1.50, -2.00)"
    document.undo_stack.undo()
    assert document.dataset.num_samples == count


def test_weights_survive_unrelated_undo_and_reset_on_reshape(document, qtbot):
    document.set_layer_field(0, "activation", "relu")
    weights = {"w": np.ones(3, np.float32)}
    document.set_weights(weights, [{"epoch": 1}])
    assert document.is_dirty
    document.undo_stack.undo()  # activation back: trained weights still fit
    assert document.weights is weights
    with qtbot.waitSignal(document.weights_changed):
        document.set_units(0, 5)  # shape changes: weights no longer fit
    assert document.weights is None and document.history == []
    document.undo_stack.undo()
    assert document.weights is weights and document.history == [{"epoch": 1}]


def test_save_open_round_trip_and_dirty(document, tmp_path, qtbot):
    document.set_layer_field(0, "dropout", 0.25)
    document.set_data_option("val_fraction", 0.1)
    path = tmp_path / "net.bps"
    with qtbot.waitSignal(document.dirty_changed) as dirty:
        document.save(path)
    assert dirty.args == [False] and document.display_name == "net" and document.path == path
    opened = Document.open(path)
    assert opened.spec == document.spec and opened.data_config == document.data_config
    assert not opened.is_dirty and opened.warnings == []
    assert opened.dataset.content_hash == document.dataset.content_hash


def test_open_warns_when_file_data_changed(tmp_path):
    csv = tmp_path / "points.csv"
    csv.write_text("a,b,label\n0,1,x\n1,0,y\n2,2,x\n3,1,y\n4,0,x\n5,5,y\n")
    doc = Document()
    doc.set_data_source({"kind": "file", "format": "csv", "path": str(csv)})
    doc.save(tmp_path / "p.bps")
    csv.write_text("a,b,label\n0,1,x\n1,0,y\n2,2,x\n3,1,y\n4,0,x\n9,9,y\n")
    assert "has changed since the project was saved" in Document.open(tmp_path / "p.bps").warnings[0]
    csv.unlink()
    reopened = Document.open(tmp_path / "p.bps")
    assert reopened.dataset is None and "could not be loaded" in reopened.warnings[0]
    assert "No data set" in reopened.training_blockers()[0]
    # Each sentence ends with its full stop (issue 11 §2.8: "…points.csv: file not found Pick it again…").
    assert ". Pick it again in the Data panel." in reopened.warnings[0]
    assert reopened.training_blockers()[0].endswith(".") and ".." not in reopened.training_blockers()[0]


def test_open_corrupt_raises_project_error(tmp_path):
    bad = tmp_path / "bad.bps"
    bad.write_bytes(b"PK\x03\x04 garbage")
    with pytest.raises(ProjectError):
        Document.open(bad)


def test_replace_with_takes_over_and_clears_undo(document, tmp_path, qtbot):
    other = Document()
    other.set_units(0, 3)
    other.save(tmp_path / "o.bps")
    document.set_units(1, 6)
    with qtbot.waitSignals([document.spec_changed, document.path_changed, document.dirty_changed]):
        document.replace_with(Document.open(tmp_path / "o.bps"))
    assert _units(document) == [3, 8, 2] and document.undo_stack.count() == 0
    assert document.display_name == "o" and not document.is_dirty


def test_set_spec_changes_several_fields_in_one_step(document):
    spec = document.spec.to_json()
    spec["layers"][-1].update(units=1, activation="sigmoid")
    spec["training"]["loss"] = "binary_cross_entropy"
    document.set_spec(spec, "Use one sigmoid output unit")
    assert document.undo_stack.count() == 1 and document.undo_stack.undoText() == "Use one sigmoid output unit"
    assert document.spec["training"]["loss"] == "binary_cross_entropy"
    assert document.training_blockers() == []  # a 2-class set with one sigmoid unit is fine
    spec["training"]["loss"] = "cross_entropy"
    with pytest.raises(SpecError, match="needs a softmax output"):
        document.set_spec(spec, "bad")
    document.undo_stack.undo()
    assert document.spec["layers"][-1]["units"] == 2
