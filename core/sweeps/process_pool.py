"""K worker processes on this machine, each running `work_on_study` on the same storage.

Spawned, not forked: a fork would copy this process's Numba and BLAS thread pools in whatever state they are in.
A spawned worker imports the engine afresh; the Numba kernels come from the on-disk cache, so it starts in about
a second. Workers ignore SIGINT: Ctrl+C reaches the whole process group, and it is the parent that decides
(it sets the shared stop event, and every worker ends its trial after the current batch).
"""

from __future__ import annotations

import multiprocessing
import signal
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from core.sweeps.pools import FuturesPool, Tickets
from core.sweeps.work import WorkerJob, work_on_study

CONTEXT = multiprocessing.get_context("spawn")
_STOP: Any = None  # the pool's stop event, in each worker process
_TICKETS: Any = None  # and its shared count of trials still to start (pools.Tickets)


def _start_worker(stop_event: Any, tickets: Any) -> None:
    global _STOP, _TICKETS
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _STOP, _TICKETS = stop_event, tickets
    from threadpoolctl import threadpool_limits
    threadpool_limits(limits=1, user_api="blas")  # K workers on K cores: one BLAS thread each


def _run_job(job: WorkerJob) -> int:
    return work_on_study(job, _STOP.is_set, _TICKETS.take)


class ProcessPool(FuturesPool):
    """`jobs` in spawned processes (CONTEXT) that share `tickets` (made with CONTEXT too)."""

    def __init__(self, jobs: list[WorkerJob], tickets: Tickets):
        self._stop = CONTEXT.Event()
        self._executor = ProcessPoolExecutor(max_workers=len(jobs), mp_context=CONTEXT,
                                             initializer=_start_worker, initargs=(self._stop, tickets))
        self._futures = [self._executor.submit(_run_job, job) for job in jobs]

    def result(self) -> None:
        """Wait for every worker; the first worker's error, if any, is raised here."""
        try:
            for future in self._futures:
                future.result()
        finally:
            self._executor.shutdown(wait=True)
