"""The network builder driven with real mouse and key events on the circles playground set."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from studio.widgets.builder.connections import EdgesItem, SkipArrowItem
from studio.widgets.builder.items import InputColumnItem, layer_badges, layer_title
from studio.widgets.builder.layout import MAX_NODES, drop_index, layout_network


def widths(document) -> list[int]:
    spec = document.spec
    return [spec["input_size"]] + [layer["units"] for layer in spec["layers"]]


def view_point(builder, item) -> QPoint:
    return builder.view.mapFromScene(item.sceneBoundingRect().center())


def click(qtbot, builder, item) -> None:
    qtbot.mouseClick(builder.view.viewport(), Qt.MouseButton.LeftButton, pos=view_point(builder, item))


def test_build_2_4_4_1_on_circles_by_clicks(qtbot, builder, document):
    assert widths(document) == [2, 8, 8, 2]
    click(qtbot, builder, builder.blocks[0].remove)  # × on both hidden layers
    click(qtbot, builder, builder.blocks[0].remove)
    assert widths(document) == [2, 2]
    qtbot.mouseClick(builder.add_button, Qt.MouseButton.LeftButton)  # the palette button, twice
    qtbot.mouseClick(builder.add_button, Qt.MouseButton.LeftButton)
    assert widths(document) == [2, 8, 8, 2]
    for index in (0, 1):
        for _ in range(4):
            click(qtbot, builder, builder.blocks[index].minus)
    assert widths(document) == [2, 4, 4, 2]
    click(qtbot, builder, builder.blocks[-1].minus)  # a two-class output becomes one sigmoid unit
    spec = document.spec
    assert widths(document) == [2, 4, 4, 1]
    assert spec["layers"][-1]["activation"] == "sigmoid"
    assert spec["training"]["loss"] == "binary_cross_entropy"
    assert builder.summary.text().startswith("2-4-4-1")
    assert not document.training_blockers()  # the data set accepts the network: Train can start
    # The output switch is one undo step; repeated − clicks on one layer merge into one (like a spin box).
    document.undo_stack.undo()
    assert widths(document) == [2, 4, 4, 2]
    document.undo_stack.undo()
    assert widths(document) == [2, 4, 8, 2]
    document.undo_stack.redo()
    document.undo_stack.redo()
    assert widths(document) == [2, 4, 4, 1]
    assert builder.summary.text().startswith("2-4-4-1")


def test_plus_adds_a_neuron_and_the_drawing_follows(qtbot, builder, document):
    click(qtbot, builder, builder.blocks[1].plus)
    assert widths(document) == [2, 8, 9, 2]
    assert len(builder.blocks[1].column.node_y) == 9
    assert layer_title(builder.blocks[1].layer, is_output=False) == "Dense 9 · tanh"


def test_click_selects_and_keys_edit_the_selected_layer(qtbot, builder, document):
    with qtbot.waitSignal(builder.layer_selected) as selected:
        click(qtbot, builder, builder.blocks[1])
    assert selected.args == [1]
    assert builder.blocks[1].selected and not builder.blocks[0].selected
    qtbot.keyClick(builder.view, Qt.Key.Key_Plus)
    assert widths(document) == [2, 8, 9, 2]
    qtbot.keyClick(builder.view, Qt.Key.Key_Minus)
    qtbot.keyClick(builder.view, Qt.Key.Key_Minus)
    assert widths(document) == [2, 8, 7, 2]
    qtbot.keyClick(builder.view, Qt.Key.Key_Left)
    assert builder.selected_index == 0
    qtbot.keyClick(builder.view, Qt.Key.Key_Delete)
    assert widths(document) == [2, 7, 2]


def test_drag_a_layer_to_the_right_reorders(qtbot, builder, document):
    document.insert_layer(2, {"units": 3, "activation": "relu"})
    document.set_units(0, 4)
    document.set_units(1, 6)
    assert widths(document) == [2, 4, 6, 3, 2]
    viewport = builder.view.viewport()
    block = builder.blocks[0]
    start = view_point(builder, block)
    target_x = builder.view.mapFromScene(builder.blocks[1].column.right + 10, 0).x()
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
    for step in range(1, 6):  # a real drag passes through intermediate positions
        QTest.mouseMove(viewport, QPoint(start.x() + (target_x - start.x()) * step // 5, start.y()))
    assert builder.blocks[0].pos().x() > 0  # the block follows the mouse while dragged
    marker = builder.drop_marker
    assert marker.isVisible()  # …and a bar shows where it will land: between layers 2 and 3
    assert builder.blocks[1].column.right < marker.line().x1() < builder.blocks[2].column.x
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=QPoint(target_x, start.y()))
    assert widths(document) == [2, 6, 4, 3, 2]
    assert builder.selected_index == 1
    document.undo_stack.undo()
    assert widths(document) == [2, 4, 6, 3, 2]


def test_a_short_drag_snaps_back_and_the_output_never_moves(qtbot, builder, document):
    viewport = builder.view.viewport()
    start = view_point(builder, builder.blocks[0])
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
    QTest.mouseMove(viewport, QPoint(start.x() + 20, start.y()))
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=QPoint(start.x() + 20, start.y()))
    assert widths(document) == [2, 8, 8, 2] and document.undo_stack.count() == 0
    out = view_point(builder, builder.blocks[-1])
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, pos=out)
    QTest.mouseMove(viewport, QPoint(out.x() - 300, out.y()))
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=QPoint(out.x() - 300, out.y()))
    assert document.undo_stack.count() == 0
    assert drop_index(builder.columns, 1e9, 0) == 1  # past the output lands just before it


def test_hovering_a_neuron_reports_layer_and_unit(qtbot, builder):
    block = builder.blocks[1]
    node = builder.view.mapFromScene(block.node_center(3))
    with qtbot.waitSignal(builder.neuron_hovered) as hovered:
        QTest.mouseMove(builder.view.viewport(), node)
    assert hovered.args == [1, 3]
    with qtbot.waitSignal(builder.neuron_hovered) as left:
        QTest.mouseMove(builder.view.viewport(), QPoint(2, 2))
    assert left.args == [-1, -1]


def test_insert_buttons_and_context_menu(qtbot, builder, document):
    click(qtbot, builder, builder.insert_buttons[0])  # the ⊕ between input and the first layer
    assert widths(document) == [2, 8, 8, 8, 2] and document.spec["layers"][0]["activation"] == "relu"
    document.set_units(1, 5)
    menu = builder.context_menu_for(1)
    texts = [a.text() for a in menu.actions() if a.text()]
    assert texts == ["Add layer before", "Add layer after", "Duplicate", "Remove"]
    next(a for a in menu.actions() if a.text() == "Duplicate").trigger()
    assert widths(document) == [2, 8, 5, 5, 8, 2]
    output_menu = builder.context_menu_for(4)
    enabled = {a.text(): a.isEnabled() for a in output_menu.actions() if a.text()}
    assert enabled == {"Add layer before": True, "Add layer after": False, "Duplicate": False, "Remove": False}


def test_refused_edit_is_shown_not_raised(qtbot, builder, document):
    document.set_layer_field(1, "residual", True)  # 8 → 8: allowed
    assert any(isinstance(item, SkipArrowItem) for item in builder.scene.items())
    click(qtbot, builder, builder.blocks[1].plus)  # 8 → 9 breaks the skip's equal widths
    assert widths(document) == [2, 8, 8, 2]
    assert builder.error_label.isVisibleTo(builder)
    assert "residual" in builder.error_label.text()


def test_locked_while_training(qtbot, builder, document):
    document.set_training(True)
    assert not builder.add_button.isEnabled()
    assert not builder.blocks[0].plus.enabled and "Pause training" in builder.blocks[0].plus.toolTip()
    click(qtbot, builder, builder.blocks[0].plus)
    assert widths(document) == [2, 8, 8, 2]
    document.set_training(False)
    assert builder.add_button.isEnabled() and builder.blocks[0].plus.enabled


def test_wide_layers_are_blocks_and_features_are_named(qtbot, builder, document):
    document.set_data_source({"kind": "sklearn", "name": "digits"})
    document.set_units(0, 128)
    assert widths(document) == [64, 128, 8, 10]
    columns = layout_network(document.spec)
    assert [c.narrow for c in columns] == [False, False, True, True]
    assert 128 > MAX_NODES and not columns[1].node_y
    document.set_data_source({"kind": "sklearn", "name": "iris"})
    inputs = next(item for item in builder.scene.items() if isinstance(item, InputColumnItem))
    assert inputs.feature_names[0].startswith("sepal length")


def test_trained_weights_colour_the_edges(qtbot, builder, document):
    from core.network.network import Network
    edges = next(item for item in builder.scene.items() if isinstance(item, EdgesItem))
    assert edges.weights is None
    network = Network.from_spec(document.spec, seed=0)
    document.set_weights(network.get_state())
    edges = next(item for item in builder.scene.items() if isinstance(item, EdgesItem))
    assert [w.shape for w in edges.weights] == [(2, 8), (8, 8), (8, 2)]
    first = dict(network.parameters())["layers.0.weight"]
    assert np.array_equal(edges.weights[0], first)  # the drawing reads the network's own W
    document.set_units(0, 7)  # reshaping drops the weights: plain edges again
    edges = next(item for item in builder.scene.items() if isinstance(item, EdgesItem))
    assert edges.weights is None


def test_palette_presets_insert_before_the_output(qtbot, builder, document):
    menu = builder.add_button.menu()
    next(a for a in menu.actions() if a.text() == "Dense + batch norm").trigger()
    layers = document.spec["layers"]
    assert len(layers) == 4 and layers[2]["batch_norm"] and layers[-1]["activation"] == "softmax"
    assert builder.selected_index == 2 and builder.blocks[2].selected
    assert layer_badges(builder.blocks[2].layer) == ["BN"]
