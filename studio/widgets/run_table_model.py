"""`RunTableModel`: the Runs dock's table of runs, and `RunFilterProxy`, which sorts and filters it.

Columns: a star, the name (indented under the run it was forked from), the date, the kind, where it came from
(`parent@epoch`), then one column per setting that differs among the runs (`studio.widgets.run_rows`: only what
differs), then the final and best figures and the stop reason. Cells of a setting that differs from the
selected run's (`reference`) are bold on a tint, so "what differs from this run" reads at a glance. The name is
edited in place (a rename) and the star is a check box; both write to the store through `write`, which the panel
provides (a refusal leaves the table as it was).
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from core.runs import RunSummary
from studio.widgets.run_rows import RunRow, RunRows, row_matches, setting_text

Index = QModelIndex | QPersistentModelIndex
HEAD = ("star", "name", "date", "kind", "origin")
TAIL = ("epochs", "train_loss", "val_loss", "test_loss", "train_metric", "val_metric", "test_metric",
        "best_train_loss", "best_val_loss", "best_val_metric", "best_epoch", "stop_reason")
TITLES = {"star": "★", "name": "Name", "date": "Date", "kind": "Kind", "origin": "From", "epochs": "Epochs",
          "train_loss": "Train loss", "val_loss": "Val loss", "test_loss": "Test loss", "train_metric": "Train {m}",
          "val_metric": "Val {m}", "test_metric": "Test {m}", "best_train_loss": "Best train loss",
          "best_val_loss": "Best val loss", "best_val_metric": "Best val {m}", "best_epoch": "Best epoch",
          "stop_reason": "Stopped"}
DIFFERS_BRUSH = QBrush(QColor(176, 71, 158, 45))  # the doctor's highlight colour, faint


def short_path(path: str) -> str:
    """A column title for a setting: its path without the "training." every training setting starts with."""
    return path.removeprefix("training.")


class RunTableModel(QAbstractTableModel):
    def __init__(self, parent: Any = None):
        super().__init__(parent)
        self.rows: list[RunRow] = []
        self.differing: list[str] = []
        self.reference: int | None = None  # the selected run: what the setting cells are compared with
        self.metric = "metric"
        # write(run_id, action, value) → True when the store took it ("rename" with a name, "star" with a bool)
        self.write: Callable[[int, str, Any], bool] = lambda _run, _action, _value: False
        self._bold = QFont()
        self._bold.setBold(True)

    # --- contents ------------------------------------------------------------------------------------------------
    def set_rows(self, rows: RunRows) -> None:
        self.beginResetModel()
        self.rows, self.differing = rows.rows, rows.differing
        names = {row.summary.metric_name for row in rows.rows if row.summary.metric_name}
        self.metric = names.pop() if len(names) == 1 else "metric"
        self.endResetModel()

    def set_reference(self, run_id: int | None) -> None:
        if run_id != self.reference:
            self.reference = run_id
            if self.rows and self.differing:
                first = len(HEAD)
                self.dataChanged.emit(self.index(0, first), self.index(len(self.rows) - 1,
                                                                       first + len(self.differing) - 1))

    def column_key(self, column: int) -> str:
        """"name", "val_loss", … or "setting:PATH" for a differing setting's column."""
        if column < len(HEAD):
            return HEAD[column]
        column -= len(HEAD)
        if column < len(self.differing):
            return "setting:" + self.differing[column]
        return TAIL[column - len(self.differing)]

    def column_of(self, key: str) -> int:
        return next(column for column in range(self.columnCount()) if self.column_key(column) == key)

    def row_of(self, run_id: int) -> int | None:
        return next((number for number, row in enumerate(self.rows) if row.summary.id == run_id), None)

    def run_at(self, row: int) -> RunSummary:
        return self.rows[row].summary

    # --- Qt's model interface ------------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802 - Qt's name
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(HEAD) + len(self.differing) + len(TAIL)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
                   ) -> Any:  # noqa: N802
        if orientation != Qt.Orientation.Horizontal:
            return None
        key = self.column_key(section)
        if role == Qt.ItemDataRole.DisplayRole:
            return short_path(key[8:]) if key.startswith("setting:") else TITLES[key].format(m=self.metric)
        if role == Qt.ItemDataRole.ToolTipRole:
            if key.startswith("setting:"):
                return f"{key[8:]}: differs among the runs (bold: differs from the selected run)"
            return {"star": "Starred runs", "origin": "The run (and its checkpoint epoch) this one started from",
                    "best_epoch": "The epoch of the best validation loss"}.get(key)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        key = self.column_key(index.column())
        if key == "name":
            flags |= Qt.ItemFlag.ItemIsEditable
        elif key == "star":
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, key = self.rows[index.row()], self.column_key(index.column())
        summary = row.summary
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(row, key)
        if role == Qt.ItemDataRole.EditRole and key == "name":
            return summary.name
        if role == Qt.ItemDataRole.CheckStateRole and key == "star":
            return Qt.CheckState.Checked if summary.starred else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, key)
        if key.startswith("setting:") and role in (Qt.ItemDataRole.FontRole, Qt.ItemDataRole.BackgroundRole):
            if self._differs_from_reference(row, key[8:]):
                return self._bold if role == Qt.ItemDataRole.FontRole else DIFFERS_BRUSH
        if role == Qt.ItemDataRole.TextAlignmentRole and key not in ("name", "kind", "stop_reason", "date"):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if not index.isValid():
            return False
        key, number = self.column_key(index.column()), index.row()
        summary = self.rows[number].summary
        if key == "name" and role == Qt.ItemDataRole.EditRole:
            name = str(value).strip()
            if name == summary.name or not self.write(summary.id, "rename", name):
                return False
            self._replace(number, name=name)
        elif key == "star" and role == Qt.ItemDataRole.CheckStateRole:
            starred = Qt.CheckState(value) == Qt.CheckState.Checked
            if not self.write(summary.id, "star", starred):
                return False
            self._replace(number, starred=starred)
        else:
            return False
        self.dataChanged.emit(index, index)
        return True

    # --- cells ---------------------------------------------------------------------------------------------------
    def text(self, row: RunRow, key: str) -> str:
        summary = row.summary
        if key.startswith("setting:"):
            path = key[8:]
            return setting_text(row.settings[path]) if path in row.settings else ""
        if key == "star":
            return ""
        if key == "name":
            return ("    " * (row.depth - 1) + "└ " if row.depth else "") + summary.name
        if key == "date":
            return time.strftime("%b %d %H:%M", time.localtime(summary.created))  # the year in the tooltip
        if key == "kind":
            return summary.kind if summary.status == "finished" else f"{summary.kind} ({summary.status})"
        if key == "origin":
            return "" if summary.parent is None else f"{summary.parent}@{summary.parent_epoch or 0}"
        if key == "epochs":
            return str(summary.epochs)
        if key == "stop_reason":
            return summary.stop_reason or ""
        return _figure(self.value(row, key))

    def value(self, row: RunRow, key: str) -> Any:
        """A figure column's number (None: not measured)."""
        summary = row.summary
        if key.startswith("best_"):
            return summary.best.get(key[5:])
        return summary.final.get(key)

    def sort_key(self, row: int, column: int) -> tuple:
        """What the proxy sorts by: numbers as numbers, text as text, blanks last."""
        entry, key = self.rows[row], self.column_key(column)
        summary = entry.summary
        if key == "star":
            return (0, -int(summary.starred))
        if key == "date":
            return (0, summary.created)
        if key == "origin":
            return (summary.parent is None, summary.parent or 0, summary.parent_epoch or 0)
        if key == "epochs":
            return (0, summary.epochs)
        if key.startswith("setting:"):
            value = entry.settings.get(key[8:])
        elif key in ("name", "kind", "stop_reason"):
            value = self.text(entry, key).lstrip(" └").lower()
        else:
            value = self.value(entry, key)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return (value is None or value == "", 1, "" if value is None else str(value))
        return (not math.isfinite(value), 0, float(value))

    def _differs_from_reference(self, row: RunRow, path: str) -> bool:
        if self.reference is None or row.summary.id == self.reference:
            return False
        reference = self.row_of(self.reference)
        if reference is None:
            return False
        theirs = self.rows[reference].settings
        return path in row.settings and (path not in theirs or setting_text(theirs[path])
                                         != setting_text(row.settings[path]))

    def _tooltip(self, row: RunRow, key: str) -> str | None:
        summary = row.summary
        if key == "name":
            return f"run {summary.id} · {summary.kind} · {summary.status} (double-click to rename)"
        if key == "date":
            return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(summary.created))
        if key == "origin" and summary.parent is not None:
            epoch = summary.parent_epoch or 0
            return (f"rewound: run {summary.parent}'s initial weights and data order" if epoch == 0 else
                    f"forked from run {summary.parent}'s checkpoint at epoch {epoch}")
        if key.startswith("setting:"):
            return f"{key[8:]} = {self.text(row, key)}"
        return None

    def _replace(self, number: int, **changes: Any) -> None:
        row = self.rows[number]
        self.rows[number] = dataclasses.replace(row, summary=dataclasses.replace(row.summary, **changes))


class RunFilterProxy(QSortFilterProxyModel):
    """Sorts by the model's `sort_key` (no sort: the tree order) and keeps the rows matching `filter_text`."""

    def __init__(self, model: RunTableModel, parent: Any = None):
        super().__init__(parent)
        self.setSourceModel(model)
        self.runs = model
        self.filter_text = ""

    def set_filter_text(self, text: str) -> None:
        if not hasattr(QSortFilterProxyModel, "Direction"):  # Qt < 6.10
            self.filter_text = text
            self.invalidateRowsFilter()
            return
        self.beginFilterChange()  # Qt ≥ 6.10, where invalidateRowsFilter is deprecated
        self.filter_text = text
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:  # noqa: N802 - Qt's name
        return row_matches(self.runs.rows[source_row], self.runs.differing, self.filter_text)

    def lessThan(self, left: Index, right: Index) -> bool:  # noqa: N802 - Qt's name
        return self.runs.sort_key(left.row(), left.column()) < self.runs.sort_key(right.row(), right.column())


def _figure(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return f"{value:.4g}" if isinstance(value, float) else str(value)
