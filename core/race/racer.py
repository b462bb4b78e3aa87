"""What one racer of an optimizer race is: its setup (a name and dotted-path changes) and its typed result.

A `RacerResult` is plain data (NumPy arrays, floats, the spec it trained with), so a caller can hand it to a run
store, plot it or rank it without knowing the Trainer that produced it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core.race.errors import RaceError

# What a racer may change: how a step moves the weights. Everything else (layers, seed, data, batch size,
# epochs, dtype, loss) is the shared start, so a different value would make the race unfair.
RACER_PATH_PREFIXES = ("training.optimizer", "training.schedule", "training.lookahead", "training.clipping",
                       "training.l1", "training.l2", "training.decoupled_weight_decay")


@dataclass(frozen=True)
class RacerSetup:
    """One racer: a display name and the {dotted spec path: value} changes it makes to the project's spec."""

    name: str
    changes: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def optimizer(cls, name: str, **settings: Any) -> "RacerSetup":
        """The racer for a catalogue optimizer with its defaults, plus `settings` by field name (e.g. lr)."""
        changes = {"training.optimizer.name": name}
        changes.update({f"training.optimizer.{key}": value for key, value in settings.items()})
        return cls(name, changes)


def is_racer_path(path: str) -> bool:
    """Whether a racer may change the setting at `path` without breaking the shared start."""
    return any(path == prefix or path.startswith(prefix + ".") for prefix in RACER_PATH_PREFIXES)


def check_racer_names(setups: list[RacerSetup]) -> None:
    """2–8 racers with distinct, non-empty names; RaceError otherwise."""
    if not 2 <= len(setups) <= 8:
        raise RaceError(f"a race needs 2 to 8 racers, got {len(setups)}")
    seen: set[str] = set()
    for setup in setups:
        if not isinstance(setup.name, str) or not setup.name.strip():
            raise RaceError(f"every racer needs a name, got {setup.name!r}")
        if setup.name in seen:
            raise RaceError(f"two racers are named {setup.name!r}; give each its own name")
        seen.add(setup.name)


@dataclass
class RacerResult:
    """One racer's run: per-epoch history (the Trainer's records), every step's loss, and the weights after each
    epoch (row 0 is the shared start), for rankings, overlaid curves and the loss landscape's paths."""

    name: str
    changes: dict[str, Any]
    spec: dict[str, Any]  # the spec it trained with (the project's spec with `changes`)
    path: str  # "fused" or "general": the code path every racer of the race used
    history: list[dict[str, Any]] = field(default_factory=list)
    batch_losses: list[float] = field(default_factory=list)
    trajectory: list[np.ndarray] = field(default_factory=list)  # flat parameter vectors, start then each epoch
    seconds: float = 0.0  # this racer's own training time (the others' turns excluded)
    stop_reason: str | None = None  # None while it still runs
    diverged: bool = False
    final_params: np.ndarray | None = None  # the weights it ended with (the best epoch's under restore_best)
    final_buffers: np.ndarray | None = None  # and its batch-norm running statistics

    @property
    def finished(self) -> bool:
        return self.stop_reason is not None

    @property
    def epochs(self) -> int:
        return len(self.history)

    @property
    def first_loss(self) -> float | None:
        """The first batch's loss: from the shared start, so the same for every racer."""
        return self.batch_losses[0] if self.batch_losses else None

    @property
    def train_losses(self) -> np.ndarray:
        return np.array([record["train_loss"] for record in self.history], dtype=np.float64)

    @property
    def final_loss(self) -> float | None:
        """The last epoch's mean training loss (None when no epoch completed)."""
        return float(self.history[-1]["train_loss"]) if self.history else None

    @property
    def best_val_loss(self) -> float | None:
        """The lowest validation loss of any epoch (None without a validation set)."""
        values = [record["val_loss"] for record in self.history if record.get("val_loss") is not None]
        return float(min(values)) if values else None

    def trajectory_array(self) -> np.ndarray:
        """(epochs + 1, parameters) float64: the start, then the weights after each epoch."""
        return np.array(self.trajectory, dtype=np.float64)
