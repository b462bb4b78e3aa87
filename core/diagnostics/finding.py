"""A `Finding`: one problem the training doctor names, with its evidence and the cures to try.

A finding is plain data (no Qt): the studio renders it as a card, the CLI prints it or writes it as one JSON
object per line (`as_json_dict`). A cure is a label and dotted-path changes that `core.spec.with_changes`
accepts, so applying it is one undoable edit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import math
from typing import Any, Optional

# What a detector returns: (layer or None, evidence, one-sentence message), or None when it sees nothing.
Verdict = Optional[tuple[Optional[str], dict[str, float], str]]

PROBLEMS = ("lr_too_high", "exploding_gradients", "vanishing_gradients", "saturation", "dead_relu", "plateau",
            "slow_convergence", "overfitting")


@dataclass(frozen=True)
class Cure:
    label: str  # what the user clicks, e.g. "Lower the learning rate to 0.001"
    changes: dict[str, Any]  # {dotted.path: value}, e.g. {"training.optimizer.lr": 0.001}

    def as_json_dict(self) -> dict[str, Any]:
        return {"label": self.label, "changes": dict(self.changes)}


@dataclass(frozen=True)
class Finding:
    problem: str  # one of PROBLEMS
    epoch: int  # the epoch (1-based, as in the history) at which the problem was recognised
    layer: str | None  # the layer it concerns ("layer 1 (tanh)"), None for the whole network
    evidence: dict[str, float]  # the numbers behind the verdict
    message: str  # one sentence for the user
    cures: list[Cure] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.problem not in PROBLEMS:
            raise ValueError(f"unknown problem {self.problem!r}; choose one of {', '.join(PROBLEMS)}")

    def as_json_dict(self) -> dict[str, Any]:
        """The CLI's --json line: problem, epoch, layer, evidence, cures (the message is printed in text mode).
        A non-finite figure becomes null: strict JSON has no NaN or Infinity."""
        return {"problem": self.problem, "epoch": int(self.epoch), "layer": self.layer,
                "evidence": {name: float(value) if math.isfinite(value) else None
                             for name, value in self.evidence.items()},
                "cures": [cure.as_json_dict() for cure in self.cures]}
