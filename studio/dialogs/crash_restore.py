"""The question at start-up after a crash: restore the autosaved project, or discard it."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget


def ask_restore(parent: QWidget | None, description: str) -> bool:
    """True when the user wants the autosaved project back."""
    box = QMessageBox(QMessageBox.Icon.Question, "Restore unsaved work?",
                      "Backprop Studio did not close normally last time.\n\n"
                      f"An autosaved project was found ({description or 'unreadable'}). Restore it?",
                      QMessageBox.StandardButton.NoButton, parent)
    box.setObjectName("restore_question")
    restore = box.addButton("Restore", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(restore)
    box.exec()
    return box.clickedButton() is restore
