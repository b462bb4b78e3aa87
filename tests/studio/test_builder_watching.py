"""Watching the network learn in the builder: neuron thumbnails from the worker's grid predictions (enlarged on
hover), live edges, and an edge's weight shown on hover and edited by a click as one undoable edit."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from core.network import Network
from core.network.layout import layer_views
from core.network.grid_prediction import GridPredictor, GridSpec
from studio.widgets.builder.thumbnails import layer_images


def predict(document, network: Network, resolution: int = 16):
    data = document.prepared()
    grid = GridSpec.around(document.dataset.x, resolution=resolution)
    return GridPredictor(grid, data.preprocess).predict(network, step=7)


def trained(document, seed: int = 0) -> Network:
    network = Network.from_spec(document.spec, seed=seed)
    document.set_weights(network.get_state())
    return network


def shown(builder, prediction) -> None:
    builder.set_prediction(prediction)
    builder.throttle.flush()


def test_thumbnail_colours_follow_the_sign_and_the_plane_is_drawn_y_up():
    maps = np.zeros((4, 4, 1), np.float32)
    maps[:, :2, 0], maps[:, 2:, 0] = -1.0, 1.0  # left half negative, right half positive
    maps[0, 0, 0] = 0.0  # row 0 is the lowest y: the image's bottom row
    (image,) = layer_images(maps)
    left, right, corner = image.pixelColor(0, 1), image.pixelColor(3, 1), image.pixelColor(0, 3)
    assert left.red() > left.blue() and right.blue() > right.red()  # orange negative, blue positive
    assert (corner.red(), corner.green(), corner.blue()) == (255, 255, 255)  # zero is white, at the bottom left


def test_nodes_show_a_coarser_image_and_the_enlarged_view_the_full_grid(qtbot, builder, document):
    shown(builder, predict(document, trained(document), resolution=64))
    block = builder.blocks[0]
    assert block.thumbnails[2].width() == 32  # every other point: a node is 28 px
    QTest.mouseMove(builder.view.viewport(), builder.view.mapFromScene(block.node_center(2)))
    qtbot.waitUntil(builder.zoom.isVisible, timeout=2_000)
    assert builder.zoom.image.width() == 64


def test_every_node_shows_its_thumbnail_during_and_after_a_run(builder, document):
    network = trained(document)
    shown(builder, predict(document, network))
    assert builder.inputs_item.thumbnails is not None and len(builder.inputs_item.thumbnails) == 2
    assert [len(block.thumbnails) for block in builder.blocks] == [8, 8, 2]  # hidden units and outputs
    document.set_weights(network.get_state())  # a rebuild keeps them: the maps fit these weights
    assert [len(block.thumbnails) for block in builder.blocks] == [8, 8, 2]


def test_thumbnails_of_other_weights_are_not_shown(builder, document):
    network = trained(document)
    shown(builder, predict(document, network))
    trained(document, seed=1)  # other weights (a reset and a new run, another project…)
    assert all(block.thumbnails is None for block in builder.blocks)
    document.set_units(0, 5)  # another network: the maps don't fit it
    assert all(block.thumbnails is None for block in builder.blocks)


def test_live_edges_follow_the_predictions_weights_during_a_run(builder, document):
    trained(document, seed=0)
    document.set_training(True)
    running = Network.from_spec(document.spec, seed=3)
    shown(builder, predict(document, running))
    expected = layer_views(document.spec, running.get_state()["params"])[1].weight
    np.testing.assert_array_equal(builder.edges.weights[1], expected)
    document.set_training(False)


def test_hovering_a_node_enlarges_its_thumbnail(qtbot, builder, document):
    shown(builder, predict(document, trained(document)))
    block = builder.blocks[1]
    QTest.mouseMove(builder.view.viewport(), builder.view.mapFromScene(block.node_center(3)))
    qtbot.waitUntil(builder.zoom.isVisible, timeout=2_000)
    assert builder.zoom.image == block.thumbnails[3] and "layer 2, neuron 4" in builder.zoom.caption
    QTest.mouseMove(builder.view.viewport(), builder.view.mapFromScene(builder.inputs_item.node_center(1)))
    qtbot.waitUntil(lambda: builder.zoom.caption == "input y", timeout=2_000)
    QTest.mouseMove(builder.view.viewport(), builder.view.mapFromScene(QPointF(-400, -400)))
    qtbot.waitUntil(lambda: not builder.zoom.isVisible(), timeout=2_000)


def edge_point(builder, layer: int, source: int, target: int, t: float = 0.13) -> QPointF:
    """A point on an edge where no other edge crosses it (at t = 1/2 or 1/5, edges of this layout cross)."""
    left, right = builder.columns[layer], builder.columns[layer + 1]
    y0, y1 = left.node_y[source], right.node_y[target]
    return QPointF(left.right + t * (right.x - left.right), y0 + t * (y1 - y0))


def test_hovering_an_edge_shows_its_weight(qtbot, builder, document):
    network = trained(document)
    weight = float(dict(network.parameters())["layers.1.weight"][2, 5])
    edges = builder.edges
    assert edges.edge_at(edge_point(builder, 1, 2, 5)) == (1, 2, 5)
    QTest.mouseMove(builder.view.viewport(), builder.view.mapFromScene(edge_point(builder, 1, 2, 5)))
    qtbot.waitUntil(lambda: edges.hovered == (1, 2, 5), timeout=2_000)
    assert f"{weight:.4g}" in edges.toolTip() and "layer 1, neuron 3" in edges.toolTip()


def test_clicking_an_edge_edits_its_weight_as_one_undo_step(qtbot, builder, document, monkeypatch):
    network = trained(document)
    before = document.weights["params"].copy()
    asked = []
    monkeypatch.setattr(builder, "ask_weight", lambda label, current: asked.append((label, current)) or "0.75")
    point = builder.view.mapFromScene(edge_point(builder, 0, 1, 4))
    qtbot.mouseClick(builder.view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert asked and "input y" in asked[0][0]
    assert asked[0][1] == pytest.approx(float(dict(network.parameters())["layers.0.weight"][1, 4]))
    after = layer_views(document.spec, document.weights["params"])
    assert after[0].weight[1, 4] == pytest.approx(0.75)
    changed = np.flatnonzero(document.weights["params"] != before)
    assert len(changed) == 1  # that weight only
    assert builder.edges.weights[0][1, 4] == pytest.approx(0.75)  # the drawing follows
    assert document.is_dirty and "weight" in document.undo_stack.undoText()
    document.undo_stack.undo()
    np.testing.assert_array_equal(document.weights["params"], before)
    document.undo_stack.redo()
    assert layer_views(document.spec, document.weights["params"])[0].weight[1, 4] == pytest.approx(0.75)


@pytest.mark.parametrize("typed", ["nan", "inf", "-inf", "1e999", "abc", ""])
def test_a_weight_that_is_not_a_finite_number_is_refused(builder, document, typed):
    trained(document)
    before = document.weights["params"].copy()
    steps = document.undo_stack.count()
    assert not builder.set_edge_weight(0, 0, 0, typed)
    assert builder.error_label.isVisibleTo(builder) and "number" in builder.error_label.text()
    np.testing.assert_array_equal(document.weights["params"], before)
    assert document.undo_stack.count() == steps


def test_weights_are_not_edited_during_a_run_or_before_training(builder, document):
    builder.edit_edge_weight(0, 0, 0)
    assert "Train the network first" in builder.error_label.text()
    trained(document)
    document.set_training(True)
    assert not builder.set_edge_weight(0, 0, 0, "1.0")
    assert "during a run" in builder.error_label.text()
    document.set_training(False)


def test_inputs_are_named_by_the_feature_transform(builder, document):
    document.set_data_option("feature_transform", ["x", "y", "x^2", "sin(y)"])
    assert builder.inputs_item.feature_names == ["x", "y", "x²", "sin y"]


def test_the_main_window_shows_thumbnails_after_training(main_window, qtbot):
    controller = main_window.controller
    main_window.document.set_training_field("epochs", 3)
    with qtbot.waitSignal(controller.finished, timeout=60_000):
        controller.start()
    qtbot.waitUntil(lambda: controller.state == "idle", timeout=5_000)
    builder = main_window.builder
    builder.throttle.flush()
    assert [len(block.thumbnails or []) for block in builder.blocks] == [8, 8, 2]
