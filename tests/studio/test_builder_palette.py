"""The builder's layer palette: drag a layer kind into a gap (drop events sent to the view), or click it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from studio.widgets.builder.layout import gap_x, insert_index, layout_network
from studio.widgets.builder.palette import LAYER_PRESETS, layer_from_mime_data, layer_mime_data
from studio.widgets.network_builder import PALETTE
from tests.studio.test_network_builder import widths

NO_BUTTONS, NO_KEYS, COPY = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, Qt.DropAction.CopyAction


def _view_point(builder, scene_x: float) -> QPoint:
    return builder.view.mapFromScene(QPointF(scene_x, 0))


def drag_over(builder, scene_x: float, mime: QMimeData) -> bool:
    """A drag entering the canvas and moving to scene x; True if the view accepted it."""
    point = _view_point(builder, scene_x)
    enter = QDragEnterEvent(point, COPY, mime, NO_BUTTONS, NO_KEYS)
    QApplication.sendEvent(builder.view.viewport(), enter)
    move = QDragMoveEvent(point, COPY, mime, NO_BUTTONS, NO_KEYS)
    QApplication.sendEvent(builder.view.viewport(), move)
    return enter.isAccepted() and move.isAccepted()


def drop_at(builder, scene_x: float, mime: QMimeData) -> bool:
    """Drag to scene x and drop there; True if the view accepted the drop."""
    drag_over(builder, scene_x, mime)
    drop = QDropEvent(QPointF(_view_point(builder, scene_x)), COPY, mime, NO_BUTTONS, NO_KEYS)
    QApplication.sendEvent(builder.view.viewport(), drop)
    return drop.isAccepted()


def gap_between(builder, left: int, right: int) -> float:
    """Scene x of the middle of the gap between layer `left` (-1: the input) and layer `right`."""
    return (builder.columns[left + 1].right + builder.columns[right + 1].x) / 2


def test_dropping_a_preset_in_a_gap_inserts_it_there_as_one_undo_step(qtbot, builder, document):
    gelu = next(p for p in LAYER_PRESETS if p.chip == "GELU")
    mime = layer_mime_data(gelu.layer)
    x = gap_between(builder, 0, 1)
    assert drag_over(builder, x, mime)
    marker = builder.drop_marker  # the indicator: a bar in that gap, named
    assert marker.isVisible() and builder.blocks[0].column.right < marker.line().x1() < builder.blocks[1].column.x
    assert builder.drop_label.isVisible() and builder.drop_label.text() == "+ Dense 8 · gelu"
    steps = document.undo_stack.count()
    assert drop_at(builder, x, mime)
    assert widths(document) == [2, 8, 8, 8, 2]
    assert [layer["activation"] for layer in document.spec["layers"]] == ["tanh", "gelu", "tanh", "softmax"]
    assert builder.selected_index == 1 and builder.blocks[1].selected
    assert not builder.drop_marker.isVisible() and not builder.error_label.isVisibleTo(builder)
    assert document.undo_stack.count() == steps + 1
    document.undo_stack.undo()
    assert [layer["activation"] for layer in document.spec["layers"]] == ["tanh", "tanh", "softmax"]


def test_drops_before_the_first_layer_and_past_the_output(qtbot, builder, document):
    batch_norm = layer_mime_data(PALETTE["Dense + batch norm"])
    drop_at(builder, gap_between(builder, -1, 0), batch_norm)
    assert document.spec["layers"][0]["batch_norm"] and widths(document) == [2, 8, 8, 8, 2]
    assert drag_over(builder, builder.columns[-1].right + 100, batch_norm)  # beyond the output
    output = builder.blocks[-1].column
    assert builder.blocks[-2].column.right < builder.drop_marker.line().x1() < output.x
    drop_at(builder, builder.columns[-1].right + 100, layer_mime_data(PALETTE["Dense + dropout 0.2"]))
    layers = document.spec["layers"]
    assert layers[-2]["dropout"] == 0.2 and layers[-1]["activation"] == "softmax" and len(layers) == 5


def test_leaving_the_canvas_hides_the_indicator(qtbot, builder, document):
    assert drag_over(builder, gap_between(builder, 0, 1), layer_mime_data(PALETTE["Dense layer (8, ReLU)"]))
    QApplication.sendEvent(builder.view.viewport(), QDragLeaveEvent())
    assert not builder.drop_marker.isVisible() and not builder.drop_label.isVisible()
    assert widths(document) == [2, 8, 8, 2]


def test_foreign_drags_and_drags_while_training_are_refused(qtbot, builder, document):
    text = QMimeData()
    text.setText("Dense 8 · relu")
    x = gap_between(builder, 0, 1)
    assert not drag_over(builder, x, text) and not drop_at(builder, x, text)
    document.set_training(True)
    relu = layer_mime_data(PALETTE["Dense layer (8, ReLU)"])
    assert not drag_over(builder, x, relu) and not drop_at(builder, x, relu)
    assert not builder.drop_marker.isVisible()
    assert not any(chip.isEnabled() for chip in builder.palette.chips)
    assert "Pause training" in builder.palette.chips[0].toolTip()
    document.set_training(False)
    assert drop_at(builder, x, relu) and widths(document) == [2, 8, 8, 8, 2]
    assert all(chip.isEnabled() for chip in builder.palette.chips)


def test_a_layer_the_spec_refuses_is_shown_not_raised(qtbot, builder, document):
    bad = layer_mime_data({**PALETTE["Dense layer (8, ReLU)"], "dropout": 1.5})
    assert drop_at(builder, gap_between(builder, 0, 1), bad)
    assert widths(document) == [2, 8, 8, 2]
    assert builder.error_label.isVisibleTo(builder) and "dropout" in builder.error_label.text()


def test_clicking_a_chip_adds_it_before_the_output(qtbot, builder, document):
    chip = next(chip for chip in builder.palette.chips if chip.preset.chip == "sigmoid")
    qtbot.mouseClick(chip, Qt.MouseButton.LeftButton)
    assert [layer["activation"] for layer in document.spec["layers"]] == ["tanh", "tanh", "sigmoid", "softmax"]
    assert builder.selected_index == 2


def test_every_preset_travels_intact_and_the_menu_offers_the_same(qtbot, builder, document):
    menu_texts = [action.text() for action in builder.add_button.menu().actions()]
    assert menu_texts == [preset.name for preset in LAYER_PRESETS]
    assert [chip.text() for chip in builder.palette.chips] == [preset.chip for preset in LAYER_PRESETS]
    for preset in LAYER_PRESETS:
        assert layer_from_mime_data(layer_mime_data(preset.layer)) == preset.layer
        document.insert_layer(0, preset.layer)  # each one is a layer the spec accepts
    assert len(document.spec["layers"]) == 3 + len(LAYER_PRESETS)


@pytest.mark.parametrize("x, expected", [(-1e9, 0), (200.0, 0), (400.0, 1), (1e9, 2)])
def test_insert_index_keeps_the_output_last(document, x: float, expected: int) -> None:
    columns = layout_network(document.spec)  # input, two hidden layers (centres 275 and 501), output (727)
    assert insert_index(columns, x) == expected
    assert columns[expected].right < gap_x(columns, expected) < columns[expected + 1].x


def test_pressing_and_moving_a_chip_starts_a_drag_not_a_click(qtbot, builder, document, monkeypatch):
    """The chip's side of a real drag (Qt's drag loop itself cannot run offscreen): what it carries."""
    from PySide6.QtTest import QTest

    from studio.widgets.builder import palette

    started: list[dict] = []

    class RecordingDrag:
        def __init__(self, source):
            self.source = source

        def setMimeData(self, mime):  # noqa: N802 (Qt's name)
            self.mime = mime

        def setPixmap(self, pixmap):  # noqa: N802
            assert not pixmap.isNull()

        def setHotSpot(self, point):  # noqa: N802
            pass

        def exec(self, action):
            started.append(layer_from_mime_data(self.mime))
            return action

    monkeypatch.setattr(palette, "QDrag", RecordingDrag)
    chip = next(chip for chip in builder.palette.chips if chip.preset.chip == "+ dropout")
    start = chip.rect().center()
    QTest.mousePress(chip, Qt.MouseButton.LeftButton, pos=start)
    QTest.mouseMove(chip, start + QPoint(QApplication.startDragDistance() + 10, 0))
    QTest.mouseRelease(chip, Qt.MouseButton.LeftButton, pos=start + QPoint(QApplication.startDragDistance() + 10, 0))
    assert started == [PALETTE["Dense + dropout 0.2"]]
    assert widths(document) == [2, 8, 8, 2]  # releasing after a drag adds nothing by itself
