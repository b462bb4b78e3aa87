"""The application entry point: builds the QApplication and shows the main window."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    from PySide6.QtWidgets import QApplication, QMainWindow, QLabel

    app = QApplication.instance() or QApplication(sys.argv if argv is None else argv)
    window = QMainWindow()
    window.setWindowTitle("Backprop Studio")
    window.setCentralWidget(QLabel("Backprop Studio"))
    window.resize(1280, 800)
    window.show()
    return app.exec()
