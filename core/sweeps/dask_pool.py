"""The workers as tasks on a Dask distributed cluster: `--dask tcp://SCHEDULER:8786`.

Optuna's Dask pattern: every task runs `study.optimize` against one storage the workers can all reach. Optuna
5.1 keeps `DaskStorage` (a storage served by the scheduler) in the separate optuna-integration package, which is
not a dependency here; so the study's own storage is shared instead: a database URL (PostgreSQL, MySQL) for a
real cluster, or the journal file when the workers share this file system (a LocalCluster, a network share).
The project file must be readable at the same path on the workers.

Stopping: a `distributed.Event` named after the study, which each task polls (the tasks can't see this process's
memory). Tasks are submitted with `pure=False`, so two identical jobs are never merged into one.
"""

from __future__ import annotations

import uuid
from typing import Any

from core.sweeps.errors import SweepError
from core.sweeps.pools import FuturesPool
from core.sweeps.work import WorkerJob, work_on_study

CONNECT_TIMEOUT_SECONDS = 10


def _client(address: str) -> Any:
    try:
        from distributed import Client
    except ImportError:
        raise SweepError("--dask needs Dask: pip install 'backprop-studio[cluster]' (dask[distributed])") from None
    try:
        return Client(address, timeout=CONNECT_TIMEOUT_SECONDS)
    except (OSError, TimeoutError, ValueError) as error:
        raise SweepError(f"dask scheduler {address}: can't connect: {error}") from None


def cluster_workers(address: str) -> int:
    """How many workers the cluster at `address` has (at least 1)."""
    client = _client(address)
    try:
        return max(1, len(client.scheduler_info().get("workers", {})))
    finally:
        client.close()


def _run_on_worker(job: WorkerJob, event_name: str) -> int:
    from distributed import Event
    stop = Event(event_name)
    return work_on_study(job, stop.is_set)


class DaskPool(FuturesPool):
    def __init__(self, address: str, jobs: list[WorkerJob]):
        from distributed import Event
        self._client = _client(address)
        self._event_name = f"backprop-studio-sweep-stop-{uuid.uuid4().hex}"
        self._stop = Event(self._event_name, client=self._client)
        self._futures = [self._client.submit(_run_on_worker, job, self._event_name, pure=False) for job in jobs]

    def result(self) -> None:
        try:
            self._client.gather(self._futures)
        finally:
            self._client.close()
