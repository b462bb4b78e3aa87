"""Issue 4's whole story in one window, by real clicks and keys: build 2-4-4-1 on the circles set, change an
activation, undo and redo, reorder by drag, save, close, reopen and find the same network and settings.

2-4-4-1: the circles set has two classes, so the output becomes one sigmoid unit with binary cross-entropy
(the builder's − on a two-unit softmax output does that switch).
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest


def widths(document) -> list[int]:
    spec = document.spec
    return [spec["input_size"]] + [layer["units"] for layer in spec["layers"]]


def click_item(qtbot, builder, item) -> None:
    point = builder.view.mapFromScene(item.sceneBoundingRect().center())
    qtbot.mouseClick(builder.view.viewport(), Qt.MouseButton.LeftButton, pos=point)


def drag_first_hidden_layer_past_the_second(builder) -> None:
    viewport = builder.view.viewport()
    start = builder.view.mapFromScene(builder.blocks[0].sceneBoundingRect().center())
    target_x = builder.view.mapFromScene(builder.blocks[1].column.right + 10, 0).x()
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
    for step in range(1, 6):
        QTest.mouseMove(viewport, QPoint(start.x() + (target_x - start.x()) * step // 5, start.y()))
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=QPoint(target_x, start.y()))


def test_build_edit_undo_reorder_save_close_reopen(make_window, qtbot, tmp_path, monkeypatch):
    window = make_window()
    window.resize(1500, 950)
    document, builder = window.document, window.builder
    assert document.data_config["source"]["name"] == "circles" and widths(document) == [2, 8, 8, 2]

    for index in (0, 1):  # − four times on each hidden layer
        for _ in range(4):
            click_item(qtbot, builder, builder.blocks[index].minus)
    click_item(qtbot, builder, builder.blocks[-1].minus)  # two softmax outputs → one sigmoid unit
    assert widths(document) == [2, 4, 4, 1]
    assert document.spec["training"]["loss"] == "binary_cross_entropy"

    click_item(qtbot, builder, builder.blocks[1])  # select layer 2; the inspector follows
    inspector = window.panels["layer_inspector_dock"]
    assert inspector.index == 1
    combo = inspector.form.editor("activation").input
    combo.setFocus()
    relu = combo.findData("relu")
    assert relu >= 0
    while combo.currentIndex() != relu:  # walk the list with the keyboard, as a user would
        qtbot.keyClick(combo, Qt.Key.Key_Down if combo.currentIndex() < relu else Qt.Key.Key_Up)
    assert document.spec["layers"][1]["activation"] == "relu"

    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert document.spec["layers"][1]["activation"] == "tanh"
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert document.spec["layers"][1]["activation"] == "relu"

    click_item(qtbot, builder, builder.blocks[0].plus)  # make the two hidden layers tell apart: 5 and 4
    assert widths(document) == [2, 5, 4, 1]
    drag_first_hidden_layer_past_the_second(builder)
    assert widths(document) == [2, 4, 5, 1]
    assert [layer["activation"] for layer in document.spec["layers"]] == ["relu", "tanh", "sigmoid"]
    document.set_training_field("optimizer.lr", 0.02)
    saved_spec, saved_data = document.spec, document.data_config

    path = tmp_path / "circles-2-4-4-1.bps"
    monkeypatch.setattr(window, "_ask_save_path", lambda: str(path))
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert path.exists() and not document.is_dirty
    assert window.close()

    reopened = make_window()
    monkeypatch.setattr(reopened, "_ask_open_path", lambda: str(path))
    qtbot.keyClick(reopened, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    assert reopened.document.spec == saved_spec
    assert reopened.document.data_config == saved_data
    assert widths(reopened.document) == [2, 4, 5, 1]
    assert reopened.builder.summary.text().startswith("2-4-5-1")
    assert reopened.document.spec["training"]["optimizer"]["lr"] == 0.02
