"""The deterministic schedules, in closed form: constant, step, multi-step, exponential, cosine, warm restarts.

Each equals the torch.optim.lr_scheduler class of the same idea (StepLR, MultiStepLR, ExponentialLR,
CosineAnnealingLR, CosineAnnealingWarmRestarts) stepped once per epoch.
"""

from __future__ import annotations

import bisect
import math

from core.schedules.base import Schedule, register


@register
class Constant(Schedule):
    """The rate stays η."""

    name = "constant"

    def _rate(self, epoch: int) -> float:
        return self.base_lr


@register
class StepDecay(Schedule):
    """η·γ^⌊e / step_size⌋ (StepLR)."""

    name = "step"

    def _rate(self, epoch: int) -> float:
        return self.base_lr * self.settings["gamma"] ** (epoch // self.settings["step_size"])


@register
class MultiStepDecay(Schedule):
    """η·γ^(number of milestones ≤ e) (MultiStepLR)."""

    name = "multistep"

    def _rate(self, epoch: int) -> float:
        return self.base_lr * self.settings["gamma"] ** bisect.bisect_right(self.settings["milestones"], epoch)


@register
class ExponentialDecay(Schedule):
    """η·γ^e (ExponentialLR)."""

    name = "exponential"

    def _rate(self, epoch: int) -> float:
        return self.base_lr * self.settings["gamma"] ** epoch


def _half_cosine(base_lr: float, eta_min: float, position: float, length: float) -> float:
    return eta_min + (base_lr - eta_min) * (1.0 + math.cos(math.pi * position / length)) / 2.0


@register
class CosineAnnealing(Schedule):
    """Half a cosine from η to η_min over T epochs (CosineAnnealingLR); T = 0 means the whole run after warm-up."""

    name = "cosine"

    @property
    def t_max(self) -> int:
        return self.settings["t_max"] or max(1, self.epochs - self.warmup_epochs)

    def _rate(self, epoch: int) -> float:
        return _half_cosine(self.base_lr, self.settings["eta_min"], epoch, self.t_max)


@register
class CosineWarmRestarts(Schedule):
    """Cosine annealing restarted every T_i epochs, T_0 first, each cycle T_mult times longer (SGDR)."""

    name = "cosine_restarts"

    def _rate(self, epoch: int) -> float:
        position, cycle = epoch, self.settings["t_0"]
        while position >= cycle:  # whole numbers: exact where torch's log-based formula may round
            position -= cycle
            cycle *= self.settings["t_mult"]
        return _half_cosine(self.base_lr, self.settings["eta_min"], position, cycle)
