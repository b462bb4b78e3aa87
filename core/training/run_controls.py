"""`RunControls`: what another thread may ask of a running Trainer, kept until the run takes it between batches.

Requests (stop, checked live changes, histograms on the next snapshot) go in under a lock from any thread; the
training loop takes them out at its own pace, so a request never lands in the middle of a batch.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any


class RunControls:
    """A thread-safe mailbox of requests for one Trainer."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._live: dict[str, Any] = {}  # spec path → value, already checked
        self._stop = False
        self._histograms = False

    # --- any thread -------------------------------------------------------------------------------------------
    def request_stop(self) -> None:
        with self._lock:
            self._stop = True

    def request_live(self, checked: Mapping[str, Any]) -> None:
        """Queue live changes already checked against the run's spec; a later value for a path wins."""
        with self._lock:
            self._live.update(checked)

    def request_histograms(self) -> None:
        with self._lock:
            self._histograms = True

    @property
    def pending_live(self) -> dict[str, Any]:
        """A copy of the live changes not yet taken."""
        with self._lock:
            return dict(self._live)

    # --- the training loop ------------------------------------------------------------------------------------
    def take(self) -> tuple[dict[str, Any], bool]:
        """(live changes to apply, whether a stop was requested); both start over."""
        with self._lock:
            live, self._live = self._live, {}
            stop, self._stop = self._stop, False
        return live, stop

    def take_histogram_request(self) -> bool:
        with self._lock:
            requested, self._histograms = self._histograms, False
        return requested

    def forget_stop(self) -> None:
        """A stop that came too late to matter must not end the next run at once."""
        with self._lock:
            self._stop = False
