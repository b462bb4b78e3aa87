"""`SweepState`: what the Sweep dialog knows about its study: every trial's newest report, the best, progress, ETA.

`run_sweep` reports a trial each time it starts, finishes an epoch or ends; `update` keeps the newest report per
trial number. "Done" trials (complete, pruned or failed, but not one a Cancel cut short) count toward the study's target; the ETA divides the
trials still to do by the rate at which this session has finished them (so a resumed study's old trials don't
make it look fast). No Qt here.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from core.sweeps import STOPPED_ERROR, TrialResult

DONE_STATES = ("complete", "pruned", "failed")
OBJECTIVE_LABELS = {"val_loss": "validation loss", "val_metric": "validation metric", "test": "test metric"}


def is_done(trial: TrialResult) -> bool:
    """Complete, pruned or failed, but not a trial a Cancel cut short (core marks it with `STOPPED_ERROR`)."""
    return trial.state in DONE_STATES and not (trial.state == "failed" and trial.error == STOPPED_ERROR)


def minimises(objective: str) -> bool:
    """val_loss is minimised; the validation metric and the test figure are maximised (as core.sweeps does)."""
    return objective == "val_loss"


class SweepState:
    def __init__(self, objective: str = "val_loss", trials: Iterable[TrialResult] = ()):
        self.objective = objective
        self.trials: dict[int, TrialResult] = {}
        self.target = 0
        self._done_at_start = 0
        self._started: float | None = None
        self.replace(trials)

    # -- trials -----------------------------------------------------------------------------------------------------
    def replace(self, trials: Iterable[TrialResult]) -> None:
        """Every trial of the study, as read back from its storage (a reopened study, a sweep's final outcome)."""
        self.trials = {trial.number: trial for trial in trials}

    def update(self, trial: TrialResult) -> None:
        self.trials[trial.number] = trial

    def ordered(self) -> list[TrialResult]:
        return [self.trials[number] for number in sorted(self.trials)]

    @property
    def done(self) -> int:
        """Trials that count toward the target: ended, and not cut short by a stop (those run again)."""
        return sum(is_done(trial) for trial in self.trials.values())

    @property
    def running(self) -> int:
        return sum(trial.state == "running" for trial in self.trials.values())

    @property
    def complete(self) -> list[TrialResult]:
        return [trial for trial in self.ordered() if trial.state == "complete" and trial.value is not None]

    def best(self) -> TrialResult | None:
        """The complete trial with the best objective (lowest loss, highest metric); the first of equals."""
        complete = self.complete
        if not complete:
            return None
        pick = min if minimises(self.objective) else max
        return pick(complete, key=lambda trial: trial.value)

    # -- progress ---------------------------------------------------------------------------------------------------
    def start(self, target: int, now: float | None = None) -> None:
        """A sweep (new or resumed) starts toward `target` done trials in the study."""
        self.target = target
        self._done_at_start = self.done
        self._started = time.monotonic() if now is None else now

    def eta_seconds(self, now: float | None = None) -> float | None:
        """Seconds until the target, at this session's rate; None before this session finished a trial."""
        if self._started is None:
            return None
        finished = self.done - self._done_at_start
        elapsed = (time.monotonic() if now is None else now) - self._started
        if finished <= 0 or elapsed <= 0:
            return None
        return max(self.target - self.done, 0) * elapsed / finished

    def progress_text(self, now: float | None = None) -> str:
        """"7 of 12 trials done, 2 running · about 0:42 left" (the ETA once a trial of this session ended)."""
        text = f"{min(self.done, self.target)} of {self.target} trials done"
        if self.running:
            text += f", {self.running} running"
        eta = self.eta_seconds(now)
        if eta is None:
            return text + " · time left: after the first trial"
        return text + f" · about {format_duration(eta)} left"


def format_duration(seconds: float) -> str:
    """0:42, 3:05, 1:02:10."""
    whole = int(round(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
