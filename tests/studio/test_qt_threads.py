"""Imports on worker threads must not go through PySide6's source-scanning import hook (it crashed the studio)."""

import sys
import threading
import weakref

import studio  # noqa: F401  (applies the patch)
from studio.qt_threads import make_imports_thread_safe


def test_pyside_feature_scan_is_neutralised():
    feature = sys.modules["PySide6.support.feature"]
    assert feature._mod_uses_pyside(sys.modules["studio"]) is False
    assert make_imports_thread_safe() is True


def test_imports_on_a_thread_still_work():
    result = {}

    def work():
        import json.decoder  # noqa: F401
        import numba.np.arrayobj  # noqa: F401  (a lazy Numba import like the trainer's first compile)
        result["ok"] = True

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(60)
    assert result == {"ok": True}


def test_garbage_is_collected_on_the_gui_thread_only(qtbot):
    import gc

    from PySide6.QtCore import QThread

    from studio.qt_threads import collect_garbage_on_gui_thread

    collector = collect_garbage_on_gui_thread()
    assert collector is collect_garbage_on_gui_thread()  # one timer for the whole application
    assert not gc.isenabled()  # no collection can start on a training thread
    assert collector.timer.isActive() and collector.timer.thread() is QThread.currentThread()

    class Cycle:
        pass

    gc.collect()
    cycle = Cycle()
    cycle.me = cycle  # only the cyclic collector can free this
    alive = weakref.ref(cycle)
    del cycle
    allocations = [[] for _ in range(3 * gc.get_threshold()[0])]  # push generation 0 past its threshold
    collector.check()  # what the GUI-thread timer runs
    assert alive() is None and allocations
