"""`run_sweep(plan)`: run a sweep to its trial target on local worker processes or a Dask cluster.

The study is created (or continued: the same study name resumes it) in the caller, with its settings written
into it; then the trials still missing are split between K workers, each running `work.work_on_study`:

- K = 1: one worker thread in this process (no process start-up; Numba kernels release the GIL);
- K > 1: that thread plus K-1 processes (spawned, not forked: a forked Numba/BLAS runtime is not safe), each
  opening the same storage, taking trials from one shared count until none is left;
- `plan.dask`: K tasks on the Dask cluster at that address (K = its worker count unless `plan.workers` is set);
  the storage must be reachable from the workers (an RDB URL, or a journal file on a shared file system).

Meanwhile the caller's thread polls the storage (`POLL_SECONDS`) and calls `on_trial` for every trial that
started, reported an epoch or ended: so `on_trial` runs on the CALLER's thread, whatever the workers are. The
same thread polls `should_stop`; when it turns true, or on Ctrl+C (KeyboardInterrupt), the workers stop their
trials after the current batch; finished trials stay in the study. After a stop, `run_sweep` returns an
outcome with `stopped=True`; after Ctrl+C it re-raises KeyboardInterrupt once the workers have stopped.
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from typing import Any, Callable

from core.sweeps.errors import SweepError
from core.sweeps.records import OBJECTIVES, SAMPLERS, SweepOutcome, SweepPlan, TrialResult
from core.sweeps.space import check_range, grid_points, grid_size
from core.sweeps.storage import default_storage, default_study_name
from core.sweeps.study import (
    WORKER_ATTR, SweepSettings, create_or_continue, is_done, listed_trials, load_study, trial_result,
)
from core.sweeps.pools import PoolGroup, ThreadPool, Tickets
from core.sweeps.work import WorkerJob

POLL_SECONDS = 0.25
MAX_TRIALS = 100_000
MAX_WORKERS = 256


def run_sweep(plan: SweepPlan, on_trial: Callable[[TrialResult], None] | None = None,
              should_stop: Callable[[], bool] | None = None) -> SweepOutcome:
    """Run `plan` until its study holds `plan.trials` done trials (complete, pruned or failed); blocking. See the
    module docstring for threads, stopping and resuming. SweepError (one line) for a plan that can't run."""
    settings = check_plan(plan)
    storage = plan.storage or default_storage(plan.project)
    study_name = plan.study_name or default_study_name(plan.project)
    study = create_or_continue(storage, study_name, settings)
    missing = settings.trials - sum(1 for trial in study.get_trials(deepcopy=False) if is_done(trial))
    if settings.sampler == "grid" and missing > 0:
        _queue_grid(study, settings, missing)
    stopped = False
    if missing > 0:
        jobs = _jobs(plan, storage, study_name, missing)
        with _one_blas_thread():
            pool = _pool(plan, jobs)
            stopped = _watch(study, pool, on_trial, should_stop or (lambda: False))
    return outcome_of(study, storage, stopped)


def run_worker(project: str, storage: str, study_name: str, trials: int | None = None,
               on_trial: Callable[[TrialResult], None] | None = None) -> SweepOutcome:
    """Work on an existing study from this process (`sweep-worker`: Optuna's many-machines pattern): `trials` of
    its trials, or (None) until the study holds its target. The trials run on a thread; this thread reports
    them to `on_trial` and turns Ctrl+C into a stop (the running trial is redone later), then re-raises it."""
    if trials is not None and not 1 <= trials <= MAX_TRIALS:
        raise SweepError(f"trials must be 1 to {MAX_TRIALS}, got {trials}")
    study, _ = load_study(storage, study_name)  # a missing or foreign study is an error before any work
    tag = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    job = WorkerJob(os.path.abspath(project), storage, study_name, trials, tag=tag)
    with _one_blas_thread():
        stopped = _watch(study, ThreadPool(job), on_trial, lambda: False, only=tag)
    return outcome_of(study, storage, stopped)


def check_plan(plan: SweepPlan) -> SweepSettings:
    """The plan's settings, its ranges checked against the project's spec; SweepError for a plan that can't run."""
    from core.project import ProjectError, load_project
    from core.spec import SpecError, with_changes
    if plan.sampler not in SAMPLERS:
        raise SweepError(f"sampler must be one of {', '.join(SAMPLERS)}, got {plan.sampler!r}")
    if plan.objective not in OBJECTIVES:
        raise SweepError(f"objective must be one of {', '.join(OBJECTIVES)}, got {plan.objective!r}")
    if not 1 <= plan.trials <= MAX_TRIALS:
        raise SweepError(f"trials must be 1 to {MAX_TRIALS}, got {plan.trials}")
    if not 0 <= plan.workers <= MAX_WORKERS:
        raise SweepError(f"workers must be 0 (one per core) to {MAX_WORKERS}, got {plan.workers}")
    if not plan.params:
        raise SweepError("a sweep needs at least one parameter to search (PATH=SPEC)")
    if len({param.path for param in plan.params}) != len(plan.params):
        raise SweepError("a parameter is listed twice; give each path one range")
    try:
        spec = load_project(plan.project).spec
        if plan.epochs is not None:
            spec = with_changes(spec, {"training.epochs": plan.epochs})
    except (ProjectError, SpecError, OSError) as error:
        raise SweepError(f"{plan.project}: {error}") from None
    params = tuple(check_range(param, spec) for param in plan.params)
    trials = min(plan.trials, grid_size(params)) if plan.sampler == "grid" else plan.trials  # a grid is finite
    return SweepSettings(params, plan.objective, plan.epochs, plan.prune, trials, plan.sampler, plan.seed)


def outcome_of(study: Any, storage: str, stopped: bool) -> SweepOutcome:
    trials = tuple(trial_result(trial) for trial in listed_trials(study))
    complete = [trial for trial in trials if trial.state == "complete"]
    best = None
    if complete:
        pick = min if study.direction.name == "MINIMIZE" else max
        best = pick(complete, key=lambda trial: trial.value)
    return SweepOutcome(study.study_name, storage, trials, dict(best.params) if best else None,
                        best.value if best else None, stopped)


def default_workers() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows
        return max(1, os.cpu_count() or 1)


# --- internals ----------------------------------------------------------------------------------------------------
def _one_blas_thread() -> Any:
    """BLAS held to one thread in this process while its worker thread trains (the worker processes do the
    same): K workers on K cores. Otherwise the in-process worker's evaluation matmuls spread over every core and
    crowd the other workers (measured: one worker alone used 1.03 cores)."""
    from threadpoolctl import threadpool_limits
    return threadpool_limits(limits=1, user_api="blas")


def _queue_grid(study: Any, settings: SweepSettings, missing: int) -> None:
    """Queue the grid points still to try as waiting trials. Workers take waiting trials one at a time (the
    storage hands each to exactly one), so parallel workers never try a point twice, as Optuna's GridSampler alone
    may when two workers ask at once. Points already tried or queued (a resumed sweep) are skipped."""
    from optuna.trial import TrialState
    trials = study.get_trials(deepcopy=False)
    waiting = [trial for trial in trials if trial.state == TrialState.WAITING]
    tried = {_point_key(trial.params) for trial in trials if is_done(trial)}
    tried |= {_point_key(trial.system_attrs.get("fixed_params", {})) for trial in waiting}
    queued = len(waiting)
    for point in grid_points(settings.params, settings.trials + len(tried), settings.seed):
        if queued >= missing:
            break
        if _point_key(point) not in tried:
            study.enqueue_trial(point)
            queued += 1


def _point_key(params: dict[str, Any]) -> tuple:
    return tuple(sorted((path, repr(value)) for path, value in params.items()))


def _jobs(plan: SweepPlan, storage: str, study_name: str, missing: int) -> list[WorkerJob]:
    """The missing trials split between the workers (the first ones take one more when it doesn't divide)."""
    if plan.dask:
        from core.sweeps.dask_pool import cluster_workers
        workers = plan.workers or cluster_workers(plan.dask)
    else:
        workers = plan.workers or default_workers()
    workers = max(1, min(workers, missing))
    share, extra = divmod(missing, workers)
    project = os.path.abspath(plan.project)
    if "://" not in storage:
        storage = os.path.abspath(storage)  # the workers may start elsewhere
    prefix = f"{socket.gethostname()}:{os.getpid()}"  # each trial says which worker ran it (user attribute)
    return [WorkerJob(project, storage, study_name, share + (index < extra), index, tag=f"{prefix}:{index}")
            for index in range(workers)]


def _pool(plan: SweepPlan, jobs: list[WorkerJob]) -> Any:
    if plan.dask:
        from core.sweeps.dask_pool import DaskPool
        return DaskPool(plan.dask, jobs)
    if len(jobs) == 1:
        return ThreadPool(jobs[0])
    from core.sweeps.process_pool import CONTEXT, ProcessPool
    # This process is one of the K workers (a thread): it is warm, so it trains while the K-1 processes start
    # (a spawned worker takes a few seconds to import the engine and load its data on a busy machine), and
    # the workers share the count of trials to run, so the first up take the trials of those still starting.
    tickets = Tickets(sum(job.trials for job in jobs), CONTEXT)
    return PoolGroup(ThreadPool(jobs[0], tickets), ProcessPool(jobs[1:], tickets))


def _watch(study: Any, pool: Any, on_trial: Callable[[TrialResult], None] | None,
           should_stop: Callable[[], bool], only: str | None = None) -> bool:
    """Poll the study for `on_trial` (only the trials of the worker tagged `only`, if given) and `should_stop`
    until the pool is done; whether it was stopped."""
    seen: dict[int, TrialResult] = {}
    stopped, interrupted = False, False
    while True:
        try:
            running = pool.running()
            if on_trial is not None:
                _report_changes(study, seen, on_trial, only)
            if not running:
                break
            if not stopped and should_stop():
                stopped = True
                pool.stop()
            time.sleep(POLL_SECONDS)
        except KeyboardInterrupt:
            stopped = interrupted = True
            pool.stop()
    pool.result()
    if interrupted:
        raise KeyboardInterrupt
    return stopped


def _report_changes(study: Any, seen: dict[int, TrialResult], on_trial: Callable[[TrialResult], None],
                    only: str | None) -> None:
    for trial in listed_trials(study):
        if only is not None and trial.user_attrs.get(WORKER_ATTR) != only:
            continue
        result = trial_result(trial)
        if seen.get(result.number) != result:
            seen[result.number] = result
            on_trial(result)
