"""The pools of workers `run_sweep` drives, all with one interface: `running()`, `stop()`, `result()` (wait; the
first worker's error is raised there). A thread of this process (`ThreadPool`), spawned processes
(`process_pool.ProcessPool`), Dask tasks (`dask_pool.DaskPool`), or several of them as one (`PoolGroup`)."""

from __future__ import annotations

import threading
from typing import Any

from core.sweeps.work import WorkerJob, work_on_study


class Tickets:
    """A count of trials still to start, shared by a local pool's thread and processes (a multiprocessing Value:
    handed to the processes when they are spawned). `take()` is True while one was left, and takes it."""

    def __init__(self, count: int, context: Any):
        self._left = context.Value("i", count)

    def take(self) -> bool:
        with self._left.get_lock():
            if self._left.value <= 0:
                return False
            self._left.value -= 1
            return True


class FuturesPool:
    """A pool whose workers are futures (concurrent.futures or Dask) and whose stop is an event they poll."""

    _futures: list[Any]
    _stop: Any

    def running(self) -> bool:
        return not all(future.done() for future in self._futures)

    def stop(self) -> None:
        self._stop.set()


class ThreadPool:
    """One worker on a thread of this process; the same interface as the process and Dask pools."""

    def __init__(self, job: WorkerJob, tickets: Tickets | None = None):
        self._stop = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._work, args=(job, tickets), name="SweepWorker", daemon=True)
        self._thread.start()

    def _work(self, job: WorkerJob, tickets: Tickets | None) -> None:
        try:
            work_on_study(job, self._stop.is_set, tickets.take if tickets is not None else None)
        except BaseException as error:  # handed to the caller's thread by `result`
            self._error = error

    def running(self) -> bool:
        return self._thread.is_alive()

    def stop(self) -> None:
        self._stop.set()

    def result(self) -> None:
        self._thread.join()
        if self._error is not None:
            raise self._error


class PoolGroup:
    """Several pools acting as one."""

    def __init__(self, *pools: Any):
        self._pools = pools

    def running(self) -> bool:
        return any(pool.running() for pool in self._pools)

    def stop(self) -> None:
        for pool in self._pools:
            pool.stop()

    def result(self) -> None:
        errors = []
        for pool in self._pools:
            try:
                pool.result()
            except BaseException as error:  # every pool is waited for; the first error is raised
                errors.append(error)
        if errors:
            raise errors[0]
