"""A stopwatch that counts only training time: the Trainer pauses it at every yield, so time the caller spends
away (a paused run, a slow consumer) never shows up in elapsed seconds or samples per second. Nor does Numba's
one-off kernel loading or compiling: the first run in a process loads (or, on a cold cache, compiles) its kernels
when they are first called, which took 0.5 s warm and 14 s cold for a run that trains in 0.2 s, and made the
run's samples per second a figure about the cache rather than the training."""

from __future__ import annotations

import threading
import time
from typing import Callable

from numba.core import event as numba_event

# Numba holds this lock while it loads a kernel from its cache or compiles it, and announces it as an event.
COMPILER_LOCK_EVENT = "numba:compiler_lock"


class _CompileTimer(numba_event.Listener):
    """Adds up the time the owning thread spends holding Numba's compiler lock (nested holds count once).
    Other threads' compiles (say a warm-up in the background) are theirs, not this run's."""

    def __init__(self, now: Callable[[], float]):
        self._now = now
        self._thread = threading.get_ident()
        self._depth = 0
        self._started = 0.0
        self.total = 0.0

    def on_start(self, event) -> None:
        if threading.get_ident() != self._thread:
            return
        self._depth += 1
        if self._depth == 1:
            self._started = self._now()

    def on_end(self, event) -> None:
        if threading.get_ident() != self._thread or self._depth == 0:
            return
        self._depth -= 1
        if self._depth == 0:
            self.total += self._now() - self._started

    def so_far(self) -> float:
        """Compile time until now, counting a compile still in progress."""
        return self.total + (self._now() - self._started if self._depth else 0.0)


class RunClock:
    def __init__(self, elapsed: float = 0.0, now: Callable[[], float] = time.perf_counter):
        self.elapsed = elapsed
        self._now = now
        self.compile_seconds = 0.0  # kernel loading and compiling left out of `elapsed` (shown for the curious)
        self._started: float | None = None
        self._compiles: _CompileTimer | None = None

    def resume(self) -> None:
        if self._started is None:
            self._compiles = _CompileTimer(self._now)  # owned by the thread that runs the training
            numba_event.register(COMPILER_LOCK_EVENT, self._compiles)
            self._started = self._now()

    def pause(self) -> float:
        """Stop counting; return the total running seconds so far."""
        if self._started is not None:
            self.elapsed += self._running()
            self.compile_seconds += self._compiles.so_far()
            numba_event.unregister(COMPILER_LOCK_EVENT, self._compiles)
            self._started, self._compiles = None, None
        return self.elapsed

    def read(self) -> float:
        return self.elapsed + (0.0 if self._started is None else self._running())

    def _running(self) -> float:
        """Seconds since resume() without the kernel loading and compiling inside them."""
        return max(0.0, self._now() - self._started - self._compiles.so_far())
