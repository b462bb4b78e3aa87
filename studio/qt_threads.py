"""Make Python imports on worker threads safe under PySide6.

PySide6 replaces `builtins.__import__` with a hook that, for every import, reads the importing module's source
(`PySide6.support.feature._mod_uses_pyside`, via `inspect.getsource`) to decide whether it opted into
`from __feature__ import snake_case/true_property`. Run on a worker thread while the GUI thread collects garbage
(Numba imports modules lazily on its first compile or cache load, on the training thread), that hook corrupts
memory: the studio's test suite crashed with a segmentation fault in about half of its runs. The studio never
uses `__feature__`, so the check can always answer "no" — which also makes every import cheaper.
"""

from __future__ import annotations

import sys


def make_imports_thread_safe() -> bool:
    """Neutralise PySide6's per-import source scan; returns True when the hook was found and patched."""
    import PySide6.QtCore  # noqa: F401  (installs the hook and its support module)

    feature = sys.modules.get("PySide6.support.feature")
    if feature is None or not hasattr(feature, "_mod_uses_pyside"):
        return False
    feature._mod_uses_pyside = _never_uses_feature
    return True


def _never_uses_feature(module) -> bool:
    return False


_gui_thread_collector = None


def collect_garbage_on_gui_thread(interval_seconds: float = 0.5):
    """Run Python's cyclic garbage collector only on the GUI thread, from a timer (idempotent).

    Left to itself, the collector runs on whichever thread happens to allocate past its threshold — often the
    training thread — and then destroys unreachable Qt widgets there, off the GUI thread: Qt deadlocks or
    crashes (seen in the studio's tests). pyqtgraph's GarbageCollector turns automatic collection off and
    collects from a QTimer instead. Call on the GUI thread once a QApplication exists.
    """
    global _gui_thread_collector
    if _gui_thread_collector is None:
        import gc

        from pyqtgraph.util.garbage_collector import GarbageCollector

        gc.collect()
        _gui_thread_collector = GarbageCollector(interval=interval_seconds)
    return _gui_thread_collector
