"""Build the schedule a spec's training section asks for, and preview its planned rates for the studio."""

from __future__ import annotations

from typing import Any

import numpy as np

from core.schedules.base import Schedule


def make_schedule(training: dict[str, Any], base_lr: float | None = None) -> Schedule:
    """From spec["training"]: its "schedule" dict, "epochs", and the optimizer's lr unless `base_lr` is given."""
    config = training.get("schedule") or {"name": "constant"}
    if base_lr is None:
        base_lr = training["optimizer"]["lr"]
    return Schedule.from_config(config, base_lr, training["epochs"])


def preview_learning_rates(training: dict[str, Any]) -> np.ndarray:
    """The planned rate of every epoch (float64, one per epoch); reduce-on-plateau as if it never plateaus."""
    schedule = make_schedule(training)
    return np.array([schedule.lr_for_epoch(e) for e in range(schedule.epochs)], dtype=np.float64)
