"""The layer inspector, wired to the builder as the main window wires it, driven by real clicks and keys."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QPalette

from core.spec import ACTIVATIONS, LAYER_FIELDS
from studio.widgets.builder.items import layer_title
from studio.widgets.field_editors import INVALID_FILL
from studio.widgets.layer_inspector import LayerInspector
from studio.widgets.network_builder import NetworkBuilder


@pytest.fixture
def panels(qtbot, document):
    builder = NetworkBuilder(document)
    inspector = LayerInspector(document)
    builder.layer_selected.connect(inspector.show_layer)
    for widget, size in ((builder, (1000, 560)), (inspector, (340, 560))):
        qtbot.addWidget(widget)
        widget.resize(*size)
        widget.show()
    qtbot.waitExposed(inspector)
    return builder, inspector


def click_block(qtbot, builder, index: int) -> None:
    pos = builder.view.mapFromScene(builder.blocks[index].sceneBoundingRect().center())
    qtbot.mouseClick(builder.view.viewport(), Qt.MouseButton.LeftButton, pos=pos)


def indicator(box) -> QPoint:
    """Where a user clicks a check box without text: on its square."""
    return QPoint(8, box.height() // 2)


def combo_select(qtbot, combo, name: str) -> None:
    """Open the combo's list and click the item, as a user does (one edit, no intermediate choices)."""
    combo.showPopup()
    view = combo.view()
    index = combo.model().index(combo.findData(name), 0)
    view.scrollTo(index)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(index).center())
    assert combo.currentData() == name, f"{name} could not be picked"


def test_select_change_activation_undo_redo(qtbot, panels, document):
    builder, inspector = panels
    click_block(qtbot, builder, 1)
    assert inspector.title.text() == "Layer 2 (dense)"
    combo = inspector.form.editor("activation").input
    combo_select(qtbot, combo, "relu")
    assert document.spec["layers"][1]["activation"] == "relu"
    assert layer_title(builder.blocks[1].layer, False) == "Dense 8 · relu"  # the builder redraws
    assert document.undo_stack.undoText() == "Change layer 2 activation to relu"
    document.undo_stack.undo()
    assert document.spec["layers"][1]["activation"] == "tanh"
    assert combo.currentData() == "tanh" and layer_title(builder.blocks[1].layer, False) == "Dense 8 · tanh"
    document.undo_stack.redo()
    assert combo.currentData() == "relu"


def test_units_typed_and_every_option_has_a_tooltip(qtbot, panels, document):
    builder, inspector = panels
    click_block(qtbot, builder, 0)
    spin = inspector.form.editor("units").input
    spin.selectAll()
    qtbot.keyClicks(spin, "5")
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    assert document.spec["layers"][0]["units"] == 5
    assert "2 inputs → 5 units · 15 parameters" == inspector.shape.text()
    for field in LAYER_FIELDS:
        assert field.help in inspector.form.editor(field.name).input.toolTip()
    combo = inspector.form.editor("activation").input
    relu = combo.findData("relu")
    assert combo.itemData(relu, Qt.ItemDataRole.ToolTipRole) == ACTIVATIONS["relu"]


def test_leaky_slope_shows_only_for_leaky_relu(qtbot, panels, document):
    _, inspector = panels
    assert not inspector.form.editor("leaky_slope").isVisible()
    combo_select(qtbot, inspector.form.editor("activation").input, "leaky_relu")
    assert inspector.form.editor("leaky_slope").isVisible()


def test_refused_residual_shows_red_field_and_reason(qtbot, panels, document):
    builder, inspector = panels
    click_block(qtbot, builder, 0)  # 2 inputs → 8 units: a skip can't add them
    box = inspector.form.editor("residual").input
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=indicator(box))
    editor = inspector.form.editor("residual")
    assert document.spec["layers"][0]["residual"] is False  # nothing invalid reached the document
    assert editor.error() and "equal input and output width" in editor.error()
    assert editor.message.isVisible() and box.property("invalid") is True
    assert box.palette().color(QPalette.ColorRole.Base) == QColor(INVALID_FILL)
    click_block(qtbot, builder, 1)  # 8 → 8: allowed, and the error is gone
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=indicator(box))
    assert document.spec["layers"][1]["residual"] is True and editor.error() is None


def test_softmax_is_greyed_out_on_hidden_layers_and_output_extras_locked(qtbot, panels, document):
    builder, inspector = panels
    combo = inspector.form.editor("activation").input
    softmax = combo.model().item(combo.findData("softmax"))
    assert not softmax.isEnabled()
    assert "output layer" in combo.itemData(combo.findData("softmax"), Qt.ItemDataRole.ToolTipRole)
    click_block(qtbot, builder, 2)
    assert inspector.title.text() == "Output layer"
    for name in ("units", "batch_norm", "dropout", "residual"):
        assert inspector.form.editor(name).is_locked(), name
    assert "follows the data set" in inspector.form.editor("units").input.toolTip()


def test_binary_output_checkbox_switches_output_as_one_step(qtbot, panels, document):
    builder, inspector = panels
    click_block(qtbot, builder, 2)
    assert inspector.binary_output.isVisible()
    qtbot.mouseClick(inspector.binary_output, Qt.MouseButton.LeftButton)
    spec = document.spec
    assert spec["layers"][-1]["units"] == 1 and spec["training"]["loss"] == "binary_cross_entropy"
    document.undo_stack.undo()
    assert document.spec["layers"][-1]["units"] == 2 and not inspector.binary_output.isChecked()


def test_locked_while_training_with_reason(qtbot, panels, document):
    _, inspector = panels
    document.set_training(True)
    editor = inspector.form.editor("activation")
    assert editor.is_locked() and "Pause training" in editor.input.toolTip()
    document.set_training(False)
    assert not editor.is_locked()


# -- following the document: undo and redo done elsewhere (Edit menu, history) ---------------------------------
SHOWN_FIELDS = ("units", "activation", "init", "batch_norm", "dropout", "residual")


def assert_consistent(builder, inspector, document) -> None:
    """The inspector shows the layer the builder selected, with that layer's current values."""
    layers = document.spec["layers"]
    index = inspector.index
    assert 0 <= index < len(layers) and builder.selected_index == index
    assert [block.index for block in builder.blocks if block.selected] == [index]
    expected_title = "Output layer" if index == len(layers) - 1 else f"Layer {index + 1} (dense)"
    assert inspector.title.text() == expected_title
    assert {name: inspector.form.editor(name).value() for name in SHOWN_FIELDS} == \
        {name: layers[index][name] for name in SHOWN_FIELDS}


def test_inspected_layer_removed_by_the_document_then_undone_and_redone(qtbot, panels, document):
    builder, inspector = panels
    document.insert_layer(1, {"units": 3, "activation": "relu"})  # 2-8-3-8-2: every hidden layer differs
    document.set_layer_field(2, "activation", "elu")
    click_block(qtbot, builder, 1)  # select layer 2 (3 ReLU units)
    assert inspector.title.text() == "Layer 2 (dense)" and inspector.form.editor("units").value() == 3
    document.remove_layer(1)  # as the history or another panel would
    assert_consistent(builder, inspector, document)
    assert inspector.form.editor("activation").value() == "elu"  # the neighbour that took its place
    document.undo_stack.undo()
    assert_consistent(builder, inspector, document)
    assert inspector.index == 2 and inspector.form.editor("activation").value() == "elu"  # followed it
    document.undo_stack.redo()
    assert_consistent(builder, inspector, document)
    assert inspector.index == 1


def test_the_inspected_layer_is_followed_through_inserts_moves_and_edits(qtbot, panels, document):
    builder, inspector = panels
    document.set_units(1, 5)  # 2-8-5-2
    click_block(qtbot, builder, 1)
    document.insert_layer(0, {"units": 4, "activation": "relu"})  # a layer appears before it
    assert_consistent(builder, inspector, document)
    assert inspector.index == 2 and inspector.form.editor("units").value() == 5
    document.move_layer(2, 0)  # it moves to the front
    assert_consistent(builder, inspector, document)
    assert inspector.index == 0 and inspector.form.editor("units").value() == 5
    document.set_layer_field(0, "dropout", 0.3)  # it is edited elsewhere: the fields refresh
    assert_consistent(builder, inspector, document)
    assert inspector.form.editor("dropout").value() == pytest.approx(0.3)
    while document.undo_stack.canUndo():  # every step back to the start, then forward again
        document.undo_stack.undo()
        assert_consistent(builder, inspector, document)
    assert inspector.form.editor("units").value() == 8  # the first edit (8 → 5) undone in place
    while document.undo_stack.canRedo():
        document.undo_stack.redo()
        assert_consistent(builder, inspector, document)
    assert inspector.index == 0 and inspector.form.editor("dropout").value() == pytest.approx(0.3)


def test_a_standalone_inspector_follows_its_layer_too(qtbot, document):
    inspector = LayerInspector(document)
    qtbot.addWidget(inspector)
    document.set_units(1, 6)
    inspector.show_layer(1)
    document.insert_layer(0, {"units": 4, "activation": "relu"})
    assert inspector.index == 2 and inspector.form.editor("units").value() == 6
    document.undo_stack.undo()
    assert inspector.index == 1 and inspector.title.text() == "Layer 2 (dense)"


def test_builder_summary_and_inspector_count_the_same_parameters(panels, document, qtbot):
    """Issue 11 §2.7: the builder's summary left out batch norm's γ and β, which the inspector counted."""
    import re

    from core.network import Network

    builder, inspector = panels
    document.set_layer_field(0, "batch_norm", True)
    document.set_layer_field(1, "batch_norm", True)
    total = Network.from_spec(document.spec).num_params  # what the engine allocates
    assert f"{total:,} parameters" in builder.summary.text()
    per_layer = []
    for index in range(len(document.spec["layers"])):
        inspector.show_layer(index)
        per_layer.append(int(re.search(r"([\d,]+) parameters", inspector.shape.text()).group(1).replace(",", "")))
    assert sum(per_layer) == total
