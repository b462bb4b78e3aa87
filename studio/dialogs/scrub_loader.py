"""`ScrubLoader`: a recorded run's checkpoints computed off the GUI thread, the newest request first.

One `QThread` owns the `core.scrub.ScrubRun` (its store connection and its network) from opening to closing:
1. it opens the run (the store, the data loaded again and its hash checked) → `opened(run)`, or `failed(line)`;
2. it computes the view of the newest requested epoch → `view_ready(view)`. Requests made while it computes
   replace each other: only the latest is computed next (dragging the slider over 50 checkpoints computes a few,
   and always ends on the one the slider stopped at);
3. while no request waits, it computes the gradient figures of every point of the timeline, in epoch order →
   `timeline_ready(snapshot)` each: the gradient flow's "over time" panel. A request goes first.
The thread never touches a Qt object: it puts results on a queue, and a timer on the GUI thread delivers them as
signals while work is pending (the thread says when it goes idle), as `studio.training.document_prediction` does:
a signal emitted from a thread whose QObject was deleted meanwhile crashed there. `close()` stops the thread, waits
for it and closes the store.
"""

from __future__ import annotations

import queue
import threading
from pathlib import Path

from PySide6.QtCore import QObject, QThread, QTimer, Signal

# Threads started, kept here until a later start sees them ended: a dialog deleted without being closed (its
# Python object collected) must not take a running QThread with it (Qt aborts on that); its `destroyed` signal
# stops the thread instead.
_RUNNING: set[QThread] = set()
POLL_MS = 25  # how often the GUI thread looks for results, only while work is pending
CLOSE_WAIT_MS = 10_000  # a view takes milliseconds; the first also loads Numba's kernels (~1 s on a busy machine)


class _ScrubThread(QThread):
    """The thread: opens the run, then serves requests and fills the timeline until stopped."""

    def __init__(self, store_path: Path, run_id: int, results: queue.SimpleQueue):
        super().__init__()
        self.setObjectName("ScrubThread")
        self.store_path, self.run_id, self.results = store_path, run_id, results
        self.condition = threading.Condition()
        self.wanted: tuple[int, int] | None = None  # (epoch, request number): the newest request not started yet
        self.taken = 0  # the number of the newest request started
        self.stopping = False

    def request(self, epoch: int, number: int) -> None:
        with self.condition:
            self.wanted = (epoch, number)
            self.condition.notify()

    def stop(self) -> None:
        with self.condition:
            self.stopping = True
            self.condition.notify()

    def run(self) -> None:  # noqa: D102 - QThread's entry point
        from core.scrub import ScrubError, ScrubRun

        try:
            scrub = ScrubRun.open(self.store_path, self.run_id)
        except ScrubError as error:
            self.results.put(("failed", str(error)))
            return
        except Exception as error:  # noqa: BLE001 - whatever failed is told in the dialog, never a crash
            self.results.put(("failed", f"{type(error).__name__}: {error}"))
            return
        try:
            self.results.put(("opened", scrub))
            self._serve(scrub, ScrubError)
        finally:
            scrub.close()

    def _serve(self, scrub, scrub_error: type) -> None:
        pending_timeline = [point.epoch for point in scrub.timeline]
        while True:
            with self.condition:
                if not self.stopping and self.wanted is None and not pending_timeline:
                    self.results.put(("idle", self.taken))  # the GUI may stop polling until its next request
                while not self.stopping and self.wanted is None and not pending_timeline:
                    self.condition.wait()
                if self.stopping:
                    return
                wanted, self.wanted = self.wanted, None
                epoch = None
                if wanted is not None:
                    epoch, self.taken = wanted
            try:
                if epoch is not None:
                    self.results.put(("view", scrub.view(epoch)))
                else:
                    self.results.put(("timeline", scrub.gradient_snapshot(pending_timeline.pop(0))))
            except scrub_error as error:
                if epoch is None:
                    pending_timeline.clear()  # a damaged checkpoint: the timeline stops there, the views go on
                self.results.put(("view failed", (epoch, str(error))))
            except Exception as error:  # noqa: BLE001
                pending_timeline.clear()
                self.results.put(("view failed", (epoch, f"{type(error).__name__}: {error}")))


class ScrubLoader(QObject):
    opened = Signal(object)  # the core.scrub.ScrubRun (read its timeline, names and limits; never call it)
    failed = Signal(str)  # the run can't be scrubbed: one line
    view_ready = Signal(object)  # a core.scrub.CheckpointView
    view_failed = Signal(object, str)  # the epoch (None: the timeline pass) and one line
    timeline_ready = Signal(object)  # a core.training.Snapshot of one timeline point's gradient figures

    def __init__(self, store_path: Path, run_id: int, parent: QObject | None = None):
        super().__init__(parent)
        self._results: queue.SimpleQueue = queue.SimpleQueue()
        self._thread = _ScrubThread(Path(store_path), int(run_id), self._results)
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self._deliver)
        self.requested: int | None = None  # the newest epoch asked for
        self._request_number = 0
        self.closed = False

    def start(self) -> None:
        thread = self._thread
        # Ended threads are dropped here, on the GUI thread (dropped from `finished`, the last reference could go
        # on the thread itself while it still runs).
        _RUNNING.difference_update([ended for ended in _RUNNING if ended.isFinished()])
        _RUNNING.add(thread)
        self.destroyed.connect(thread.stop)  # deleted without close(): the thread still ends (and closes the store)
        thread.start()
        self._poll.start()

    def request(self, epoch: int) -> None:
        """Compute the view at `epoch` next (a newer request before it starts replaces it)."""
        self.requested = epoch
        self._request_number += 1
        self._thread.request(epoch, self._request_number)
        self._poll.start()

    def close(self) -> None:
        """Stop the thread and wait for it (its current view, milliseconds); the store is closed by then."""
        if self.closed:
            return
        self.closed = True
        self._poll.stop()
        self._thread.stop()
        self._thread.wait(CLOSE_WAIT_MS)  # past it (a first, slow computation), it stops after it by itself

    def _deliver(self) -> None:
        while True:
            try:
                kind, payload = self._results.get_nowait()
            except queue.Empty:
                break
            if kind == "opened":
                self.opened.emit(payload)
            elif kind == "failed":
                self.failed.emit(payload)
            elif kind == "view":
                self.view_ready.emit(payload)
            elif kind == "timeline":
                self.timeline_ready.emit(payload)
            elif kind == "idle":
                if payload == self._request_number:  # every request answered, the timeline done: nothing pending
                    self._poll.stop()
            else:
                self.view_failed.emit(*payload)
        if not self._thread.isRunning() and self._results.empty():
            self._poll.stop()
