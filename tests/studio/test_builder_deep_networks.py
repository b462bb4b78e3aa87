"""Large networks stay readable: the builder never shrinks its text below ~9 px on screen; a deep network scrolls
sideways instead, starting at its inputs, and keeps its scroll position through a redraw."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QFontInfo, QWheelEvent

from studio.widgets.builder.items import MIN_TEXT_PIXELS, SMALLEST_TEXT_PT, font, min_readable_scale


def deepen(document, hidden: int) -> None:
    while len(document.spec["layers"]) - 1 < hidden:
        document.insert_layer(1)


def smallest_text_on_screen(builder) -> float:
    return QFontInfo(font(SMALLEST_TEXT_PT)).pixelSize() * builder.view.transform().m11()


def test_a_small_network_fits_without_scrolling(builder):
    assert builder.view.horizontalScrollBar().maximum() == builder.view.horizontalScrollBar().minimum()


def test_a_ten_layer_network_keeps_its_text_readable_and_scrolls(builder, document):
    deepen(document, 10)
    view = builder.view
    assert smallest_text_on_screen(builder) >= MIN_TEXT_PIXELS - 0.01
    assert view.transform().m11() == max(min_readable_scale(), view.transform().m11())
    bar = view.horizontalScrollBar()
    assert bar.maximum() > bar.minimum()  # wider than the view: it scrolls
    inputs = view.mapFromScene(builder.inputs_item.sceneBoundingRect().center())
    assert view.viewport().rect().contains(inputs)  # it starts at the inputs


def test_a_redraw_keeps_the_scroll_position(builder, document):
    deepen(document, 8)
    bar = builder.view.horizontalScrollBar()
    bar.setValue((bar.minimum() + bar.maximum()) // 2)
    centre = builder.view.mapToScene(builder.view.viewport().rect().center()).x()
    document.set_units(4, 7)  # an edit: the scene is rebuilt
    after = builder.view.mapToScene(builder.view.viewport().rect().center()).x()
    assert abs(after - centre) < 2


def test_the_wheel_scrolls_sideways_when_there_is_nothing_to_scroll_up_and_down(builder, document, qapp):
    deepen(document, 8)
    view = builder.view
    assert view.verticalScrollBar().maximum() == view.verticalScrollBar().minimum()
    bar = view.horizontalScrollBar()
    before = bar.value()
    centre = view.viewport().rect().center()
    event = QWheelEvent(centre, view.viewport().mapToGlobal(centre), QPoint(0, 0), QPoint(0, -120),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    qapp.sendEvent(view.viewport(), event)
    assert bar.value() > before
