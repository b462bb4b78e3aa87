"""One worker's share of a study: load the study and its settings, then run trials with Optuna's `optimize`.

This is the same code wherever a worker runs: a thread of `run_sweep`, a process of its local pool, a task on a
Dask cluster, or `backprop-studio-cli sweep-worker` on another machine (Optuna's many-workers pattern: every
worker opens the same storage, and the storage hands out trial numbers, so none is lost or duplicated).

A worker runs exactly `trials` trials (the caller splits the study's remaining trials between its workers, so K
workers never overshoot the target), or one trial per ticket of a counter shared by a local pool, or, with
`trials=None`, goes on until the study holds its target of done trials. It stops early when `should_stop()` turns true, or when the grid sampler has tried every point.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from core.sweeps.study import SweepSettings, is_done, load_study

MEDIAN_PRUNER_STARTUP_TRIALS = 5  # Optuna's default: no pruning until 5 trials have finished
MEDIAN_PRUNER_WARMUP_FRACTION = 0.2  # nor in a trial's first fifth of its epochs, whose figures are noisy


@dataclass(frozen=True)
class WorkerJob:
    """What a worker needs (plain data: it crosses process and machine boundaries by pickling)."""

    project: str  # the project file's path, as the worker's machine sees it
    storage: str
    study_name: str
    trials: int | None  # None: until the study holds its target
    worker_index: int = 0
    record: bool = True  # record each trial in the project's run store
    tag: str = ""  # written into each trial this worker runs (user attribute "worker"), so it can find its own


def make_sampler(settings: SweepSettings, seed: int) -> Any:
    import optuna
    from core.sweeps.space import grid_values
    if settings.sampler == "grid":
        return optuna.samplers.GridSampler({p.path: grid_values(p) for p in settings.params}, seed=seed)
    if settings.sampler == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    # constant_liar: a running trial counts as a poor result, so parallel workers don't all sample one spot
    return optuna.samplers.TPESampler(seed=seed, constant_liar=True)


def make_pruner(settings: SweepSettings, epochs: int) -> Any:
    import optuna
    if not settings.prune:
        return optuna.pruners.NopPruner()
    return optuna.pruners.MedianPruner(n_startup_trials=MEDIAN_PRUNER_STARTUP_TRIALS,
                                       n_warmup_steps=int(epochs * MEDIAN_PRUNER_WARMUP_FRACTION))


def work_on_study(job: WorkerJob, should_stop: Callable[[], bool] | None = None,
                  take_ticket: Callable[[], bool] | None = None) -> int:
    """Run this worker's trials; the number it ran. With `take_ticket` (the local pools), the worker runs a trial
    for each ticket it gets from a counter its pool shares, until none is left, instead of `job.trials`: a worker
    that is up early takes the trials of one still starting, and K workers together still run exactly the
    missing trials."""
    import optuna
    from core.sweeps.objective import TrialFailed, TrialObjective
    should_stop = should_stop or (lambda: False)
    # ERROR: Optuna logs each failed trial with its traceback; a failed trial's reason is its "error" attribute
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    study, settings = load_study(job.storage, job.study_name)
    # Each worker its own sampler seed (two workers with one seed would propose the same values), shifted by
    # the trials already there, so a resumed sweep does not replay its first proposals.
    # A sweep-worker's tag is unique (host, process, random part): two of them never share a seed either.
    seed = (settings.seed * 1_000_003 + job.worker_index * 7919 + len(study.get_trials(deepcopy=False))
            + zlib.crc32(job.tag.encode())) % 2**32
    objective = TrialObjective(Path(job.project), settings, job.study_name, should_stop, job.record, job.tag)
    epochs = int(objective.spec["training"]["epochs"])
    study.sampler, study.pruner = make_sampler(settings, seed), make_pruner(settings, epochs)
    ran = 0

    def after_trial(study: Any, trial: Any) -> None:
        nonlocal ran
        ran += 1
        done = sum(1 for t in study.get_trials(deepcopy=False) if is_done(t))
        if should_stop() or (job.trials is None and done >= settings.trials):
            study.stop()

    if job.trials is None and sum(1 for t in study.get_trials(deepcopy=False) if is_done(t)) >= settings.trials:
        return 0
    if should_stop():
        return 0
    if take_ticket is None:
        study.optimize(objective, n_trials=job.trials, catch=(TrialFailed,), callbacks=[after_trial],
                       gc_after_trial=False)
    else:
        while not should_stop() and take_ticket():
            study.optimize(objective, n_trials=1, catch=(TrialFailed,), gc_after_trial=False)
            ran += 1
    return ran
