"""Editors generated from `core.spec.Field`s: spin boxes, combos, check boxes and list fields.

Every editor shows its Field's help as a tooltip, reports user edits through one `value_edited` signal (never when
the program sets the value), can show an error in place (red field plus a message under it), and can be locked
while training with a tooltip saying why. `FieldForm` lays out a tuple of Fields as a labelled form, so an
optimizer's or schedule's own hyperparameters appear by themselves when the choice changes.
"""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QRegularExpression, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPalette, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QAbstractSpinBox, QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QLabel, QLineEdit, QSpinBox, QStyle,
    QStyleOptionSpinBox, QVBoxLayout, QWidget,
)

from core.spec import Field

INVALID_FILL = "#ffcdd2"  # the background of a field whose value was refused
_INT_LIMIT = 2**31 - 1  # QSpinBox holds a C int; int fields whose range goes further get a LargeIntSpinBox
_FLOAT_LIMIT = 1e12


def _nice_steps(value: float, direction: int) -> float:
    """The next value on the 1-2-5 ladder (…, 0.001, 0.002, 0.005, 0.01, …) up or down from `value`."""
    if value <= 0:
        return 1e-4 if direction > 0 else 0.0
    exponent = math.floor(math.log10(value))
    ladder = [m * 10.0**e for e in (exponent - 1, exponent, exponent + 1) for m in (1, 2, 5)]
    if direction > 0:
        return next(v for v in ladder if v > value * (1 + 1e-9))
    return next(v for v in reversed(ladder) if v < value * (1 - 1e-9))


class LargeIntSpinBox(QAbstractSpinBox):
    """An integer spin box backed by a Python int, for ranges past a C int such as seeds up to 2⁶⁴−1.

    Like a QSpinBox without keyboard tracking: typing (digits only, and a leading minus when the range allows
    negatives) commits on Enter or when the field loses focus; arrows, Page keys and the wheel step. superqt's
    QLargeIntSpinBox does the same, but importing superqt (through qtpy) adds about 0.4 s to the studio's start.
    """

    valueChanged = Signal(object)  # a Python int: Qt's int signal would overflow

    def __init__(self, minimum: int, maximum: int, parent: QWidget | None = None):
        super().__init__(parent)
        self._minimum, self._maximum = int(minimum), max(int(minimum), int(maximum))
        self._value = self._minimum
        pattern = r"-?[0-9]*" if self._minimum < 0 else r"[0-9]*"
        self.lineEdit().setValidator(QRegularExpressionValidator(QRegularExpression(pattern), self))
        self.editingFinished.connect(self._commit)
        self._show()

    def value(self) -> int:
        return self._value

    def minimum(self) -> int:
        return self._minimum

    def maximum(self) -> int:
        return self._maximum

    def setValue(self, value: int) -> None:  # noqa: N802 (Qt's name)
        """Show `value` held within the range; `valueChanged` if it differs from the value before."""
        value = max(self._minimum, min(self._maximum, int(value)))
        changed, self._value = value != self._value, value
        self._show()
        if changed:
            self.valueChanged.emit(value)

    def _show(self) -> None:
        if self.lineEdit().text() != str(self._value):
            self.lineEdit().setText(str(self._value))

    def _commit(self) -> None:
        """Take the typed text (Enter or focus out); an empty or lone "-" text goes back to the value."""
        text = self.lineEdit().text().strip()
        if text in ("", "-"):
            self._show()
        else:
            self.setValue(int(text))

    def stepBy(self, steps: int) -> None:  # noqa: N802
        self._commit()
        self.setValue(self._value + steps)
        self.lineEdit().selectAll()

    def stepEnabled(self) -> QAbstractSpinBox.StepEnabledFlag:  # noqa: N802
        flags = QAbstractSpinBox.StepEnabledFlag.StepNone
        if not self.isReadOnly() and self._value < self._maximum:
            flags |= QAbstractSpinBox.StepEnabledFlag.StepUpEnabled
        if not self.isReadOnly() and self._value > self._minimum:
            flags |= QAbstractSpinBox.StepEnabledFlag.StepDownEnabled
        return flags

    def sizeHint(self) -> QSize:  # noqa: N802
        """Wide enough for the longest value of the range, as QSpinBox sizes itself."""
        self.ensurePolished()
        longest = max(len(str(self._minimum)), len(str(self._maximum)))
        width = self.fontMetrics().horizontalAdvance("9" * longest) + 6
        option = QStyleOptionSpinBox()
        self.initStyleOption(option)
        return self.style().sizeFromContents(QStyle.ContentsType.CT_SpinBox, option,
                                             QSize(width, self.lineEdit().sizeHint().height()), self)


class CompactDoubleSpinBox(QDoubleSpinBox):
    """A double spin box that shows 0.5 rather than 0.500000 and accepts scientific notation (1e-4)."""

    def __init__(self, parent: QWidget | None = None, log_scale: bool = False, ladder: bool = False):
        super().__init__(parent)
        self._log_scale = log_scale
        # Open-ended strengths (L2, weight decay, thresholds) also step on the 1-2-5 ladder, down to 0.
        self._ladder = ladder or log_scale
        self.setDecimals(15)

    def textFromValue(self, value: float) -> str:  # noqa: N802 (Qt's name)
        return f"{value:.6g}"

    def valueFromText(self, text: str) -> float:  # noqa: N802
        try:
            return float(text.strip())
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int):  # noqa: D102
        from PySide6.QtGui import QValidator
        stripped = text.strip()
        if stripped in ("", "-", "+", ".", "e", "-.") or stripped.lower().endswith(("e", "e-", "e+")):
            return QValidator.State.Intermediate, text, pos
        try:
            float(stripped)
        except ValueError:
            return QValidator.State.Invalid, text, pos
        return QValidator.State.Acceptable, text, pos

    def stepBy(self, steps: int) -> None:  # noqa: N802
        if not self._ladder:
            super().stepBy(steps)
            return
        value = self.value()
        for _ in range(abs(steps)):
            value = _nice_steps(value, 1 if steps > 0 else -1)
            if not self._log_scale and value < 1e-4:
                value = 0.0
        self.setValue(min(max(value, self.minimum()), self.maximum()))
        self.editingFinished.emit()


class FieldEditor(QWidget):
    """One Field's editor with its in-place error message. `value_edited(value)` fires on user edits only."""

    value_edited = Signal(object)

    def __init__(self, field: Field, parent: QWidget | None = None, choice_labels: dict[str, str] | None = None,
                 choice_help: dict[str, str] | None = None):
        super().__init__(parent)
        self.field = field
        self._error: str | None = None
        self._lock_reason = ""
        self._setting = False
        self._choice_help = choice_help or {}
        self.input = self._build_input(choice_labels or {})
        self.input.setObjectName(f"field_{field.name}")
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #c62828; font-size: 11px;")
        self.message.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        if isinstance(self.input, QCheckBox):  # keep the red frame of an error around the box, not the row
            layout.addWidget(self.input, 0, Qt.AlignmentFlag.AlignLeft)
        else:
            layout.addWidget(self.input)
        layout.addWidget(self.message)
        self.set_value(field.default)
        self._refresh_tooltip()

    # -- building -------------------------------------------------------------------------------------------
    def _build_input(self, choice_labels: dict[str, str]) -> QWidget:
        f = self.field
        if f.kind == "bool":
            box = QCheckBox(self)
            box.toggled.connect(lambda checked: self._emit(bool(checked)))
            return box
        if f.kind == "choice":
            combo = QComboBox(self)
            for i, name in enumerate(f.choices):
                combo.addItem(choice_labels.get(name, name.replace("_", " ")), name)
                if name in self._choice_help:
                    combo.setItemData(i, self._choice_help[name], Qt.ItemDataRole.ToolTipRole)
            combo.currentIndexChanged.connect(lambda i: self._emit(combo.itemData(i)))
            return combo
        if f.kind == "int" and max(abs(f.minimum or 0), abs(f.maximum or 0)) > _INT_LIMIT:
            large = LargeIntSpinBox(int(f.minimum if f.minimum is not None else -2**63),
                                    int(f.maximum if f.maximum is not None else 2**64 - 1), self)
            large.setKeyboardTracking(False)
            large.setAccelerated(True)
            large.valueChanged.connect(lambda v: self._emit(int(v)))
            return large
        if f.kind == "int":
            spin = QSpinBox(self)
            spin.setRange(int(max(f.minimum if f.minimum is not None else -_INT_LIMIT, -_INT_LIMIT)),
                          int(min(f.maximum if f.maximum is not None else _INT_LIMIT, _INT_LIMIT)))
            spin.setKeyboardTracking(False)
            spin.setAccelerated(True)
            spin.valueChanged.connect(lambda v: self._emit(int(v)))
            return spin
        if f.kind == "float":
            spin = CompactDoubleSpinBox(self, log_scale=f.log_scale, ladder=f.maximum is None)
            # Exclusive bounds stay enterable: the validator then explains why the value is refused.
            spin.setRange(f.minimum if f.minimum is not None else -_FLOAT_LIMIT,
                          f.maximum if f.maximum is not None else _FLOAT_LIMIT)
            span = (f.maximum or 10.0) - (f.minimum or 0.0)
            spin.setSingleStep(0.05 if span <= 1.0 else 0.1)
            spin.setKeyboardTracking(False)
            spin.setCorrectionMode(QAbstractSpinBox.CorrectionMode.CorrectToNearestValue)
            spin.valueChanged.connect(lambda v: self._emit(float(v)))
            return spin
        if f.kind == "int_list":
            line = QLineEdit(self)
            line.setPlaceholderText("e.g. 30, 80")
            line.editingFinished.connect(self._on_list_edited)
            return line
        raise ValueError(f"field {f.name}: no editor for kind {f.kind!r}")

    # -- value ----------------------------------------------------------------------------------------------
    def value(self) -> Any:
        w = self.input
        if isinstance(w, QCheckBox):
            return w.isChecked()
        if isinstance(w, QComboBox):
            return w.currentData()
        if isinstance(w, (QSpinBox, LargeIntSpinBox)):
            return int(w.value())
        if isinstance(w, QDoubleSpinBox):
            return float(w.value())
        return self._parse_list(w.text())

    def set_value(self, value: Any) -> None:
        """Show `value` without emitting `value_edited`."""
        self._setting = True
        try:
            w = self.input
            if isinstance(w, QCheckBox):
                w.setChecked(bool(value))
            elif isinstance(w, QComboBox):
                index = w.findData(value)
                if index >= 0:
                    w.setCurrentIndex(index)
            elif isinstance(w, (QSpinBox, QDoubleSpinBox, LargeIntSpinBox)):
                w.setValue(value)
            else:
                w.setText(", ".join(str(v) for v in value))
        finally:
            self._setting = False

    def _emit(self, value: Any) -> None:
        if not self._setting:
            self.value_edited.emit(value)

    @staticmethod
    def _parse_list(text: str) -> list[int]:
        parts = [p for p in text.replace(";", ",").replace(" ", ",").split(",") if p]
        return [int(p) for p in parts]

    def _on_list_edited(self) -> None:
        try:
            values = self._parse_list(self.input.text())
        except ValueError:
            self.set_error(f"{self.field.title}: write whole numbers separated by commas, e.g. 30, 80")
            return
        self._emit(values)

    # -- errors and locking ---------------------------------------------------------------------------------
    def set_error(self, message: str | None) -> None:
        """Show `message` in red under a red field, or clear it with None."""
        self._error = message or None
        # The palette, not a style sheet: a style sheet would redraw spin boxes without their arrows.
        palette = self.input.style().standardPalette() if not self._error else self.input.palette()
        if self._error:
            for role in (QPalette.ColorRole.Base, QPalette.ColorRole.Button):
                palette.setColor(role, QColor(INVALID_FILL))
        self.input.setPalette(palette)
        self.input.setProperty("invalid", bool(self._error))
        self.message.setText(self._error or "")
        self.message.setVisible(bool(self._error))
        self._refresh_tooltip()

    def error(self) -> str | None:
        return self._error

    def set_locked(self, locked: bool, reason: str = "") -> None:
        """Disable the editor (e.g. while training) with `reason` in its tooltip."""
        self._lock_reason = reason if locked else ""
        self.input.setEnabled(not locked)
        self._refresh_tooltip()

    def is_locked(self) -> bool:
        return not self.input.isEnabled()

    def set_choice_enabled(self, name: str, enabled: bool, reason: str = "") -> None:
        """Grey out one choice of a combo (with `reason` as its tooltip) so an invalid pick can't be made."""
        combo = self.input
        if not isinstance(combo, QComboBox):
            return
        index = combo.findData(name)
        if index < 0:
            return
        item = combo.model().item(index)
        item.setEnabled(enabled)
        combo.setItemData(index, self._choice_help.get(name, "") if enabled else reason,
                          Qt.ItemDataRole.ToolTipRole)

    def _refresh_tooltip(self) -> None:
        parts = [self.field.help]
        if self._lock_reason:
            parts.insert(0, self._lock_reason + ".")
        if self._error:
            parts.append("⚠ " + self._error)
        text = "\n".join(parts)
        self.input.setToolTip(text)
        self.setToolTip(text)


class FieldForm(QWidget):
    """A labelled form of FieldEditors for a tuple of Fields; `field_edited(name, value)` on user edits."""

    field_edited = Signal(str, object)

    def __init__(self, fields: tuple[Field, ...], parent: QWidget | None = None,
                 choice_labels: dict[str, dict[str, str]] | None = None,
                 choice_help: dict[str, dict[str, str]] | None = None):
        super().__init__(parent)
        self.fields = fields
        self.editors: dict[str, FieldEditor] = {}
        self.labels: dict[str, QLabel] = {}
        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        choice_labels = choice_labels or {}
        choice_help = choice_help or {}
        for f in fields:
            editor = FieldEditor(f, self, choice_labels.get(f.name), choice_help.get(f.name))
            editor.value_edited.connect(lambda value, name=f.name: self.field_edited.emit(name, value))
            label = QLabel(f.title, self)
            label.setToolTip(f.help)
            self.form.addRow(label, editor)
            self.editors[f.name] = editor
            self.labels[f.name] = label

    def editor(self, name: str) -> FieldEditor:
        return self.editors[name]

    def set_values(self, values: dict[str, Any]) -> None:
        for name, editor in self.editors.items():
            if name in values:
                editor.set_value(values[name])

    def set_row_visible(self, name: str, visible: bool) -> None:
        self.form.setRowVisible(self.editors[name], visible)

    def set_error(self, name: str, message: str | None) -> None:
        self.editors[name].set_error(message)

    def clear_errors(self) -> None:
        for editor in self.editors.values():
            editor.set_error(None)

    def errors(self) -> dict[str, str]:
        return {name: e.error() for name, e in self.editors.items() if e.error()}

    def set_training_lock(self, training: bool, reason: str | None = None) -> None:
        """While training, lock every field that can't change live, saying why in its tooltip (`reason`, or
        "Pause training to change the <field>")."""
        for editor in self.editors.values():
            why = reason or f"Pause training to change the {editor.field.title.lower()}"
            editor.set_locked(training and not editor.field.live, why)
