"""Backprop Studio's desktop application (PySide6 + pyqtgraph) around the `core` engine."""
