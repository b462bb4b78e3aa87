"""Training speed: how fast a run may go, so that learning can be watched (a default run ends in under a second).

`SPEEDS` are the choices the toolbar offers, in epochs per second (None: as fast as the machine goes). A slow
speed paces the WORKER, never the GUI: `Pacer` spreads each epoch's batches evenly over 1/speed seconds and tells
the worker how long to wait after each snapshot (the batches trained since the previous one are its share). The
worker waits on its condition variable, so pause, stop and a new speed wake it at once. Time spent computing
counts towards the share: a stretch that already took longer is not waited for, and a late run does not race
afterwards to catch up.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Speed:
    label: str
    epochs_per_second: float | None  # None: maximum


SPEEDS: tuple[Speed, ...] = (
    Speed("Maximum speed", None),
    Speed("100 epochs/s", 100.0),
    Speed("30 epochs/s", 30.0),
    Speed("10 epochs/s", 10.0),
    Speed("3 epochs/s", 3.0),
    Speed("1 epoch/s", 1.0),
)
DEFAULT_SPEED = SPEEDS[0]


def speed_named(label: str | None) -> Speed:
    """The speed with this label (as stored in the settings); the default for anything unknown."""
    return next((speed for speed in SPEEDS if speed.label == label), DEFAULT_SPEED)


def check_rate(epochs_per_second: float | None) -> float | None:
    """A valid pace (a positive finite number of epochs a second) or None; ValueError otherwise."""
    if epochs_per_second is None:
        return None
    rate = float(epochs_per_second)
    if not math.isfinite(rate) or rate <= 0:
        raise ValueError(f"training speed must be a positive number of epochs per second, got {epochs_per_second!r}")
    return rate


class Pacer:
    """Says how long to wait after each batch so that epochs take 1/rate seconds each.

    `clock` is injectable so tests can count the pacing on a fake clock instead of measuring wall time.
    """

    def __init__(self, epochs_per_second: float | None = None, clock: Callable[[], float] = time.perf_counter):
        self.rate = check_rate(epochs_per_second)
        self.clock = clock
        self._due: float | None = None  # when the next batch may end
        self.paced_snapshots = 0  # snapshots after which the pace was computed (tests, benchmarks)

    @property
    def active(self) -> bool:
        return self.rate is not None

    def set_rate(self, epochs_per_second: float | None) -> None:
        self.rate = check_rate(epochs_per_second)
        self._due = None  # the new pace starts from now

    def restart(self) -> None:
        """Forget the schedule (after a pause or a step: the pace starts again from now, with no burst)."""
        self._due = None

    def seconds_to_wait(self, epochs_done: float) -> float:
        """Called after a snapshot, with the epochs (a fraction: batches / batches per epoch) trained since the
        previous call: the seconds to wait before training on (0 when free, when nothing was trained, or when
        already late)."""
        if self.rate is None or epochs_done <= 0:
            return 0.0
        share = epochs_done / self.rate
        now = self.clock()
        due = (now if self._due is None else self._due) + share
        if due < now:  # computing took longer than the share: no wait, and no catching up later
            due = now
        self._due = due
        self.paced_snapshots += 1
        return due - now
