"""`DocumentPredictor`: ONE grid prediction from the document's own weights, off the GUI thread.

A project opened with trained weights (or an undone/redone edge-weight edit) has had no run, so no worker sent a
`GridPrediction`: the decision boundary, the neuron maps and the builder's thumbnails would stay empty. The
training controller asks this object for one prediction and relays it as an ordinary `WorkerUpdate`, so the plots
draw it through the same path as a run's.

Why a thread: the forward pass of a 2-8-8-2 network over the 64×64 grid is ~1 ms of arithmetic, but the first
one in a process loads the Numba kernels from the disk cache (0.4–1.2 s measured on a shared 2-core machine) and a
later one still took 5–19 ms there with other jobs running: over the 5 ms a GUI-thread call may cost. The thread
builds its own `Network` (nothing shared with the GUI but read-only arrays), touches no Qt object, and is a
daemon, so quitting never waits for it. A newer request or `cancel()` makes an older result stale: dropped.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from core.network.grid_prediction import GridPrediction, GridPredictor, GridSpec

POLL_MS = 20  # how often the GUI thread looks for a finished prediction, only while one is pending


class DocumentPredictor(QObject):
    ready = Signal(object, int)  # the GridPrediction, the number of the request it answers (GUI thread)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.request_number = 0  # the newest request; results of older ones are stale
        self.last_error: str | None = None  # why the newest request gave no prediction (None: it did, or pending)
        # The thread never touches a Qt object: it puts its result here and the GUI thread polls while a
        # request is pending. (Emitting a signal from it crashed when its QObject was deleted meanwhile.)
        self._results: queue.SimpleQueue = queue.SimpleQueue()
        self._pending = 0
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self._deliver)

    def request(self, spec: dict[str, Any], weights: dict[str, np.ndarray], grid: GridSpec,
                preprocess: Callable[[np.ndarray], np.ndarray], step: int) -> int:
        """Predict over `grid` with a network of `spec` holding `weights`, on a thread; `ready` follows (unless a
        newer request or `cancel()` came first). The arguments must not change afterwards (the document's are
        replaced, never written in place)."""
        self.request_number += 1
        self.last_error = None
        self._pending += 1
        self._poll.start()
        threading.Thread(target=_predict_into, args=(self._results, self.request_number, spec, weights, grid,
                                                     preprocess, step),
                         name="DocumentPrediction", daemon=True).start()
        return self.request_number

    def cancel(self) -> None:
        """Make every pending result stale (the weights changed again, or a run started)."""
        self.request_number += 1

    def is_current(self, number: int) -> bool:
        return number == self.request_number

    def _deliver(self) -> None:
        while True:
            try:
                number, prediction, error = self._results.get_nowait()
            except queue.Empty:
                break
            self._pending -= 1
            if not self.is_current(number):
                continue
            if prediction is None:
                self.last_error = error
            else:
                self.ready.emit(prediction, number)
        if self._pending <= 0:
            self._poll.stop()


def _predict_into(results: queue.SimpleQueue, number: int, spec: dict[str, Any], weights: dict[str, np.ndarray],
                  grid: GridSpec, preprocess: Callable[[np.ndarray], np.ndarray], step: int) -> None:
    """The thread's work: (number, prediction, None), or (number, None, why) when it failed."""
    try:
        results.put((number, predict_with_weights(spec, weights, grid, preprocess, step), None))
    except Exception as error:  # noqa: BLE001 - a failed preview leaves the plots empty, never crashes
        results.put((number, None, f"{type(error).__name__}: {error}"))


def predict_with_weights(spec: dict[str, Any], weights: dict[str, np.ndarray], grid: GridSpec,
                         preprocess: Callable[[np.ndarray], np.ndarray], step: int) -> GridPrediction:
    """The grid prediction of a network of `spec` with `weights` (any thread; nothing shared is written)."""
    from core.network import Network

    network = Network.from_spec(spec)
    network.set_state(weights)
    return GridPredictor(grid, preprocess).predict(network, step)
