"""A sweep's Optuna study: created with its plan written into it, reopened by name, read back as TrialResults.

The study carries what a worker needs to run its trials (`SweepSettings` as JSON in the study's user
attributes): the search space, the objective, the epochs, pruning and the trial target. So `sweep-worker` needs
only the storage and the study name, on any machine, and a resumed sweep keeps its space. Reopening a study with
a different space or objective is refused (a mixed study would rank trials that answered different questions).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from core.sweeps.errors import SweepError
from core.sweeps.records import OBJECTIVES, SAMPLERS, TrialResult
from core.sweeps.space import ParamRange
from core.sweeps.storage import open_storage

SETTINGS_ATTR = "backprop_studio_sweep"  # the study's user attribute holding its SweepSettings
RUN_ID_ATTR = "run_id"  # a trial's user attribute: its run in the project's run store
SECONDS_ATTR = "seconds"  # a trial's training time
INTERRUPTED_ATTR = "interrupted"  # a trial cut short by a stop: failed, and not counted as done
ERROR_ATTR = "error"  # why a trial failed (one line)
STOPPED_ERROR = "stopped before the end; a resumed sweep runs it again"  # the error of an interrupted trial
WORKER_ATTR = "worker"  # which worker ran a trial (sweep-worker: host, process and a random part)
SETTINGS_VERSION = 1
MAX_SETTINGS_CHARS = 200_000


@dataclass(frozen=True)
class SweepSettings:
    """What every worker of one study must agree on."""

    params: tuple[ParamRange, ...]
    objective: str
    epochs: int | None
    prune: bool
    trials: int  # the number of done trials (complete, pruned or failed) the study aims at
    sampler: str = "tpe"
    seed: int = 0  # the samplers' seed (each worker shifts it)

    @property
    def direction(self) -> str:
        return "minimize" if self.objective == "val_loss" else "maximize"

    def to_json(self) -> str:
        return json.dumps({"version": SETTINGS_VERSION, "objective": self.objective, "epochs": self.epochs,
                           "prune": self.prune, "trials": self.trials,
                           "sampler": self.sampler, "seed": self.seed,
                           "params": [{"path": p.path, "kind": p.kind, "low": p.low, "high": p.high,
                                       "choices": list(p.choices)} for p in self.params]})

    @classmethod
    def from_json(cls, text: Any, study_name: str) -> SweepSettings:
        """Settings read back from a study (untrusted: any storage may hold anything); SweepError if malformed."""
        where = f"study {study_name}"
        if not isinstance(text, str) or len(text) > MAX_SETTINGS_CHARS:
            raise SweepError(f"{where}: was not made by backprop-studio-cli sweep (no sweep settings)")
        try:
            data = json.loads(text)
            if data.get("version") != SETTINGS_VERSION:
                raise SweepError(f"{where}: sweep settings of version {data.get('version')!r}; this program reads "
                                 f"version {SETTINGS_VERSION}")
            params = tuple(ParamRange(str(p["path"]), str(p["kind"]), p["low"], p["high"], tuple(p["choices"]))
                           for p in data["params"])
            epochs = None if data["epochs"] is None else int(data["epochs"])
            settings = cls(params, str(data["objective"]), epochs, bool(data["prune"]), int(data["trials"]),
                           str(data.get("sampler", "tpe")), int(data.get("seed", 0)))
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise SweepError(f"{where}: its sweep settings are malformed ({error})") from None
        if settings.objective not in OBJECTIVES or settings.sampler not in SAMPLERS or not settings.params:
            raise SweepError(f"{where}: its sweep settings are malformed")
        return settings


def create_or_continue(storage: str, study_name: str, settings: SweepSettings, sampler: Any = None,
                       pruner: Any = None) -> Any:
    """The study `study_name` in `storage`: new with `settings`, or the existing one if it has the same settings
    (its trial target raised to `settings.trials`); SweepError when an existing study searches something else."""
    import optuna
    optuna.logging.set_verbosity(optuna.logging.WARNING)  # not a line per trial on stderr: on_trial reports
    store = open_storage(storage)
    study = optuna.create_study(storage=store, study_name=study_name, direction=settings.direction,
                                sampler=sampler, pruner=pruner, load_if_exists=True)
    existing = study.user_attrs.get(SETTINGS_ATTR)
    if existing is None:
        study.set_user_attr(SETTINGS_ATTR, settings.to_json())
        return study
    old = SweepSettings.from_json(existing, study_name)
    if (old.params, old.objective, old.epochs) != (settings.params, settings.objective, settings.epochs):
        raise SweepError(f"study {study_name} in {storage} already searches another space or objective "
                         f"({', '.join(p.path + '=' + p.describe() for p in old.params)}; {old.objective}); give "
                         f"the sweep another study name (--study NAME)")
    if (old.trials, old.prune, old.sampler, old.seed) != (settings.trials, settings.prune, settings.sampler,
                                                          settings.seed):
        study.set_user_attr(SETTINGS_ATTR, settings.to_json())
    return study


def load_study(storage: str, study_name: str, sampler: Any = None, pruner: Any = None) -> tuple[Any, SweepSettings]:
    """An existing sweep study and its settings; SweepError when there is none of that name."""
    import optuna
    store = open_storage(storage)
    try:
        study = optuna.load_study(study_name=study_name, storage=store, sampler=sampler, pruner=pruner)
    except KeyError:
        names = ", ".join(s.study_name for s in optuna.get_all_study_summaries(store, include_best_trial=False))
        raise SweepError(f"storage {storage}: has no study named {study_name!r} (it has: {names or 'none'})") from None
    return study, SweepSettings.from_json(study.user_attrs.get(SETTINGS_ATTR), study_name)


def trial_result(trial: Any) -> TrialResult:
    """A FrozenTrial as the studio and the CLI show it."""
    from optuna.trial import TrialState
    state = {TrialState.RUNNING: "running", TrialState.WAITING: "running", TrialState.COMPLETE: "complete",
             TrialState.PRUNED: "pruned"}.get(trial.state, "failed")
    curve = tuple(float(trial.intermediate_values[step]) for step in sorted(trial.intermediate_values))
    run_id = trial.user_attrs.get(RUN_ID_ATTR)
    seconds = trial.duration.total_seconds() if trial.duration is not None else None
    value = float(trial.value) if state == "complete" and trial.value is not None else None
    error = trial.user_attrs.get(ERROR_ATTR) if state == "failed" else None
    return TrialResult(trial.number, dict(trial.params), value, state, curve,
                       int(run_id) if isinstance(run_id, int) else None, seconds,
                       str(error)[:500] if error is not None else None)


def listed_trials(study: Any) -> list[Any]:
    """The study's trials that have started (a grid point queued for later is not a trial yet), by number."""
    from optuna.trial import TrialState
    return study.get_trials(deepcopy=False, states=(TrialState.RUNNING, TrialState.COMPLETE, TrialState.PRUNED,
                                                     TrialState.FAIL))


def is_done(trial: Any) -> bool:
    """Whether a trial counts toward the study's target: ended, and not cut short by a stop (those are redone)."""
    return trial.state.is_finished() and not trial.user_attrs.get(INTERRUPTED_ATTR, False)


def load_trials(storage: str, study_name: str) -> list[TrialResult]:
    """Every trial of the study, by number (to reopen a sweep or show one another process runs)."""
    study, _ = load_study(storage, study_name)
    return [trial_result(trial) for trial in listed_trials(study)]


def importance(storage: str, study_name: str) -> dict[str, float]:
    """{path: importance} summing to 1, by Optuna's default evaluator (fANOVA) over the completed trials; empty
    when fewer than two trials completed or only one parameter varies (nothing to apportion)."""
    import optuna
    from optuna.trial import TrialState
    study, _ = load_study(storage, study_name)
    complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    if len(complete) < 2:
        return {}
    try:
        return dict(optuna.importance.get_param_importances(study))
    except (ValueError, RuntimeError):  # e.g. a parameter that never varied
        return {}
