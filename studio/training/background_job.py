"""`BackgroundJob`: run one piece of core work (a race, a loss landscape) off the GUI thread, with progress and
cancel.

`start(work)` runs `work(report, cancelled)` on a daemon thread: `report(item)` hands any plain-data item to the
GUI thread, `cancelled()` says whether the user asked to stop (the work checks it between epochs or grid rows).
The thread touches no Qt object: it puts items, the result or the error in a queue, and the GUI thread polls it
while the job runs and emits `reported([items])` once per poll, then `finished(result)` or `failed(message)` (as
the document's predictor does, see `document_prediction`: a signal emitted from a plain thread crashed when its
receiver was deleted meanwhile). While a job runs, BLAS keeps to one thread and the GIL changes hands quickly
(the training thread budget, set on the GUI thread), so the window stays responsive.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from studio.training.thread_budget import begin_run, end_run

POLL_MS = 40
MAX_ITEMS_PER_POLL = 2000
_REPORT, _FINISHED, _FAILED = "report", "finished", "failed"


class BackgroundJob(QObject):
    reported = Signal(object)  # a list: the items the work reported since the last poll, in order (GUI thread)
    finished = Signal(object)  # the work's return value
    failed = Signal(str)  # one line: why the work raised (a cancelled landscape raises; a cancelled race ends)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._items: queue.SimpleQueue = queue.SimpleQueue()
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self._deliver)

    @property
    def running(self) -> bool:
        return self._thread is not None

    def start(self, work: Callable[[Callable[[Any], None], Callable[[], bool]], Any], name: str = "Job") -> None:
        """Run `work(report, cancelled)` on a new thread; one job at a time."""
        if self._thread is not None:
            raise RuntimeError("a job is already running")
        self._cancel.clear()
        items = self._items = queue.SimpleQueue()  # a fresh queue: nothing of an earlier job leaks in
        cancel = self._cancel

        def run() -> None:
            try:
                result = work(lambda item: items.put((_REPORT, item)), cancel.is_set)
            except Exception as error:  # noqa: BLE001 - the GUI shows it; the thread must never raise
                items.put((_FAILED, f"{error}" or type(error).__name__))
            else:
                items.put((_FINISHED, result))

        begin_run()
        self._thread = threading.Thread(target=run, name=name, daemon=True)
        self._thread.start()
        self._poll.start()

    def cancel(self) -> None:
        """Ask the work to stop at its next check; `finished` or `failed` follows as usual."""
        self._cancel.set()

    def cancel_and_wait(self, timeout: float = 5.0) -> None:
        """For closing: cancel, wait for the thread (a grid row or an epoch), deliver nothing more."""
        thread = self._thread
        self._cancel.set()
        if thread is not None:
            thread.join(timeout)
            self._end()

    def _deliver(self) -> None:
        """Hand what arrived since the last poll to the GUI thread as ONE list (so a plot redraws once per poll,
        not once per item), bounded so the event loop gets back to input even when the work reports faster
        than the GUI draws; then the result, if it came."""
        if self._thread is None:
            return
        reports, final = [], None
        for _ in range(MAX_ITEMS_PER_POLL):
            try:
                kind, value = self._items.get_nowait()
            except queue.Empty:
                break
            if kind != _REPORT:
                final = (kind, value)
                break
            reports.append(value)
        if reports:
            self.reported.emit(reports)
        if final is not None:
            self._end()
            (self.finished if final[0] == _FINISHED else self.failed).emit(final[1])

    def _end(self) -> None:
        if self._thread is not None:
            self._thread = None
            self._poll.stop()
            end_run()
