"""Build the schedule a spec's training section asks for, and preview its planned rates for the studio."""

from __future__ import annotations

import numpy as np

from core.schedules.base import Schedule
from core.spec import TrainingSpec


def make_schedule(training: TrainingSpec, base_lr: float | None = None) -> Schedule:
    """From a spec's validated training settings (`spec.training`): its schedule, its epochs, and the
    optimizer's learning rate unless `base_lr` is given."""
    return Schedule.from_config(training.schedule, training.optimizer.lr if base_lr is None else base_lr,
                                training.epochs)


def preview_learning_rates(training: TrainingSpec) -> np.ndarray:
    """The planned rate of every epoch (float64, one per epoch); reduce-on-plateau as if it never plateaus."""
    schedule = make_schedule(training)
    return np.array([schedule.lr_for_epoch(e) for e in range(schedule.epochs)], dtype=np.float64)
