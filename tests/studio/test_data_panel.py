"""The data panel, driven with real clicks and keys: playground, bundled sets, files, split errors, added points."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractSpinBox

from studio.widgets.data_panel import DataPanel


@pytest.fixture
def panel(qtbot, document):
    widget = DataPanel(document)
    qtbot.addWidget(widget)
    widget.resize(380, 900)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _type_into(qtbot, box: QAbstractSpinBox, text: str) -> None:
    box.setFocus()
    box.lineEdit().selectAll()
    qtbot.keyClicks(box.lineEdit(), text)
    qtbot.keyClick(box.lineEdit(), Qt.Key.Key_Return)


def _choose(qtbot, combo, data) -> None:
    """Pick an item with the keyboard, as a user tabbing through the form would."""
    combo.setFocus()
    target = combo.findData(data)
    assert target >= 0
    key = Qt.Key.Key_Down if target > combo.currentIndex() else Qt.Key.Key_Up
    for _ in range(abs(target - combo.currentIndex())):
        qtbot.keyClick(combo, key)
    assert combo.currentData() == data


def open_file(panel, qtbot, monkeypatch, path) -> None:
    """Open `path` on the File page as a user does (the file dialog answered with it)."""
    monkeypatch.setattr(panel.file_page, "ask_data_path", lambda: str(path))
    panel.tabs.setCurrentIndex(2)
    qtbot.mouseClick(panel.file_page.open_button, Qt.MouseButton.LeftButton)


def test_shows_the_default_playground(panel, document):
    assert panel.tabs.tabText(panel.tabs.currentIndex()) == "Playground"
    assert panel.playground_set.currentData() == "circles" and panel.num_points.value() == 400
    assert "400 samples" in panel.summary.text() and "2 classes" in panel.summary.text()
    assert panel.scatter_box.isVisible() and len(panel.scatter.scatter.data) == 400


def test_playground_set_noise_points_seed_are_undoable_edits(panel, document, qtbot):
    _choose(qtbot, panel.playground_set, "spiral")
    assert document.data_config["source"]["name"] == "spiral"
    steps = document.undo_stack.count()  # one per set passed with the arrow key
    _type_into(qtbot, panel.noise, "0.3")
    _type_into(qtbot, panel.num_points, "200")
    _type_into(qtbot, panel.seed, "7")
    source = document.data_config["source"]
    assert (source["noise"], source["num_points"], source["seed"]) == (0.3, 200, 7)
    assert document.dataset.num_samples == 200 and document.undo_stack.count() == steps + 3
    document.undo_stack.undo()
    assert panel.seed.value() == 0  # the panel follows undo
    for _ in range(steps + 2):
        document.undo_stack.undo()
    assert panel.playground_set.currentData() == "circles" and panel.noise.value() == pytest.approx(0.1)


def test_regression_playground_fits_a_linear_output(panel, document, qtbot):
    _choose(qtbot, panel.playground_set, "plane")
    assert document.spec["layers"][-1]["activation"] == "linear" and document.spec["training"]["loss"] == "mse"
    assert panel.add_value.isVisibleTo(panel) and not panel.add_class.isVisibleTo(panel)


def test_bundled_set_adapts_the_network(panel, document, qtbot):
    panel.tabs.setCurrentIndex(1)
    _choose(qtbot, panel.sklearn_set, "wine")
    assert document.dataset.name == "wine" and document.spec["input_size"] == 13
    assert "3 classes" in panel.summary.text()
    assert not panel.scatter_box.isVisible() and not panel.preparation.features.isVisible()


def test_csv_file_preview_target_and_load(panel, document, qtbot, tmp_path, monkeypatch):
    csv = tmp_path / "plants.csv"
    csv.write_text("height,width,kind,score\n1.0,2.0,a,0.5\n1.5,2.5,b,0.7\n0.5,1.0,a,0.1\n2.0,2.2,b,0.9\n"
                   "1.1,2.1,a,0.4\n1.9,2.4,b,0.8\n")
    open_file(panel, qtbot, monkeypatch, csv)
    table = panel.file_page.table
    assert table.rowCount() == 6 and table.columnCount() == 4
    assert table.horizontalHeaderItem(2).text() == "kind\ncategorical"
    assert panel.file_page.target.currentText() == "kind"  # the only text column is suggested (issue 11 §3)
    panel.file_page.target.setCurrentText("kind")
    panel.file_page.categorical.setCurrentIndex(0)
    qtbot.mouseClick(panel.file_page.load_button, Qt.MouseButton.LeftButton)
    assert document.dataset.task == "classification" and document.dataset.class_names == ["a", "b"]
    assert document.data_config["source"]["target"] == ["kind"]
    assert document.spec["input_size"] == 3 and "plants" in panel.summary.text()


def test_bad_file_shows_error_in_place_and_changes_nothing(panel, document, qtbot, tmp_path, monkeypatch):
    csv = tmp_path / "ragged.csv"
    csv.write_text("a,b,c\n1,2,3\n4,5\n")
    open_file(panel, qtbot, monkeypatch, csv)
    assert panel.file_page.error.isVisible() and "ragged" in panel.file_page.error.text()
    assert not panel.file_page.load_button.isEnabled()
    assert document.dataset.name.startswith("circles") and document.undo_stack.count() == 0


def test_invalid_split_is_outlined_with_reason_and_not_applied(panel, document, qtbot):
    _type_into(qtbot, panel.preparation.val_percent, "60")
    _type_into(qtbot, panel.preparation.test_percent, "40")
    box = panel.preparation
    assert "leave at least 5% for training" in box.message.text() and box.message.isVisible()
    assert "c62828" in box.test_percent.styleSheet()
    assert document.data_config["test_fraction"] == 0.2 and document.data_config["val_fraction"] == 0.6
    _type_into(qtbot, box.test_percent, "10")
    assert not box.message.isVisible() and document.data_config["test_fraction"] == 0.1
    assert box.train_label.text() == "30 % of the samples"


def test_feature_checkboxes_change_the_inputs(panel, document, qtbot):
    qtbot.mouseClick(panel.preparation.feature_boxes["x²"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(panel.preparation.feature_boxes["y²"], Qt.MouseButton.LeftButton)
    assert document.data_config["feature_transform"] == ["x", "y", "x²", "y²"]
    assert document.spec["input_size"] == 4


def test_click_on_scatter_adds_a_point_of_the_chosen_class(panel, document, qtbot):
    count = document.dataset.num_samples
    panel.add_class.setCurrentIndex(1)
    where = panel.scatter.data_to_widget(1.0, -1.0)
    qtbot.mouseClick(panel.scatter.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert document.dataset.num_samples == count + 1
    x, y, label = document.data_config["source"]["added_points"][0]
    assert (x, y, label) == (pytest.approx(1.0, abs=0.1), pytest.approx(-1.0, abs=0.1), 1)
    assert len(panel.scatter.added.data) == 1


def test_editing_is_off_while_training(panel, document, qtbot):
    document.set_training(True)
    assert not panel.tabs.isEnabled() and not panel.preparation.isEnabled()
    count = document.dataset.num_samples
    qtbot.mouseClick(panel.scatter.viewport(), Qt.MouseButton.LeftButton,
                     pos=panel.scatter.data_to_widget(0.0, 0.0))
    assert document.dataset.num_samples == count
    document.set_training(False)
    assert panel.tabs.isEnabled()


def test_playground_seed_goes_past_a_c_int(panel, document, qtbot):
    big = 2**63 + 12_345  # numpy's default_rng takes it; a QSpinBox stops at 2**31 − 1
    _type_into(qtbot, panel.seed, str(big))
    assert document.data_config["source"]["seed"] == big and panel.seed.value() == big
    first = document.dataset.x.copy()
    _type_into(qtbot, panel.seed, str(big + 1))
    assert document.data_config["source"]["seed"] == big + 1
    assert not (document.dataset.x == first).all()  # another seed, other points
    document.undo_stack.undo()
    assert panel.seed.value() == big and (document.dataset.x == first).all()


def visible_errors(panel) -> list[str]:
    from studio.widgets.error_label import ErrorLabel
    return [label.text() for label in panel.findChildren(ErrorLabel) if label.isVisible()]


def test_a_failed_load_is_said_once_and_goes_after_a_good_one(panel, document, qtbot, tmp_path, monkeypatch):
    """Issue 11 §2.6 and §2.8: a CSV error was shown twice, and still shown after a good load."""
    csv = tmp_path / "plants.csv"
    csv.write_text("height,colour,kind\n1.0,red,a\n1.5,blue,b\n0.5,red,a\n2.0,green,b\n1.1,red,a\n1.9,blue,b\n")
    open_file(panel, qtbot, monkeypatch, csv)
    panel.file_page.target.setCurrentText("kind")
    _choose(qtbot, panel.file_page.categorical, "error")  # refuse text input columns: "colour" fails the load
    qtbot.mouseClick(panel.file_page.load_button, Qt.MouseButton.LeftButton)
    errors = visible_errors(panel)
    assert len(errors) == 1 and "colour" in errors[0]
    assert '"One-hot encode" for text columns' in errors[0] and "one_hot" not in errors[0]  # the panel's words
    assert document.undo_stack.count() == 0
    _choose(qtbot, panel.file_page.categorical, "one_hot")
    qtbot.mouseClick(panel.file_page.load_button, Qt.MouseButton.LeftButton)
    assert document.data_config["source"]["kind"] == "file"
    assert visible_errors(panel) == []
