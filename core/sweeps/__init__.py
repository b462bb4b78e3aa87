"""Hyper-parameter sweeps with Optuna: a search space over dotted spec paths, trials trained by the Trainer.

Optuna is the engine (study, samplers, MedianPruner, storage); this package only says what a trial is (the
project's spec with the trial's values, trained and scored) and where trials run: a local process pool, other
machines through a shared storage (`sweep-worker`), or a Dask cluster.

    plan = SweepPlan(Path("digits.bps"), (parse_param("training.optimizer.lr=log:1e-4:1", spec),), trials=20)
    outcome = run_sweep(plan, on_trial=print)
    load_trials(outcome.storage, outcome.study_name); importance(outcome.storage, outcome.study_name)

Qt-free. Modules: `space` (ParamRange, parse_param), `records` (SweepPlan, TrialResult, SweepOutcome), `storage`
(default storage, opening URLs and journal files), `study` (a study with its settings, trials read back),
`runner` (run_sweep).
"""

from core.sweeps.errors import SweepError
from core.sweeps.records import OBJECTIVES, SAMPLERS, SweepOutcome, SweepPlan, TrialResult
from core.sweeps.runner import run_sweep
from core.sweeps.space import GRID_POINTS, ParamRange, check_range, grid_values, parse_param
from core.sweeps.storage import default_storage, default_study_name
from core.sweeps.study import STOPPED_ERROR, importance, load_study, load_trials

__all__ = [
    "GRID_POINTS", "OBJECTIVES", "SAMPLERS", "STOPPED_ERROR", "ParamRange", "SweepError", "SweepOutcome", "SweepPlan",
    "TrialResult", "check_range", "default_storage", "default_study_name", "grid_values", "importance", "load_study",
    "load_trials", "parse_param", "run_sweep",
]
