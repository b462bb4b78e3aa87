"""The Schedule base class: a per-epoch learning rate with an optional linear warm-up in front.

Rates follow torch.optim.lr_scheduler stepped once per epoch (the rate is constant within an epoch): the rate
of 0-based epoch e is the scheduler's rate after e calls to step(). A warm-up of W epochs is torch's
LinearLR(start_factor, total_iters=W) chained in front by SequentialLR(milestones=[W]): the schedule proper
then starts at its own epoch 0 on epoch W. Settings are the fields of the schedule's entry in
`core.spec.SCHEDULES`, validated here.
"""

from __future__ import annotations

from typing import Any, ClassVar

from core.spec.catalogue import SCHEDULES
from core.spec.validate import check_fields

#: name → class, filled by `register`.
SCHEDULE_CLASSES: dict[str, type[Schedule]] = {}


def register(cls: type[Schedule]) -> type[Schedule]:
    """Class decorator: make a schedule constructible by its catalogue name."""
    SCHEDULE_CLASSES[cls.name] = cls
    return cls


class Schedule:
    """Learning rate per epoch. Subclasses implement `_rate(epoch)` for the epochs after the warm-up."""

    name: ClassVar[str] = ""

    def __init__(self, base_lr: float, epochs: int = 100, **settings: Any):
        owner = f"schedule {self.name}"
        if isinstance(base_lr, bool) or not isinstance(base_lr, (int, float)) or not base_lr > 0:
            raise ValueError(f"{owner}: the base learning rate must be a number > 0, got {base_lr!r}")
        if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
            raise ValueError(f"{owner}: epochs must be a whole number ≥ 1, got {epochs!r}")
        self.base_lr = float(base_lr)
        self.epochs = epochs
        self.settings: dict[str, Any] = check_fields(SCHEDULES[self.name].fields, settings, "training.schedule",
                                                     owner)
        self.warmup_epochs: int = self.settings["warmup_epochs"]
        self.warmup_start_factor: float = self.settings["warmup_start_factor"]

    def lr_for_epoch(self, epoch: int) -> float:
        """The learning rate for 0-based `epoch`."""
        if epoch < 0:
            raise ValueError(f"schedule {self.name}: epoch must be ≥ 0, got {epoch}")
        if epoch < self.warmup_epochs:
            start = self.warmup_start_factor
            return self.base_lr * (start + (1.0 - start) * epoch / self.warmup_epochs)
        return self._rate(epoch - self.warmup_epochs)

    def _rate(self, epoch: int) -> float:  # pragma: no cover - every subclass implements it
        raise NotImplementedError

    def epoch_end(self, epoch: int, monitored: float | None) -> None:
        """Called when `epoch` ends with the monitored loss; only reduce-on-plateau reacts."""

    def set_base_lr(self, base_lr: float) -> None:
        """The user changed the learning rate while training: rates from now on scale with the new η."""
        if isinstance(base_lr, bool) or not isinstance(base_lr, (int, float)) or not base_lr > 0:
            raise ValueError(f"schedule {self.name}: the base learning rate must be a number > 0, got {base_lr!r}")
        self.base_lr = float(base_lr)

    def get_config(self) -> dict[str, Any]:
        """The spec's schedule dict."""
        return {"name": self.name, **self.settings}

    @classmethod
    def from_config(cls, config: dict[str, Any], base_lr: float, epochs: int = 100) -> Schedule:
        """Build from `get_config()`'s dict (or the spec's); works on the base class for any name."""
        config = dict(config)
        name = config.pop("name", cls.name or "constant")
        if name not in SCHEDULE_CLASSES:
            raise ValueError(f"schedule: name must be one of {', '.join(SCHEDULE_CLASSES)}, got {name!r}")
        return SCHEDULE_CLASSES[name](base_lr, epochs, **config)

    def state_dict(self) -> dict[str, Any]:
        """What a resumed run needs beyond the config (only reduce-on-plateau has state)."""
        return {}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore `state_dict()`."""

    def __repr__(self) -> str:
        settings = ", ".join(f"{k}={v!r}" for k, v in self.settings.items())
        return f"{type(self).__name__}(base_lr={self.base_lr!r}, {settings})"
