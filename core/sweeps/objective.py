"""One trial: the project's spec with the trial's values, trained by the Trainer, scored, each epoch reported.

`TrialObjective(project_path, settings, study_name)` loads the project and prepares its data ONCE per worker
(a trial's data is the project's own split, so trials differ only in what the search space changes). Calling it
with an Optuna trial:

1. asks the sampler for each `ParamRange` (`suggest_float`/`suggest_int`/`suggest_categorical`, named by the
   dotted path; `layers[*].dropout` is one value given to every hidden layer) and builds
   `with_changes(spec, {path: value})`;
2. trains with the Trainer, reporting the objective's per-epoch figure after every epoch (`trial.report`), so the
   MedianPruner can end a hopeless trial (`trial.should_prune()` → `TrialPruned`);
3. returns the objective of the weights training ended with (the end snapshot's, so restore-best counts):
   "val_loss" (minimised), "val_metric" (maximised), or "test": the test-set metric (maximised), measured once at
   the end; its per-epoch curve is the validation metric (the test set never steers a trial).

A trial that can't be built (a combination of values the spec refuses), diverges, or has no validation/test set
raises `TrialFailed` (the study records it as "failed", the sweep goes on). A stop (`should_stop()` true, polled
by a watcher thread) ends training after the current batch; the trial is failed and marked interrupted, so a
resumed sweep redoes it.

Each trial is also a run in the project's run store (kind "trial", named "<study> #<number>"), recorded with
core.runs' RecordingSession (batched on its writer thread); the trial's user attribute "run_id" links to it.
A run store that can't be written is a warning on stderr, never a failed trial.
"""

from __future__ import annotations

import math
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable

from core.sweeps.space import check_range
from core.sweeps.study import (
    ERROR_ATTR, INTERRUPTED_ATTR, RUN_ID_ATTR, SECONDS_ATTR, STOPPED_ERROR, WORKER_ATTR, SweepSettings,
)

STOP_POLL_SECONDS = 0.2


class TrialFailed(Exception):
    """A trial that produced no usable objective; its message is stored as the trial's "error" attribute."""


class TrialObjective:
    def __init__(self, project_path: Path, settings: SweepSettings, study_name: str,
                 should_stop: Callable[[], bool] | None = None, record: bool = True, tag: str = ""):
        from core.project import load_project
        from core.project_parts import prepare_from_config
        from core.spec import with_changes
        project = load_project(project_path)
        self.project_path, self.settings, self.study_name = Path(project_path), settings, study_name
        self.spec = (with_changes(project.spec, {"training.epochs": settings.epochs}) if settings.epochs
                     else project.spec)
        for param in settings.params:  # read from a storage, so untrusted: each range checked against this spec
            check_range(param, self.spec)
        self.data_config = project.data_config
        self.data = prepare_from_config(project.data_config, self.spec)
        self.should_stop = should_stop or (lambda: False)
        self.record, self.tag = record, tag

    def __call__(self, trial: Any) -> float:
        import optuna
        from core.network import Network
        from core.spec import SpecError, with_changes
        from core.training import Trainer
        if self.tag:
            trial.set_user_attr(WORKER_ATTR, self.tag)
        changes = {param.path: _suggest(trial, param) for param in self.settings.params}
        try:
            spec = with_changes(self.spec, changes)
            network = Network.from_spec(spec)
            trainer = Trainer(network, self.data, report_every=0, confusion=False)
        except (SpecError, ValueError) as error:
            trial.set_user_attr(ERROR_ATTR, f"these values don't make a valid network: {error}"[:500])
            raise TrialFailed(f"these values don't make a valid network: {error}") from None
        recording = self._start_recording(trial, spec, network)
        watcher = _StopWatcher(self.should_stop, trainer)
        started, last, outcome, test_score = time.perf_counter(), None, "interrupted", None
        try:
            for snapshot in trainer.run():
                last = snapshot
                if recording is not None:
                    recording.record(snapshot)
                if snapshot.kind == "epoch":
                    trial.report(self._epoch_figure(snapshot), snapshot.epoch)
                    if self.settings.prune and trial.should_prune():
                        outcome = "pruned"
                        raise optuna.TrialPruned(f"pruned after epoch {snapshot.epoch}")
            if watcher.stopped:
                trial.set_user_attr(INTERRUPTED_ATTR, True)
                raise TrialFailed(STOPPED_ERROR)
            value, test_score = self._final_value(last, network)
            outcome = "finished"
            return value
        except TrialFailed as error:
            trial.set_user_attr(ERROR_ATTR, str(error)[:500])
            raise
        finally:
            watcher.close()
            trial.set_user_attr(SECONDS_ATTR, time.perf_counter() - started)
            if recording is not None:
                self._finish_recording(recording, outcome, last, network, test_score)

    # --- scoring --------------------------------------------------------------------------------------------------
    def _epoch_figure(self, snapshot: Any) -> float:
        figure = snapshot.val_loss if self.settings.objective == "val_loss" else snapshot.val_metric
        if figure is None:
            raise TrialFailed("the project has no validation set; give it one (val_fraction > 0) to sweep")
        return float(figure) if math.isfinite(figure) else math.inf  # Optuna stores inf; a NaN would be refused

    def _final_value(self, last: Any, network: Any) -> tuple[float, tuple[float, float] | None]:
        """The objective of the weights training ended with, and the (loss, metric) on the test set if measured."""
        if last is None or last.diverged:
            raise TrialFailed(f"training diverged: {last.stop_reason if last else 'no step ran'}")
        test_score = None  # measured once, as `train` does, for the run's record (and the "test" objective)
        if len(self.data.x_test):
            test_score = tuple(float(v) for v in network.evaluate(self.data.x_test, self.data.y_test))
        if self.settings.objective == "test":
            if test_score is None:
                raise TrialFailed("the project has no test set; give it one (test_fraction > 0)")
            value = test_score[1]
        else:
            value = self._epoch_figure(last)
        if not math.isfinite(value):
            raise TrialFailed(f"the objective is {value}")
        return value, test_score

    # --- the run store --------------------------------------------------------------------------------------------
    def _start_recording(self, trial: Any, spec: Any, network: Any) -> Any:
        if not self.record:
            return None
        from core.runs import RunStoreError, store_path_for
        from core.runs.session import RecordingPlan, RecordingSession
        # One regular checkpoint (the last epoch's) besides the best, initial and final weights: a sweep of
        # hundreds of trials would otherwise keep up to 50 weight copies each (a digits trial: ~4 MB instead of 0.5).
        epochs = int(spec["training"]["epochs"])
        plan = RecordingPlan(store_path_for(self.project_path), spec, self.data_config, self.data.dataset_hash,
                             int(spec["training"]["seed"]), name=f"{self.study_name} #{trial.number}", kind="trial",
                             checkpoint_every=epochs)
        try:
            session = RecordingSession.start(plan, network)
        except (RunStoreError, OSError) as error:
            print(f"warning: trial {trial.number} is not recorded in the run store: {error}", file=sys.stderr)
            return None
        trial.set_user_attr(RUN_ID_ATTR, int(session.run_id))
        return session

    @staticmethod
    def _finish_recording(recording: Any, outcome: str, last: Any, network: Any,
                          test_score: tuple[float, float] | None) -> None:
        if outcome == "finished":
            problem = recording.finish(last.stop_reason if last else None, network.get_state(), test_score)
        else:
            problem = recording.interrupted(outcome)  # "pruned" or "interrupted" (stopped, failed)
        if problem:
            print(f"warning: {problem}", file=sys.stderr)


def _suggest(trial: Any, param: Any) -> Any:
    if param.kind == "choice":
        return trial.suggest_categorical(param.path, list(param.choices))
    if param.kind == "int" or (param.kind == "log" and isinstance(param.low, int)):
        return trial.suggest_int(param.path, int(param.low), int(param.high), log=param.kind == "log")
    return trial.suggest_float(param.path, float(param.low), float(param.high), log=param.kind == "log")


class _StopWatcher:
    """Stops `trainer` (after its current batch) once `should_stop()` is true; a thread, so a long epoch stops too."""

    def __init__(self, should_stop: Callable[[], bool], trainer: Any):
        self.stopped = False
        self._done = threading.Event()
        self._should_stop, self._trainer = should_stop, trainer
        self._thread = threading.Thread(target=self._watch, name="SweepStopWatcher", daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._done.wait(STOP_POLL_SECONDS):
            if self._should_stop():
                self.stopped = True
                self._trainer.stop()
                return

    def close(self) -> None:
        self._done.set()
        self._thread.join()
