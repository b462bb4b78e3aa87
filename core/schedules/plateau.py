"""Reduce-on-plateau: multiply the rate by a factor when the monitored loss stops improving (ReduceLROnPlateau).

Mode "min" with a relative threshold, as torch's defaults: an epoch improves when loss < best·(1 − threshold).
After more than `patience` epochs without improvement the rate drops to max(rate·factor, min_lr) (only if it
drops by more than 1e-8), then `cooldown` epochs pass before bad epochs count again. Warm-up epochs are not
monitored. Without any epoch_end calls the rate stays η (that is what the preview draws).
"""

from __future__ import annotations

import math
from typing import Any

from core.schedules.base import Schedule, register

_MIN_DECREASE = 1e-8  # torch's eps: smaller reductions are ignored


@register
class ReduceOnPlateau(Schedule):
    name = "plateau"

    def __init__(self, base_lr: float, epochs: int = 100, **settings: Any):
        super().__init__(base_lr, epochs, **settings)
        self.current_lr = self.base_lr
        self.best = math.inf
        self.bad_epochs = 0
        self.cooldown_left = 0

    def _rate(self, epoch: int) -> float:
        return self.current_lr

    def epoch_end(self, epoch: int, monitored: float | None) -> None:
        if monitored is None or epoch < self.warmup_epochs:
            return
        s = self.settings
        current = float(monitored)
        if current < self.best * (1.0 - s["threshold"]):
            self.best = current
            self.bad_epochs = 0
        else:
            self.bad_epochs += 1
        if self.cooldown_left > 0:
            self.cooldown_left -= 1
            self.bad_epochs = 0  # bad epochs in the cooldown do not count
        if self.bad_epochs > s["patience"]:
            reduced = max(self.current_lr * s["factor"], s["min_lr"])
            if self.current_lr - reduced > _MIN_DECREASE:
                self.current_lr = reduced
            self.cooldown_left = s["cooldown"]
            self.bad_epochs = 0

    def set_base_lr(self, base_lr: float) -> None:
        """Keep the reductions made so far: the current rate scales with η (never below min_lr)."""
        old = self.base_lr
        super().set_base_lr(base_lr)
        self.current_lr = max(self.current_lr * self.base_lr / old, self.settings["min_lr"])

    def state_dict(self) -> dict[str, Any]:
        return {"current_lr": self.current_lr, "best": self.best, "bad_epochs": self.bad_epochs,
                "cooldown_left": self.cooldown_left}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.current_lr = float(state["current_lr"])
        self.best = float(state["best"])
        self.bad_epochs = int(state["bad_epochs"])
        self.cooldown_left = int(state["cooldown_left"])
