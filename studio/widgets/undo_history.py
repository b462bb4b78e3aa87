"""The undo history panel: every edit of the project, newest last; clicking one goes back to it."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QUndoView, QVBoxLayout, QWidget

from studio.document import Document


class UndoHistoryPanel(QWidget):
    def __init__(self, document: Document, parent: QWidget | None = None):
        super().__init__(parent)
        self.document = document
        self.view = QUndoView(document.undo_stack, self)
        self.view.setEmptyLabel("Opened project")
        self.view.setObjectName("undo_view")
        hint = QLabel("Click an entry to go back to it.")
        hint.setStyleSheet("color: palette(mid);")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.view)
        layout.addWidget(hint)
        document.training_changed.connect(self._on_training_changed)

    def _on_training_changed(self, training: bool) -> None:
        # Going back in history could change what can't change live; the view is read-only while training.
        self.view.setEnabled(not training)
