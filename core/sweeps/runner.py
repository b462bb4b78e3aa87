"""`run_sweep(plan)`: run a sweep to its trial target (being written: the contract is final)."""

from __future__ import annotations

from typing import Callable

from core.sweeps.records import SweepOutcome, SweepPlan, TrialResult


def run_sweep(plan: SweepPlan, on_trial: Callable[[TrialResult], None] | None = None,
              should_stop: Callable[[], bool] | None = None) -> SweepOutcome:
    """Run `plan` until its study holds `plan.trials` done trials; blocking. `on_trial(result)` is called on the
    CALLER's thread each time a trial starts, reports an epoch or ends; `should_stop()` is polled on the caller's
    thread (~4 times a second): when it returns True, running trials stop after their current batch, finished
    trials are kept, and the outcome has `stopped=True`. Running the same plan again continues the study."""
    raise NotImplementedError("run_sweep is being written on branch sweeps")
