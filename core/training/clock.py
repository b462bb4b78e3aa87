"""A stopwatch that counts only running time: the Trainer pauses it at every yield, so time the caller spends
away (a paused run, a slow consumer) never shows up in elapsed seconds or samples per second."""

from __future__ import annotations

import time


class RunClock:
    def __init__(self, elapsed: float = 0.0):
        self.elapsed = elapsed
        self._started: float | None = None

    def resume(self) -> None:
        if self._started is None:
            self._started = time.perf_counter()

    def pause(self) -> float:
        """Stop counting; return the total running seconds so far."""
        if self._started is not None:
            self.elapsed += time.perf_counter() - self._started
            self._started = None
        return self.elapsed

    def read(self) -> float:
        running = 0.0 if self._started is None else time.perf_counter() - self._started
        return self.elapsed + running
