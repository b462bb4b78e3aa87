"""Backprop Studio's desktop application (PySide6 + pyqtgraph) around the `core` engine."""

from studio.qt_threads import make_imports_thread_safe

make_imports_thread_safe()
