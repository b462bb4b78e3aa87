"""RunClock: counts training time only. Time outside the generator and Numba's kernel loading and compiling on
the training thread are left out; a compile on another thread is not ours to leave out. A fake time source
drives it, so no test here measures wall-clock time."""

from __future__ import annotations

import threading

import numba
from numba.core import event as numba_event

from core.training.clock import COMPILER_LOCK_EVENT, RunClock


class FakeTime:
    """A time source for RunClock: advances by `tick` seconds at each reading; tests move it further by hand."""

    def __init__(self, tick: float = 0.0):
        self.seconds, self.tick = 0.0, tick

    def __call__(self) -> float:
        self.seconds += self.tick
        return self.seconds


def hold_compiler_lock(now: FakeTime, seconds: float) -> None:
    """What Numba announces while it loads or compiles a kernel (nested, as its re-entrant lock can be)."""
    numba_event.start_event(COMPILER_LOCK_EVENT)
    numba_event.start_event(COMPILER_LOCK_EVENT)
    now.seconds += seconds
    numba_event.end_event(COMPILER_LOCK_EVENT)
    numba_event.end_event(COMPILER_LOCK_EVENT)


def test_pauses_and_compiles_are_left_out():
    now = FakeTime()
    clock = RunClock(now=now)
    clock.resume()
    now.seconds += 1.0  # training
    hold_compiler_lock(now, 14.0)  # a cold cache
    now.seconds += 1.0
    assert clock.pause() == 2.0 and clock.compile_seconds == 14.0
    now.seconds += 100.0  # the caller holds a snapshot
    clock.resume()
    now.seconds += 0.5
    assert clock.read() == 2.5
    clock.pause()


def test_a_compile_in_progress_is_left_out_of_a_reading():
    now = FakeTime()
    clock = RunClock(now=now)
    clock.resume()
    now.seconds += 1.0
    numba_event.start_event(COMPILER_LOCK_EVENT)
    now.seconds += 5.0
    assert clock.read() == 1.0
    numba_event.end_event(COMPILER_LOCK_EVENT)
    clock.pause()


def test_a_compile_on_another_thread_counts_as_running_time():
    now = FakeTime()
    clock = RunClock(now=now)
    clock.resume()
    other = threading.Thread(target=hold_compiler_lock, args=(now, 3.0))
    other.start()
    other.join()
    assert clock.pause() == 3.0 and clock.compile_seconds == 0.0


def test_the_listener_is_removed_on_pause():
    listeners = numba_event._registered[COMPILER_LOCK_EVENT]
    before = len(listeners)
    clock = RunClock(now=FakeTime())
    clock.resume()
    assert len(listeners) == before + 1
    clock.pause()
    assert len(listeners) == before


def test_numba_announces_a_real_compile():
    """Guards the event name against a Numba release that renames it: a fresh function compiles under the lock."""
    now = FakeTime(tick=1.0)
    clock = RunClock(now=now)
    clock.resume()
    numba.njit(lambda x: x + 1)(1)
    clock.pause()
    assert clock.compile_seconds >= 1.0
