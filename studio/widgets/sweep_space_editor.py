"""`SweepSpaceEditor`: the Sweep dialog's search space, one row per swept setting, checked as the user types.

A row is a setting chosen by its dotted path from the settings the project can sweep (`sweep_choices`, read from
the catalogue), a kind (log / lin / int for numbers, choice for names or a list of numbers), and the range's low
and high ends or a comma-separated list of choices. Picking a setting or a kind fills in a first range. Every
edit is checked at once by the same parser as the command line's `--param PATH=SPEC` (`core.sweeps.parse_param`):
a bad row turns red and the first problem is shown in one line below the table; `params()` is then empty and
`error` says why, so Start stays disabled.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLineEdit, QPushButton,
                               QTableWidget, QVBoxLayout, QWidget)

from core.spec import Spec, expand_path
from core.sweeps import ParamRange, SweepError, parse_param
from core.sweeps.space import KINDS
from studio.plots.coordinate_axis import format_number
from studio.training.sweep_choices import suggested_range, sweepable_settings
from studio.widgets.error_label import ErrorLabel

COLUMNS = ("setting", "kind", "low", "high", "choices")
SETTING, KIND, LOW, HIGH, CHOICES = range(len(COLUMNS))
KINDS_FOR = {"float": ("log", "lin", "choice"), "int": ("int", "log", "choice"), "choice": ("choice",)}
BAD_ROW = "background: #fde0e0;"
MAX_ROWS = 12


class SweepSpaceEditor(QWidget):
    changed = Signal()  # any edit: `params()` and `error` are up to date

    def __init__(self, spec: Spec, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("SweepSpaceEditor")
        self.spec = spec
        self.settings = sweepable_settings(spec)
        self.error = ""
        self._params: tuple[ParamRange, ...] = ()
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        for column, width in ((SETTING, 200), (KIND, 70), (LOW, 66), (HIGH, 66)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            header.resizeSection(column, width)
        header.setSectionResizeMode(CHOICES, QHeaderView.ResizeMode.Stretch)
        self.table.setMinimumHeight(150)
        self.table.setMaximumHeight(260)  # about eight rows; more scroll
        self.add_button = QPushButton("Add setting")
        self.add_button.clicked.connect(lambda: self.add_row())
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(self._remove_selected)
        self.error_label = ErrorLabel("SweepSpaceError")
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.error_label)

    # -- reading ----------------------------------------------------------------------------------------------------
    def params(self) -> tuple[ParamRange, ...]:
        """The search space, checked; empty while any row is wrong (then `error` says why)."""
        return self._params

    def row_text(self, row: int) -> str:
        """The row as the command line's `PATH=SPEC`."""
        path = self._setting_box(row).currentData()
        kind = self._kind_box(row).currentText()
        if kind == "choice":
            return f"{path}=choice:{self._edit(row, CHOICES).text()}"
        return f"{path}={kind}:{self._edit(row, LOW).text()}:{self._edit(row, HIGH).text()}"

    # -- editing ----------------------------------------------------------------------------------------------------
    def add_row(self, path: str | None = None) -> int:
        """A new row for `path` (the first setting not yet swept when None), with a first range."""
        if self.table.rowCount() >= MAX_ROWS:
            return -1
        used = {self._setting_box(r).currentData() for r in range(self.table.rowCount())}
        path = path or next((p for p in self.settings if p not in used), next(iter(self.settings)))
        row = self.table.rowCount()
        self.table.insertRow(row)
        setting = QComboBox()
        setting.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        setting.setMinimumContentsLength(12)  # the column's width decides; the popup shows the full paths
        for name, field in self.settings.items():
            setting.addItem(name, name)
            setting.setItemData(setting.count() - 1, f"{field.title}: {field.help}", Qt.ItemDataRole.ToolTipRole)
        setting.setCurrentIndex(max(setting.findData(path), 0))
        self.table.setCellWidget(row, SETTING, setting)
        self.table.setCellWidget(row, KIND, QComboBox())
        for column in (LOW, HIGH, CHOICES):
            edit = QLineEdit()
            edit.textEdited.connect(self._check)
            self.table.setCellWidget(row, column, edit)
        setting.currentIndexChanged.connect(lambda _i, box=setting: self._on_setting(self._row_of(box)))
        self._kind_box(row).currentIndexChanged.connect(
            lambda _i, box=self._kind_box(row): self._on_kind(self._row_of(box)))
        self._on_setting(row)
        return row

    def set_row(self, row: int, param: ParamRange) -> None:
        """Show `param` in `row` (a resumed study's space)."""
        box = self._setting_box(row)
        if box.findData(param.path) < 0:  # a path this editor would not offer (e.g. swept from the CLI): keep it
            box.addItem(param.path, param.path)
        box.setCurrentIndex(box.findData(param.path))
        kinds = self._kind_box(row)
        if kinds.findText(param.kind) < 0:
            kinds.addItem(param.kind)
        kinds.setCurrentText(param.kind)
        self._edit(row, LOW).setText("" if param.low is None else format_number(param.low))
        self._edit(row, HIGH).setText("" if param.high is None else format_number(param.high))
        self._edit(row, CHOICES).setText(", ".join(_choice_text(c) for c in param.choices))
        self._enable_ends(row)
        self._check()

    def set_params(self, params: tuple[ParamRange, ...]) -> None:
        """Replace every row with `params`."""
        self.table.setRowCount(0)
        for param in params:
            self.set_row(self.add_row(param.path), param)
        self._check()

    def set_spec(self, spec: Spec) -> None:
        """The project changed (an edit, Apply best): check the rows against it; new settings become offered."""
        self.spec = spec
        self.settings = sweepable_settings(spec)
        self._check()

    def set_editable(self, editable: bool) -> None:
        self.table.setEnabled(editable)
        self.add_button.setEnabled(editable and self.table.rowCount() < MAX_ROWS)
        self.remove_button.setEnabled(editable and self.table.rowCount() > 0)

    # -- handlers ---------------------------------------------------------------------------------------------------
    def _on_setting(self, row: int) -> None:
        path = self._setting_box(row).currentData()
        field = self.settings.get(path)
        kinds = self._kind_box(row)
        kinds.blockSignals(True)
        kinds.clear()
        kinds.addItems(list(KINDS_FOR.get(field.kind, KINDS) if field is not None else KINDS))
        suggestion = suggested_range(self.spec, path)
        kinds.setCurrentText(suggestion.kind)
        kinds.blockSignals(False)
        self._fill_suggestion(row)

    def _on_kind(self, row: int) -> None:
        self._fill_suggestion(row, self._kind_box(row).currentText())

    def _fill_suggestion(self, row: int, kind: str | None = None) -> None:
        path = self._setting_box(row).currentData()
        suggestion = suggested_range(self.spec, path)
        kind = kind or suggestion.kind
        if kind == "choice" and not suggestion.choices:  # numbers as a list: the range's ends and middle
            middle = (suggestion.low + suggestion.high) / 2
            choices = [suggestion.low, round(middle) if suggestion.kind == "int" else middle, suggestion.high]
            self._edit(row, CHOICES).setText(", ".join(format_number(c) for c in choices))
        else:
            self._edit(row, CHOICES).setText(", ".join(suggestion.choices))
        low, high = suggestion.low, suggestion.high
        if kind == "log" and low <= 0:
            low = high / 100
        self._edit(row, LOW).setText("" if kind == "choice" else format_number(low))
        self._edit(row, HIGH).setText("" if kind == "choice" else format_number(high))
        self._enable_ends(row)
        self._check()

    def _enable_ends(self, row: int) -> None:
        self._edit(row, CHOICES).setCursorPosition(0)  # the list's start in view, not its end
        choice = self._kind_box(row).currentText() == "choice"
        self._edit(row, LOW).setEnabled(not choice)
        self._edit(row, HIGH).setEnabled(not choice)
        self._edit(row, CHOICES).setEnabled(choice)

    def _remove_selected(self) -> None:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()}, reverse=True)
        for row in rows or [self.table.rowCount() - 1]:
            if row >= 0:
                self.table.removeRow(row)
        self._check()

    def _check(self) -> None:
        """Parse every row as the CLI would; mark the bad ones; keep the first problem as `error`."""
        params, problems, seen = [], [], {}
        for row in range(self.table.rowCount()):
            problem = ""
            try:
                param = parse_param(self.row_text(row), self.spec)
                for path in expand_path(self.spec, param.path):
                    if path in seen:
                        raise SweepError(f"parameter {param.path}: {path} is already swept by row {seen[path] + 1}")
                    seen[path] = row
                params.append(param)
            except SweepError as error:
                problem = str(error)
                problems.append(f"row {row + 1}: {problem}")
            self._mark(row, problem)
        if not self.table.rowCount():
            problems.append("Add at least one setting to sweep.")
        self.error = problems[0] if problems else ""
        self._params = () if problems else tuple(params)
        self.error_label.show_text(self.error)
        self.add_button.setEnabled(self.table.isEnabled() and self.table.rowCount() < MAX_ROWS)
        self.changed.emit()

    def _mark(self, row: int, problem: str) -> None:
        for column in (LOW, HIGH, CHOICES):
            edit = self._edit(row, column)
            edit.setStyleSheet(BAD_ROW if problem and edit.isEnabled() else "")
            edit.setToolTip(problem)

    # -- cells ------------------------------------------------------------------------------------------------------
    def _setting_box(self, row: int) -> QComboBox:
        return self.table.cellWidget(row, SETTING)

    def _kind_box(self, row: int) -> QComboBox:
        return self.table.cellWidget(row, KIND)

    def _edit(self, row: int, column: int) -> QLineEdit:
        return self.table.cellWidget(row, column)

    def _row_of(self, widget: QWidget) -> int:
        for row in range(self.table.rowCount()):
            if widget in (self.table.cellWidget(row, c) for c in range(len(COLUMNS))):
                return row
        return -1


def _choice_text(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else format_number(value)

