"""LargeIntSpinBox: a spin box for integers past a C int (seeds), typed, stepped and committed like QSpinBox."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractSpinBox, QLineEdit, QVBoxLayout, QWidget

from studio.widgets.field_editors import LargeIntSpinBox

TOP = 2**64 - 1


@pytest.fixture
def spin(qtbot):
    holder = QWidget()
    box = LargeIntSpinBox(0, TOP, holder)
    other = QLineEdit(holder)  # somewhere for the focus to go
    layout = QVBoxLayout(holder)
    layout.addWidget(box)
    layout.addWidget(other)
    qtbot.addWidget(holder)
    holder.show()
    qtbot.waitExposed(holder)
    box.other, box.holder = other, holder  # keep the holder (and so the box) alive
    return box


def type_text(qtbot, box: LargeIntSpinBox, text: str) -> None:
    box.setFocus()
    box.lineEdit().selectAll()
    qtbot.keyClicks(box.lineEdit(), text)


def test_enter_commits_a_value_past_64_bit_signed(qtbot, spin):
    seen: list[int] = []
    spin.valueChanged.connect(seen.append)
    type_text(qtbot, spin, str(2**63 + 5))
    assert seen == []  # nothing until Enter, like a QSpinBox without keyboard tracking
    qtbot.keyClick(spin.lineEdit(), Qt.Key.Key_Return)
    assert seen == [2**63 + 5] and spin.value() == 2**63 + 5


def test_focus_out_commits_and_empty_text_goes_back(qtbot, spin):
    type_text(qtbot, spin, "12")
    spin.other.setFocus()
    qtbot.waitUntil(lambda: spin.value() == 12)
    type_text(qtbot, spin, "")
    qtbot.keyClick(spin.lineEdit(), Qt.Key.Key_Backspace)
    qtbot.keyClick(spin.lineEdit(), Qt.Key.Key_Return)
    assert spin.value() == 12 and spin.lineEdit().text() == "12"


def test_values_are_held_in_range_and_steps_stop_at_the_ends(qtbot, spin):
    spin.setValue(TOP + 10)
    assert spin.value() == TOP
    assert not spin.stepEnabled() & QAbstractSpinBox.StepEnabledFlag.StepUpEnabled
    spin.setFocus()
    qtbot.keyClick(spin, Qt.Key.Key_Down)
    assert spin.value() == TOP - 1
    spin.setValue(-3)
    assert spin.value() == 0 and not spin.stepEnabled() & QAbstractSpinBox.StepEnabledFlag.StepDownEnabled


def test_typed_text_is_taken_before_an_arrow_step(qtbot, spin):
    type_text(qtbot, spin, "41")
    qtbot.keyClick(spin, Qt.Key.Key_Up)
    assert spin.value() == 42


def test_wide_enough_for_the_largest_value(spin):
    assert spin.sizeHint().width() > spin.fontMetrics().horizontalAdvance(str(TOP))
