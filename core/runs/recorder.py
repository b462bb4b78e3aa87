"""`RunRecorder`: fed with a run's snapshots on the training thread, it records them without slowing training.

A `doctor` (a factory of an object with `observe(snapshot)` and `findings()`, such as
`lambda: core.diagnostics.doctor.Doctor(spec)`) is built and fed on the writer thread; its findings are recorded
when the run finishes.

`record(snapshot)` costs a list append, plus a copy of the weights when a checkpoint is due (every
`checkpoint_every` epochs, and whenever the monitored loss — validation loss, else training loss — reaches a new
best; of the bests reached between two hand-overs only the last is written). What it collects goes to the store's `RunWriter` thread at most every HANDOFF_SECONDS: a hand-over wakes
the writer, and a woken writer takes the GIL from the training thread (a hand-over per epoch cost a fast digits
run ~30 %; measured, benchmarks/run_store.py). Everything else (epoch rows, the batch losses' decimation,
float64 conversion, SQL) happens on the writer thread. `finish` hands over the rest, queues the end of the run
and waits until it is committed.
"""

from __future__ import annotations

import math
import time
from typing import Any, Callable, Iterable, Mapping

from core.runs.records import FINISHED
from core.runs.write_ops import finding_row

DEFAULT_CHECKPOINT_EVERY = 10  # epochs between checkpoints when the run's length is not known
# Regular checkpoints a run of known length keeps (plus its best): enough for a timeline to scrub, and a constant
# cost per run however long it trains (each is a weights copy and a blob write; the caps bound them anyway).
CHECKPOINTS_PER_RUN = 50
HANDOFF_SECONDS = 0.25  # what record() collected goes to the writer at most this often
FINISH_TIMEOUT_SECONDS = 60.0


def checkpoint_interval(planned_epochs: int) -> int:
    """Epochs between regular checkpoints for a run of `planned_epochs`: at most CHECKPOINTS_PER_RUN of them."""
    return max(1, math.ceil(int(planned_epochs) / CHECKPOINTS_PER_RUN))


class RunRecorder:
    def __init__(self, writer, run_id: int, *, weights: Callable[[], Mapping[str, Any]] | None = None,
                 checkpoint_every: int | None = None, doctor: Callable[[], Any] | None = None):
        if checkpoint_every is not None and checkpoint_every < 1:
            raise ValueError(f"checkpoint_every must be at least 1 epoch, got {checkpoint_every}")
        self.run_id = run_id
        self.checkpoint_every = checkpoint_every or DEFAULT_CHECKPOINT_EVERY
        self._writer = writer
        self._weights = weights
        self._best = math.inf
        self.finished = False
        self._collected: list[tuple] = []  # items for the writer not handed over yet
        # The newest best weights not handed over yet: early in a run nearly every epoch is a new best, and only the
        # last of a hand-over's worth is worth a blob (the writer's float64 conversion and SQL are what cost).
        self._pending_best: tuple | None = None
        self._last_handoff = time.monotonic()
        if doctor is not None:  # built and fed on the writer thread: the training thread pays nothing for it
            writer.put(("doctor", run_id, doctor))

    def record(self, snapshot: Any, weights: Mapping[str, Any] | None = None) -> None:
        """Queue a snapshot (core.training.Snapshot, kept as it is: snapshots are never changed once yielded).
        A checkpoint due at it copies the network's weights now, or takes `weights` (a copy made when the
        snapshot was, for a snapshot recorded late)."""
        self._collect(("snapshots", self.run_id, [snapshot]))
        if snapshot.kind == "epoch" and (weights is not None or self._weights is not None):
            self._checkpoint(snapshot, weights)
        if time.monotonic() - self._last_handoff >= HANDOFF_SECONDS:
            self.hand_over()

    def hand_over(self) -> None:
        """Give the writer what was collected (record does it every HANDOFF_SECONDS; call it when a run pauses)."""
        self._last_handoff = time.monotonic()
        if self._pending_best is not None:
            self._collected.append(self._pending_best)
            self._pending_best = None
        if self._collected:
            items, self._collected = self._collected, []
            self._writer.put(("many", items))

    def _collect(self, item: tuple) -> None:
        self._collected.append(item)

    def _checkpoint(self, snapshot: Any, weights: Mapping[str, Any] | None) -> None:
        monitored = snapshot.val_loss if snapshot.val_loss is not None else snapshot.train_loss
        is_best = monitored is not None and math.isfinite(monitored) and monitored < self._best
        is_regular = snapshot.epoch % self.checkpoint_every == 0
        if not (is_best or is_regular):
            return
        if weights is None:
            weights = self._weights()  # a copy (Network.get_state), taken now: training goes on changing them
        if is_best:
            self._best = monitored
            self._pending_best = ("weights", self.run_id, "best", snapshot.epoch, weights)
        if is_regular:
            self._collect(("weights", self.run_id, "checkpoint", snapshot.epoch, weights))

    def add_findings(self, findings: Iterable[Any]) -> None:
        """Record the doctor's findings (core.diagnostics.finding.Finding, or mappings with its JSON keys)."""
        rows = [finding_row(finding) for finding in findings]
        if rows:
            self._collect(("findings", self.run_id, rows))
            self.hand_over()

    def finish(self, stop_reason: str | None, final_weights: Mapping[str, Any] | None = None,
               test_score: tuple[float, float] | None = None, status: str = FINISHED) -> str | None:
        """End the run and wait until all of it is committed. None when recording went well, else what failed
        (one line: training must not fail because its record could not be written)."""
        if self.finished:
            return None
        self.finished = True
        self.hand_over()
        self._writer.put(("finish", self.run_id, status, stop_reason, final_weights, test_score))
        if not self._writer.flush(FINISH_TIMEOUT_SECONDS):
            return f"{self._writer.path}: the run store did not answer within {FINISH_TIMEOUT_SECONDS:.0f} s"
        return self._writer.error
