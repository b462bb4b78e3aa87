"""Early stopping: watch a monitored quantity at every epoch's end, remember the best epoch, say when to stop.

Monitors: "val_loss" and "train_loss" improve downward, "val_metric" upward. With no validation set the
val_* monitors fall back to train_loss (and say so in `monitor_used`). The caller keeps the best epoch's weights
(`improved` tells it when to save them) and restores them at the end when `restore_best` is on.
"""

from __future__ import annotations

import math
from typing import Any


class EarlyStopping:
    """Patience counting with a minimum improvement; its state round-trips through `state_dict`."""

    def __init__(self, config: dict[str, Any], has_validation: bool):
        self.enabled = bool(config.get("enabled", False))
        self.monitor = config.get("monitor", "val_loss")
        self.monitor_used = self.monitor if has_validation or self.monitor == "train_loss" else "train_loss"
        self.patience = int(config.get("patience", 10))
        self.min_delta = float(config.get("min_delta", 0.0))
        self.restore_best = bool(config.get("restore_best", True))
        self.best_value: float | None = None
        self.best_epoch: int | None = None  # 1-based
        self.epochs_without_improvement = 0

    @property
    def higher_is_better(self) -> bool:
        return self.monitor_used == "val_metric"

    def monitored_value(self, record: dict[str, Any]) -> float:
        """The monitored quantity from an epoch's history record."""
        return float(record[self.monitor_used])

    def update(self, epoch: int, value: float) -> tuple[bool, bool]:
        """Feed the value at the end of 1-based `epoch`; return (improved, should_stop)."""
        if not math.isfinite(value):
            improved = False
        elif self.best_value is None:
            improved = True
        elif self.higher_is_better:
            improved = value > self.best_value + self.min_delta
        else:
            improved = value < self.best_value - self.min_delta
        if improved:
            self.best_value, self.best_epoch = value, epoch
            self.epochs_without_improvement = 0
        else:
            self.epochs_without_improvement += 1
        # Keras's rule: stop once `patience` epochs in a row brought no improvement (patience 0 acts as 1).
        should_stop = self.enabled and self.epochs_without_improvement >= max(1, self.patience)
        return improved, should_stop

    def state_dict(self) -> dict[str, Any]:
        return {"best_value": self.best_value, "best_epoch": self.best_epoch,
                "epochs_without_improvement": self.epochs_without_improvement}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.best_value = state["best_value"]
        self.best_epoch = state["best_epoch"]
        self.epochs_without_improvement = int(state["epochs_without_improvement"])
