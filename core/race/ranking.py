"""Ranking a race: loss at epoch N, epochs to a target loss, wall time.

Racers are ordered by their training loss at epoch N (the last epoch every racer reached, unless the caller
names one), then by the epochs they needed to reach the target loss, then by their own training time. A racer
that diverged or completed no epoch ranks after all others. The default target is the highest final loss of the
racers that did not diverge: every one of them got there, and the ranking says who got there first.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from core.race.racer import RacerResult


@dataclass(frozen=True)
class RankedRacer:
    rank: int  # 1 = best
    name: str
    loss_at_epoch: float | None  # training loss at `epoch` (None when the racer never got there)
    epoch: int  # N
    epochs_to_target: int | None  # first epoch whose training loss is ≤ the target (None: never)
    target_loss: float | None
    seconds: float
    final_loss: float | None
    best_val_loss: float | None
    epochs: int
    stop_reason: str | None
    diverged: bool


def default_target(results: Sequence[RacerResult]) -> float | None:
    finals = [r.final_loss for r in results if not r.diverged and r.final_loss is not None]
    return max(finals) if finals else None


def rank_racers(results: Sequence[RacerResult], *, at_epoch: int | None = None,
                target_loss: float | None = None) -> list[RankedRacer]:
    """The racers, best first (see the module docstring)."""
    reached = [r.epochs for r in results if r.epochs > 0]
    epoch = int(at_epoch) if at_epoch is not None else (min(reached) if reached else 0)
    target = default_target(results) if target_loss is None else float(target_loss)
    rows = [_row(result, epoch, target) for result in results]

    def key(row: RankedRacer):
        loss = row.loss_at_epoch if row.loss_at_epoch is not None and math.isfinite(row.loss_at_epoch) else math.inf
        to_target = row.epochs_to_target if row.epochs_to_target is not None else math.inf
        return (row.diverged or row.loss_at_epoch is None, loss, to_target, row.seconds)

    ordered = sorted(rows, key=key)
    return [replace(row, rank=i + 1) for i, row in enumerate(ordered)]


def _row(result: RacerResult, epoch: int, target: float | None) -> RankedRacer:
    losses = result.train_losses
    at = float(losses[epoch - 1]) if 1 <= epoch <= len(losses) else None
    to_target = None
    if target is not None and len(losses):
        hits = np.flatnonzero(losses <= target)
        to_target = int(hits[0]) + 1 if hits.size else None
    return RankedRacer(0, result.name, at, epoch, to_target, target, result.seconds, result.final_loss,
                       result.best_val_loss, result.epochs, result.stop_reason, result.diverged)

