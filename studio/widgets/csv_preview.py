"""The data panel's "File" page: open a CSV/TSV/NPZ/IDX file, preview a CSV, choose its target column, load it.

The page only builds a data-source dict (`source_chosen`); the panel hands it to the document, which loads it
and reports errors. Problems the page finds itself (an unreadable preview) are shown in place, in red.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox, QFileDialog, QFormLayout, QHBoxLayout, QHeaderView, QLabel, QPushButton, QTableWidget,
    QTableWidgetItem, QVBoxLayout, QWidget,
)

from core.data import DataError, preview_csv
from core.data.sources import detect_format, guess_labels_path
from studio.widgets.error_label import ErrorLabel

FILE_FILTER = ("Data files (*.csv *.tsv *.txt *.npz *-ubyte *-ubyte.gz *.idx *.gz);;CSV / TSV (*.csv *.tsv *.txt);;"
               "NumPy (*.npz);;IDX (*-ubyte *-ubyte.gz *.idx *.gz);;All files (*)")
TASK_CHOICES = (("Guess from the target", None), ("Classification", "classification"), ("Regression", "regression"))
MISSING_CHOICES = (("Refuse the file", "error"), ("Drop those rows", "drop"), ("Fill with column mean", "mean"))
CATEGORICAL_CHOICES = (("Refuse the file", "error"), ("One-hot encode", "one_hot"))


class FileSourcePage(QWidget):
    source_chosen = Signal(dict)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.path: str | None = None
        self.file_format: str | None = None
        self.open_button = QPushButton("Open file…")
        self.open_button.setObjectName("open_data_file")
        self.open_button.clicked.connect(self._on_open_clicked)
        self.path_label = QLabel("CSV, TSV, NPZ or IDX (MNIST) files")
        self.path_label.setWordWrap(True)
        self.table = QTableWidget(0, 0)
        self.table.setObjectName("csv_preview_table")
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setMinimumHeight(120)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.target = QComboBox()
        self.target.setObjectName("target_column")
        self.target.setToolTip("The column the network learns to predict; every other column is an input.")
        self.task = _combo(TASK_CHOICES)
        self.missing = _combo(MISSING_CHOICES)
        self.categorical = _combo(CATEGORICAL_CHOICES)
        self.categorical.setToolTip("What to do with text (non-numeric) input columns.")
        self.load_button = QPushButton("Load")
        self.load_button.setObjectName("load_data_file")
        self.load_button.setEnabled(False)
        self.load_button.clicked.connect(self._on_load_clicked)
        self.error = ErrorLabel("file_error")

        self.csv_options = QWidget()
        form = QFormLayout(self.csv_options)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Target column", self.target)
        form.addRow("Task", self.task)
        form.addRow("Missing cells", self.missing)
        form.addRow("Text columns", self.categorical)
        top = QHBoxLayout()
        top.addWidget(self.open_button)
        top.addWidget(self.path_label, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.csv_options)
        layout.addWidget(self.error)
        layout.addWidget(self.load_button, 0, Qt.AlignmentFlag.AlignRight)
        self.table.hide()
        self.csv_options.hide()

    def ask_data_path(self) -> str:
        """The file dialog (tests replace this method)."""
        path, _ = QFileDialog.getOpenFileName(self, "Open data file", str(Path.home()), FILE_FILTER)
        return path

    def set_file(self, path: str) -> None:
        """Show what `path` holds: a preview and target choice for CSV, the format for NPZ/IDX."""
        self.error.show_text("")
        self.path, self.file_format = path, None
        self.path_label.setText(os.path.basename(path))
        self.path_label.setToolTip(path)
        self.table.hide()
        self.csv_options.hide()
        self.load_button.setEnabled(False)
        try:
            self.file_format = detect_format(path)
            if self.file_format == "csv":
                self._show_preview(path)
        except DataError as error:
            self.error.show_text(str(error))
            return
        self.load_button.setEnabled(True)

    def source(self) -> dict[str, Any]:
        """The data-source dict for the chosen file and options."""
        if self.path is None or self.file_format is None:
            raise DataError("choose a data file first")
        source: dict[str, Any] = {"kind": "file", "format": self.file_format, "path": os.path.abspath(self.path)}
        if self.file_format == "csv":
            source.update(target=self.target.currentText(), missing=self.missing.currentData(),
                          categorical=self.categorical.currentData())
            if self.task.currentData():
                source["task"] = self.task.currentData()
        elif self.file_format == "idx":
            source["labels_path"] = guess_labels_path(self.path)
        return source

    def _show_preview(self, path: str) -> None:
        preview = preview_csv(path, max_rows=30)
        self.table.clear()
        self.table.setColumnCount(preview.num_columns)
        self.table.setRowCount(len(preview.rows))
        self.table.setHorizontalHeaderLabels([f"{name}\n{kind}" for name, kind in
                                              zip(preview.column_names, preview.column_kinds)])
        for row, cells in enumerate(preview.rows):
            for column, cell in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(cell))
        self.target.clear()
        self.target.addItems(preview.column_names)
        self.target.setCurrentText(preview.suggested_target)
        self.table.show()
        self.csv_options.show()

    def _on_open_clicked(self) -> None:
        path = self.ask_data_path()
        if path:
            self.set_file(path)

    def _on_load_clicked(self) -> None:
        try:
            source = self.source()
        except DataError as error:
            self.error.show_text(str(error))
            return
        self.source_chosen.emit(source)


def _combo(choices: tuple[tuple[str, Any], ...]) -> QComboBox:
    combo = QComboBox()
    for label, value in choices:
        combo.addItem(label, value)
    return combo
