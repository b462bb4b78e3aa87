"""`training_thread_budget()`: how a training run shares the process with the GUI thread while it runs.

The machines the studio targets may have two cores: one for the training thread, one for the GUI. Two
process-wide settings decide whether that split holds, and a run changes both for its duration:

  * BLAS threads → 1. OpenBLAS would otherwise start a second thread for mid-sized matmuls and take the GUI's
    core (the worker's small matmuls gain little from it anyway).
  * The interpreter's switch interval → 1 ms (Python's default is 5 ms). PySide releases the GIL around most
    Qt calls, so every Qt call the GUI thread makes must win the GIL back; while the training thread runs
    Python, each such hand-back waits up to the switch interval. A redraw makes dozens of Qt calls, so at 5 ms
    a 3 ms redraw could hold the event loop for 50–100 ms.

Settings are restored when the last concurrent run ends (runs may overlap: two windows, or a test's). Call
`begin_run`/`end_run` (or use `training_thread_budget()`) on the GUI thread, not the training thread: OpenBLAS
applies a thread count set on the main thread to every thread, but may ignore one set from another thread.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

SWITCH_INTERVAL = 0.001  # seconds
BLAS_THREADS = 1

_lock = threading.Lock()
_active = 0
_saved_interval: float | None = None
_blas_limiter = None  # threadpoolctl's limiter: restores the original thread counts


@contextmanager
def training_thread_budget() -> Iterator[None]:
    """Within this block (and any overlapping ones), BLAS uses one thread and the GIL changes hands quickly."""
    begin_run()
    try:
        yield
    finally:
        end_run()


def active_runs() -> int:
    with _lock:
        return _active


def begin_run() -> None:
    """A run starts: apply the budget if it is the only one. Pair every call with one `end_run()`."""
    global _active, _saved_interval, _blas_limiter
    with _lock:
        _active += 1
        if _active > 1:
            return
        _saved_interval = sys.getswitchinterval()
        sys.setswitchinterval(min(SWITCH_INTERVAL, _saved_interval))
        _blas_limiter = _limit_blas(BLAS_THREADS)


def end_run() -> None:
    """A run ended: restore the settings from before the first run if no other run is going."""
    global _active, _saved_interval, _blas_limiter
    with _lock:
        if _active == 0:
            raise RuntimeError("thread budget: end_run() without a matching begin_run()")
        _active -= 1
        if _active > 0:
            return
        if _saved_interval is not None:
            sys.setswitchinterval(_saved_interval)
        if _blas_limiter is not None:
            _blas_limiter.restore_original_limits()
        _saved_interval, _blas_limiter = None, None


def _limit_blas(threads: int):
    """threadpoolctl's limiter over every BLAS loaded now (NumPy's and SciPy's OpenBLAS, which Numba's np.dot
    calls), or None when threadpoolctl is missing: the run then simply keeps BLAS's own thread count."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - a dependency; only a broken install lacks it
        return None
    try:  # Numba's np.dot calls SciPy's BLAS, loaded lazily: load it now, so that it is limited too
        import scipy.linalg.cython_blas  # noqa: F401
    except ImportError:  # pragma: no cover - SciPy comes with scikit-learn
        pass
    return threadpool_limits(limits=threads, user_api="blas")
