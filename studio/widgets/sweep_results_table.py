"""`SweepResultsTable`: a sweep's trials as rows (number, state, objective, each parameter, seconds, and the
trial's run in the project's run store), sortable.

Clicking a header sorts by that column, numerically for numbers (a pruned or failed trial has no objective and
sorts last). The best trial's row is bold. `show_only(numbers)` hides the rows of the trials the
parallel-coordinates selection filtered out (None shows every row).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from core.sweeps import TrialResult
from studio.plots.coordinate_axis import format_number

STATE_COLOURS = {"complete": "#2e7d32", "pruned": "#757575", "failed": "#c62828", "running": "#ef6c00"}
NUMBER, STATE, OBJECTIVE = range(3)


class _SortableItem(QTableWidgetItem):
    """A cell that sorts by its key (a number, or text), with missing values last whatever the order."""

    def __init__(self, text: str, key: float | str | None):
        super().__init__(text)
        self.key = key

    def __lt__(self, other: QTableWidgetItem) -> bool:
        mine, theirs = self.key, getattr(other, "key", None)
        if mine is None or theirs is None:  # last in either order: the largest ascending, the smallest descending
            if mine is None and theirs is None:
                return False
            table = self.tableWidget()
            ascending = table is None or table.horizontalHeader().sortIndicatorOrder() == Qt.SortOrder.AscendingOrder
            return (theirs is None) == ascending
        if isinstance(mine, str) or isinstance(theirs, str):
            return str(mine) < str(theirs)
        return mine < theirs


class SweepResultsTable(QTableWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(0, 3, parent)
        self.setObjectName("SweepResultsTable")
        self.verticalHeader().hide()
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.horizontalHeader().setStretchLastSection(True)
        self.setAlternatingRowColors(True)
        self.paths: list[str] = []
        self.visible_numbers: set[int] | None = None
        self.set_columns("objective", [])
        self.sortByColumn(NUMBER, Qt.SortOrder.AscendingOrder)  # trials in the order they started, until re-sorted

    def set_columns(self, objective_label: str, paths: Sequence[str]) -> None:
        self.paths = list(paths)
        labels = ["#", "state", objective_label, *self.paths, "seconds", "run"]
        self.setColumnCount(len(labels))
        self.setHorizontalHeaderLabels(labels)

    def set_trials(self, trials: Iterable[TrialResult], best: int | None) -> None:
        """One row per trial (replacing the rows), sorted as the user last chose."""
        trials = list(trials)
        self.setSortingEnabled(False)
        self.setRowCount(len(trials))
        for row, trial in enumerate(trials):
            cells = [_SortableItem(str(trial.number), trial.number), _SortableItem(trial.state, trial.state),
                     _number_item(trial.value)]
            cells += [_value_item(trial.params.get(path)) for path in self.paths]
            cells.append(_number_item(trial.seconds, digits=1))
            cells.append(_SortableItem("–" if trial.run_id is None else str(trial.run_id), trial.run_id))
            for column, item in enumerate(cells):
                item.setData(Qt.ItemDataRole.UserRole, trial.number)
                if column != STATE:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if trial.number == best:
                    font = QFont(item.font())
                    font.setBold(True)
                    item.setFont(font)
                self.setItem(row, column, item)
            self.item(row, STATE).setForeground(QColor(STATE_COLOURS.get(trial.state, "#000000")))
            if trial.error:
                self.item(row, STATE).setToolTip(trial.error)  # why it failed, e.g. a diverged loss
        self.setSortingEnabled(True)
        self._apply_filter()

    def show_only(self, numbers: set[int] | None) -> None:
        """Show the rows of these trial numbers only (None: every row)."""
        self.visible_numbers = None if numbers is None else set(numbers)
        self._apply_filter()

    def shown_numbers(self) -> list[int]:
        """The trial numbers of the visible rows, top to bottom."""
        return [self.number_at(row) for row in range(self.rowCount()) if not self.isRowHidden(row)]

    def number_at(self, row: int) -> int:
        return int(self.item(row, NUMBER).data(Qt.ItemDataRole.UserRole))

    def _apply_filter(self) -> None:
        for row in range(self.rowCount()):
            self.setRowHidden(row, self.visible_numbers is not None and self.number_at(row) not in
                              self.visible_numbers)


def _number_item(value: float | None, digits: int = 4) -> _SortableItem:
    if value is None:
        return _SortableItem("–", None)
    return _SortableItem(f"{value:.{digits}g}" if digits != 1 else f"{value:.1f}", float(value))


def _value_item(value: object) -> _SortableItem:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return _SortableItem("–" if value is None else str(value), None if value is None else str(value))
    return _SortableItem(format_number(value), float(value))
