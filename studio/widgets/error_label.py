"""`ErrorLabel`: a red, word-wrapped message shown in place under the fields it is about, hidden while empty."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

ERROR_STYLE = "color: #c62828;"


class ErrorLabel(QLabel):
    def __init__(self, object_name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setStyleSheet(ERROR_STYLE)
        self.setWordWrap(True)
        self.hide()

    def show_text(self, text: str) -> None:
        """Show `text`; an empty text hides the label."""
        self.setText(text)
        self.setVisible(bool(text))
