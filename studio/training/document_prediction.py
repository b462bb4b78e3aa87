"""`DocumentPredictor`: ONE grid prediction from the document's own weights, off the GUI thread.

A project opened with trained weights (or an undone/redone edge-weight edit) has had no run, so no worker sent a
`GridPrediction`: the decision boundary, the neuron maps and the builder's thumbnails would stay empty. The
training controller asks this object for one prediction and relays it as an ordinary `WorkerUpdate`, so the plots
draw it through the same path as a run's.

Why a thread: the forward pass of a 2-8-8-2 network over the 64×64 grid is ~1 ms of arithmetic, but the first
one in a process loads the Numba kernels from the disk cache (0.4–1.2 s measured on the 2-core CI machine) and a
later one still took 5–19 ms there with other jobs running: over the 5 ms a GUI-thread call may cost. The thread
builds its own `Network` (nothing shared with the GUI but read-only arrays) and is a daemon, so quitting never
waits for it. A newer request or `cancel()` makes an older result stale; the controller drops stale results.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, Signal

from studio.training.grid_prediction import GridPrediction, GridPredictor, GridSpec


class DocumentPredictor(QObject):
    ready = Signal(object, int)  # the GridPrediction, the number of the request it answers (main thread)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.request_number = 0  # the newest request; results of older ones are stale
        self.last_error: str | None = None  # why the newest request gave no prediction (None: it did, or pending)
        self._lock = threading.Lock()

    def request(self, spec: dict[str, Any], weights: dict[str, np.ndarray], grid: GridSpec,
                preprocess: Callable[[np.ndarray], np.ndarray], step: int) -> int:
        """Predict over `grid` with a network of `spec` holding `weights`, on a thread; `ready` follows (unless a
        newer request or `cancel()` came first). The arguments must not change afterwards (the document's are
        replaced, never written in place)."""
        with self._lock:
            self.request_number += 1
            number = self.request_number
        self.last_error = None
        thread = threading.Thread(target=self._predict, args=(number, spec, weights, grid, preprocess, step),
                                  name="DocumentPrediction", daemon=True)
        thread.start()
        return number

    def cancel(self) -> None:
        """Make every pending result stale (the weights changed again, or a run started)."""
        with self._lock:
            self.request_number += 1

    def is_current(self, number: int) -> bool:
        with self._lock:
            return number == self.request_number

    def _predict(self, number: int, spec: dict[str, Any], weights: dict[str, np.ndarray], grid: GridSpec,
                 preprocess: Callable[[np.ndarray], np.ndarray], step: int) -> None:
        try:
            prediction = predict_with_weights(spec, weights, grid, preprocess, step)
        except Exception as error:  # noqa: BLE001 - a failed preview leaves the plots empty, never crashes
            if self.is_current(number):
                self.last_error = f"{type(error).__name__}: {error}"
            return
        if not self.is_current(number):
            return
        try:
            self.ready.emit(prediction, number)  # queued to the GUI thread (this object lives there)
        except RuntimeError:  # the predictor was deleted meanwhile (the window closed)
            pass


def predict_with_weights(spec: dict[str, Any], weights: dict[str, np.ndarray], grid: GridSpec,
                         preprocess: Callable[[np.ndarray], np.ndarray], step: int) -> GridPrediction:
    """The grid prediction of a network of `spec` with `weights` (any thread; nothing shared is written)."""
    from core.network import Network

    network = Network.from_spec(spec)
    network.set_state(weights)
    return GridPredictor(grid, preprocess).predict(network, step)
