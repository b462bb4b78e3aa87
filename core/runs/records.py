"""What the run store hands out: typed, plain records (no SQLite rows, no Qt).

`RunSummary` is one line of the run list (what `RunStore.list_runs` returns, cheap: the summary columns only);
`RunRecord` is one run in full (`RunStore.load_run`): its spec, data reference, seed, initial and final weights,
every epoch's figures, the kept per-batch losses, the doctor's findings and the checkpoints' index (their
weights load on demand with `RunStore.checkpoint_weights`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

RUN_KINDS = ("train", "race", "trial")  # a training run, one racer of an optimizer race, one trial of a sweep
RUNNING, FINISHED, INTERRUPTED = "running", "finished", "interrupted"  # a run's status


@dataclass(frozen=True)
class RunSummary:
    """One run as the run list shows it: who it is, where it came from, how it ended, its final and best figures."""

    id: int
    name: str
    kind: str  # one of RUN_KINDS
    created: float  # seconds since the epoch (UTC)
    status: str  # RUNNING, FINISHED or INTERRUPTED
    stop_reason: str | None  # "completed", "early stopping", "stopped", a divergence, "interrupted", …
    parent: int | None  # the run this one was forked from (None: started fresh)
    parent_epoch: int | None  # the parent's checkpoint epoch it started from
    starred: bool
    epochs: int  # epochs recorded
    metric_name: str | None  # "accuracy" or "r2"
    final: dict[str, float | None]  # train_loss, train_metric, val_loss, val_metric, test_loss, test_metric
    best: dict[str, float | None]  # train_loss (min), val_loss (min), val_metric (max), epoch (of the best)
    spec: dict[str, Any]  # the run's spec (for "what differs" columns)


@dataclass(frozen=True)
class EpochRow:
    """One epoch's figures (test figures only where they were measured: the final epoch)."""

    epoch: int  # 1-based
    train_loss: float | None
    train_metric: float | None = None
    val_loss: float | None = None
    val_metric: float | None = None
    test_loss: float | None = None
    test_metric: float | None = None
    lr: float | None = None
    elapsed: float | None = None  # seconds of training at the epoch's end

    COLUMNS = ("epoch", "train_loss", "train_metric", "val_loss", "val_metric", "test_loss", "test_metric", "lr",
               "elapsed")


@dataclass(frozen=True)
class FindingRow:
    """One finding of the training doctor, as recorded (see core.diagnostics.finding.Finding)."""

    epoch: int
    problem: str
    layer: str | None
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)
    cures: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class CheckpointInfo:
    """A checkpoint kept for a run: its epoch, whether it holds the best weights so far, its size in bytes."""

    epoch: int
    best: bool
    nbytes: int


@dataclass
class RunRecord:
    """One run in full."""

    summary: RunSummary
    data_ref: dict[str, Any]  # where the data came from (the project's data configuration)
    data_hash: str  # the data set's content hash
    seed: int | None
    initial_weights: dict[str, np.ndarray] | None
    final_weights: dict[str, np.ndarray] | None
    epochs: list[EpochRow]
    batch_steps: np.ndarray  # int64: the step of each kept per-batch loss (decimated evenly, see writer)
    batch_losses: np.ndarray  # float64
    findings: list[FindingRow]
    checkpoints: list[CheckpointInfo]

    @property
    def id(self) -> int:
        return self.summary.id

    @property
    def spec(self) -> dict[str, Any]:
        return self.summary.spec
