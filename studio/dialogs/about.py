"""Help → About: the program, its version and what it is built on."""

from __future__ import annotations

import numpy
import PySide6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget


def studio_version() -> str:
    try:
        from importlib.metadata import version
        return version("backprop-studio")
    except Exception:  # running from a source tree that was not installed
        return "0.1.0"


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("about_dialog")
        self.setWindowTitle("About Backprop Studio")
        import numba
        import pyqtgraph
        text = (f"<h2>Backprop Studio {studio_version()}</h2>"
                "<p>Build a neural network by point-and-click, train it with Numba kernels,<br>"
                "watch it learn, and export what it learned.</p>"
                f"<p style='color:#555'>NumPy {numpy.__version__} · Numba {numba.__version__} · "
                f"PySide6 {PySide6.__version__} · pyqtgraph {pyqtgraph.__version__}</p>"
                "<p>MIT licence.</p>")
        self.label = QLabel(text)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(buttons)
