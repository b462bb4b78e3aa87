"""What a sweep is and what it gives back: plain frozen data shared by the CLI, the studio's Sweep dialog and tests.

- `SweepPlan`: what to search (a project, its search space `ParamRange`s, a sampler, how many trials, where).
- `TrialResult`: one Optuna trial as the studio shows it (its parameters by dotted spec path, its objective,
  its per-epoch curve, its run in the run store).
- `SweepOutcome`: a whole study after `run_sweep` (or read back with `load_trials`).

The functions that make and read them (`run_sweep`, `load_trials`, `importance`, `default_storage`,
`default_study_name`) are exported by `core.sweeps`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.sweeps.space import ParamRange

SAMPLERS = ("grid", "random", "tpe")
OBJECTIVES = ("val_loss", "val_metric", "test")  # val_loss is minimised; val_metric and test are maximised
TRIAL_STATES = ("running", "complete", "pruned", "failed")


@dataclass(frozen=True)
class SweepPlan:
    """A sweep over `params` of the project at `project`.

    `workers`: parallel trial processes on this machine (0: one per core); ignored with `dask`.
    `storage`: any Optuna storage URL (sqlite:///…, postgresql://…, mysql://…) or a journal file path ending in
    `.journal`/`.log`; None: the journal file beside the project (`default_storage`).
    `study_name`: None: `default_study_name(project)`. The same name continues an existing study (resume).
    `epochs`: None keeps the project's `training.epochs`.
    `dask`: a Dask scheduler address (tcp://host:8786): trials run on that cluster instead of local processes.
    `prune`: stop hopeless trials early (Optuna's MedianPruner on the per-epoch objective).
    `seed`: the sampler's seed (the trials' own training seed is the project's `training.seed`).
    """

    project: Path
    params: tuple[ParamRange, ...]
    sampler: str = "tpe"
    trials: int = 20
    workers: int = 0
    storage: str | None = None
    study_name: str | None = None
    objective: str = "val_loss"
    epochs: int | None = None
    dask: str | None = None
    prune: bool = True
    seed: int = 0


@dataclass(frozen=True)
class TrialResult:
    """One trial. `params`: {dotted spec path: value} (a `layers[*].…` path stays one parameter). `value`: the
    objective (None unless complete). `state`: "running" | "complete" | "pruned" | "failed". `curve`: the objective
    after each epoch (Optuna's intermediate values, in epoch order). `run_id`: its run in the run store (None if it
    was not recorded). `seconds`: wall time from start to end (None while running). `error`: why it failed (None otherwise)."""

    number: int
    params: dict[str, Any]
    value: float | None
    state: str
    curve: tuple[float, ...] = ()
    run_id: int | None = None
    seconds: float | None = None
    error: str | None = None  # why a failed trial failed (one line)


@dataclass(frozen=True)
class SweepOutcome:
    """A study: its name and storage URL, every trial (by number), the best trial's params and value (None when
    no trial completed), and whether the sweep was stopped before its trials were done."""

    study_name: str
    storage: str
    trials: tuple[TrialResult, ...]
    best_params: dict[str, Any] | None
    best_value: float | None
    stopped: bool = False
