"""File → Examples: the example projects bundled in resources/examples, each with its description; one opens as a
copy (an untitled project named after it), so Save never writes over the bundled file.

An example file is read like any project file (it is data, and may be damaged in a broken installation): one that
can't be read is listed with the reason and can't be chosen.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget,
)

from core.cli.resources import example_paths
from core.project import Project, ProjectError, load_project


@dataclass
class Example:
    name: str
    path: Path
    project: Project | None  # None when the file can't be read
    description: str


def bundled_examples() -> list[Example]:
    """Every bundled example, readable or not, sorted by name."""
    found = []
    for name, path in example_paths().items():
        try:
            project = load_project(path)
        except ProjectError as error:
            found.append(Example(name, path, None, f"Can't be opened: {error}"))
            continue
        description = project.extra.get("description")
        found.append(Example(name, path, project, description if isinstance(description, str) and description
                             else "No description."))
    return found


class ExamplesDialog(QDialog):
    """Pick an example; `chosen` is the Example after Open (or a double click), None after Cancel."""

    def __init__(self, examples: list[Example], parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("examples_dialog")
        self.setWindowTitle("Examples")
        self.examples = examples
        self.chosen: Example | None = None
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(True)
        self.list.setSpacing(3)
        for example in examples:
            item = QListWidgetItem(f"{example.name}\n{example.description}")
            item.setToolTip(example.description)
            if example.project is None:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
            self.list.addItem(item)
        self.list.itemDoubleClicked.connect(lambda _item: self.accept())
        note = QLabel("Each opens as a copy: train it, change it, and Save puts it where you choose."
                      if examples else "No example projects were found in this installation.")
        note.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Open
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.list.currentRowChanged.connect(self._update_open)
        layout = QVBoxLayout(self)
        layout.addWidget(self.list, 1)
        layout.addWidget(note)
        layout.addWidget(self.buttons)
        self.resize(560, 460)
        first = next((i for i, e in enumerate(examples) if e.project is not None), -1)
        self.list.setCurrentRow(first)
        self._update_open(first)

    def select(self, name: str) -> None:
        self.list.setCurrentRow(next(i for i, e in enumerate(self.examples) if e.name == name))

    def _update_open(self, row: int) -> None:
        usable = 0 <= row < len(self.examples) and self.examples[row].project is not None
        self.buttons.button(QDialogButtonBox.StandardButton.Open).setEnabled(usable)

    def accept(self) -> None:
        row = self.list.currentRow()
        if 0 <= row < len(self.examples) and self.examples[row].project is not None:
            self.chosen = self.examples[row]
            super().accept()
