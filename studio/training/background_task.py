"""`BackgroundTask`: one cancellable computation off the GUI thread, with progress, for the studio's dialogs.

The learning-rate finder and the gradient check each run a few hundred engine steps: far over the 5 ms a
GUI-thread call may take. As `DocumentPredictor` does, the work runs on a daemon Python thread that never touches
a Qt object (emitting from it crashed when the receiver was deleted meanwhile): it puts its progress and result
into a queue, and a QTimer on the GUI thread polls that queue only while the task runs and emits the signals.

Cancelling is cooperative: `cancel()` sets a flag that the work's progress callback checks, raising `Cancelled`
inside the engine call; the engine restores what it changed (the finder puts the weights back). A cancelled or
superseded task's result is dropped, never delivered. While a task runs it takes the training thread budget
(`thread_budget.begin_run`: one BLAS thread, quick GIL hand-backs), as a training run does, so the window stays
responsive on a two-core machine.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from studio.training.thread_budget import begin_run, end_run

POLL_MS = 30  # how often the GUI thread looks at the queue while a task runs


class Cancelled(Exception):
    """Raised inside the work by its progress callback once the user cancelled."""


ProgressCallback = Callable[[int, int], None]


class BackgroundTask(QObject):
    progress = Signal(int, int)  # done, total (GUI thread, only when it changed)
    finished = Signal(object)  # the work's return value
    failed = Signal(str)  # one line: why the work stopped (an engine refusal or an unexpected error)
    cancelled = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._events: queue.SimpleQueue = queue.SimpleQueue()
        self._cancel: threading.Event | None = None
        self._thread: threading.Thread | None = None
        self._last_progress: tuple[int, int] | None = None
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self._deliver)

    @property
    def is_running(self) -> bool:
        return self._cancel is not None

    def start(self, work: Callable[[ProgressCallback], Any]) -> None:
        """Run `work(report)` on a thread; `report(done, total)` gives progress and raises `Cancelled` once
        `cancel()` was called. The work must touch no Qt object and nothing the GUI thread writes."""
        if self.is_running:
            raise RuntimeError("a background task is already running")
        cancel = threading.Event()
        self._cancel, self._last_progress = cancel, None
        self._events = events = queue.SimpleQueue()  # a fresh queue: nothing of an earlier task is delivered

        def report(done: int, total: int) -> None:
            if cancel.is_set():
                raise Cancelled()
            events.put(("progress", (done, total)))

        self._thread = threading.Thread(target=_run, args=(work, report, cancel, events), name="BackgroundTask",
                                        daemon=True)
        begin_run()  # on the GUI thread, paired with end_run() when the task's last event is delivered
        self._poll.start()
        self._thread.start()

    def cancel(self) -> None:
        """Ask the work to stop at its next progress report; `cancelled` follows when it has."""
        if self._cancel is not None:
            self._cancel.set()

    def stop_and_wait(self, timeout: float | None = None) -> bool:
        """Cancel, block until the thread ended and deliver its last event now (tests, shutting down); True when
        it ended."""
        self.cancel()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                return False
        self._deliver()
        return True

    def _deliver(self) -> None:
        while True:
            try:
                kind, value = self._events.get_nowait()
            except queue.Empty:
                return
            if kind == "progress":
                if value != self._last_progress:
                    self._last_progress = value
                    self.progress.emit(*value)
                continue
            self._poll.stop()
            self._cancel = None
            end_run()
            if kind == "finished":
                self.finished.emit(value)
            elif kind == "cancelled":
                self.cancelled.emit()
            else:
                self.failed.emit(value)
            return


def _run(work: Callable[[ProgressCallback], Any], report: ProgressCallback, cancel: threading.Event,
         events: queue.SimpleQueue) -> None:
    try:
        result = work(report)
    except Cancelled:
        events.put(("cancelled", None))
    except Exception as error:  # noqa: BLE001 - shown to the user as one line; the studio keeps running
        events.put(("failed", str(error) or type(error).__name__))
    else:
        events.put(("cancelled", None) if cancel.is_set() else ("finished", result))
