"""`RecordingSession`: one run recorded from start to end, for callers that own a training loop (CLI, studio).

    plan = RecordingPlan(store_path, spec, data_ref, data_hash, seed)   # made where the project is known
    session = RecordingSession.start(plan, network)   # opens the store, records the initial weights
    for snapshot in trainer.run():
        session.record(snapshot)
    problem = session.finish(last.stop_reason, network.get_state(), test_score)   # closes the store

`start` raises RunStoreError (one line) when the store can't be used; after that nothing raises: `finish` and
`interrupted` return what failed as one line (or None), since a run must never fail because of its record.
The session opens its own store (its own connection and writer thread), so it may live on any thread.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from core.runs.records import INTERRUPTED
from core.runs.recorder import CHECKPOINTS_PER_RUN, DEFAULT_CHECKPOINT_EVERY, checkpoint_interval
from core.runs.store import RunStore


@dataclass(frozen=True)
class RecordingPlan:
    """Where and what to record, known before the network exists."""

    store_path: Path
    spec: Mapping[str, Any]
    data_ref: Mapping[str, Any]
    data_hash: str
    seed: int | None
    name: str | None = None
    kind: str = "train"
    parent: int | None = None
    parent_epoch: int | None = None
    checkpoint_every: int | None = None  # None: ≤ 50 regular checkpoints over the spec's epochs
    doctor: Callable[[], Any] | None = None  # makes the run's doctor (see core.runs.recorder), on the writer thread


def _planned_epochs(spec: Mapping[str, Any]) -> int:
    try:
        return max(1, int(spec["training"]["epochs"]))
    except (KeyError, TypeError, ValueError):
        return DEFAULT_CHECKPOINT_EVERY * CHECKPOINTS_PER_RUN


class RecordingSession:
    def __init__(self, store: RunStore, run_id: int, recorder: Any):
        self.store, self.run_id, self.recorder = store, run_id, recorder
        self.closed = False
        self.closing: threading.Thread | None = None  # closes the store after the run's end is committed

    @classmethod
    def start(cls, plan: RecordingPlan, network: Any,
              initial_weights: Mapping[str, Any] | None = None) -> RecordingSession:
        """Open the plan's store and start the run with `initial_weights` (default: `network`'s current ones); its
        checkpoints will copy `network`'s weights as they are when `record` is called."""
        store = RunStore.open(plan.store_path)
        try:
            initial = initial_weights if initial_weights is not None else network.get_state()
            run_id = store.start_run(plan.spec, plan.data_ref, plan.data_hash, plan.seed, initial,
                                     parent=plan.parent, parent_epoch=plan.parent_epoch, name=plan.name,
                                     kind=plan.kind)
        except BaseException:
            store.close()
            raise
        every = plan.checkpoint_every or checkpoint_interval(_planned_epochs(plan.spec))
        recorder = store.recorder(run_id, weights=network.get_state, checkpoint_every=every, doctor=plan.doctor)
        return cls(store, run_id, recorder)

    def record(self, snapshot: Any, weights: Mapping[str, Any] | None = None) -> None:
        """Record a snapshot; `weights`: the network's weights when it was taken, if they have changed since."""
        self.recorder.record(snapshot, weights)

    def add_findings(self, findings: Iterable[Any]) -> None:
        self.recorder.add_findings(findings)

    def finish(self, stop_reason: str | None, final_weights: Mapping[str, Any] | None,
               test_score: tuple[float, float] | None = None) -> str | None:
        return self._close(self.recorder.finish(stop_reason, final_weights, test_score))

    def interrupted(self, reason: str = "interrupted") -> str | None:
        """End the run as "interrupted" (the training failed or was cut short)."""
        return self._close(self.recorder.finish(reason, status=INTERRUPTED))

    def _close(self, problem: str | None) -> str | None:
        """Everything is committed by now; closing (SQLite's final WAL checkpoint and fsync, ~15 ms) happens on a
        thread of its own, which the interpreter waits for at exit (not a daemon), so the caller goes on at once."""
        if not self.closed:
            self.closed = True
            self.closing = threading.Thread(target=self.store.close, name="RunStoreClose")
            self.closing.start()
        return problem
