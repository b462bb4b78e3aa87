"""Learning-rate schedules per epoch, equal to torch.optim.lr_scheduler's, with an optional linear warm-up.

constant, step, multistep, exponential, cosine, cosine_restarts, plateau (the names of `core.spec.SCHEDULES`).
`make_schedule(spec.training)` builds the one a spec asks for; `preview_learning_rates(spec.training)` plans every
epoch.
"""

from core.schedules.base import SCHEDULE_CLASSES, Schedule
from core.schedules.decays import (
    Constant, CosineAnnealing, CosineWarmRestarts, ExponentialDecay, MultiStepDecay, StepDecay,
)
from core.schedules.factory import make_schedule, preview_learning_rates
from core.schedules.plateau import ReduceOnPlateau

__all__ = [
    "SCHEDULE_CLASSES", "Schedule", "Constant", "StepDecay", "MultiStepDecay", "ExponentialDecay",
    "CosineAnnealing", "CosineWarmRestarts", "ReduceOnPlateau", "make_schedule", "preview_learning_rates",
]
