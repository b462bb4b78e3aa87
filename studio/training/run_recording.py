"""`RunRecording`: the studio's runs recorded into the project's run store (core.runs), from the worker thread.

The controller makes a `RecordingPlan` on the GUI thread (where the document is: its file decides the store,
`<project>.runs.sqlite` beside it, or the user data folder for an unsaved project) and hands it to the worker
with the job. The worker starts the recording once its network exists (`start_soon`: the store is opened and
the initial weights written on a thread of its own, while the run already trains; the snapshots of those few
milliseconds wait, each epoch's with a copy of the weights a checkpoint would take), feeds it each snapshot (a
queue put: the store's writer thread does the SQL, never the GUI thread) and finishes it with the run's result
right after emitting `finished`, before the controller turns idle. A store that can't be used never stops
training: the run goes unrecorded and `problem` says why (one line).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.runs import RunStoreError, store_path_for
from core.runs.session import RecordingPlan, RecordingSession
from core.spec import Spec

__all__ = ["RecordingPlan", "RunOrigin", "RunRecording", "recording_plan"]


def recording_plan(project_path: Any, spec: Spec, data_config: dict[str, Any], data_hash: str,
                   kind: str = "train", origin: RunOrigin | None = None) -> RecordingPlan:
    """The plan to record a run of the project saved at `project_path` (None: unsaved); `origin`: the run and
    checkpoint epoch it starts from (a fork, or a rewind from epoch 0)."""
    parent, parent_epoch = (origin.run_id, origin.epoch) if origin is not None else (None, None)
    return RecordingPlan(store_path_for(project_path), spec, data_config, data_hash,
                         spec.training.seed, kind=kind, parent=parent, parent_epoch=parent_epoch)


@dataclass(frozen=True)
class RunOrigin:
    """Where a run starts from: run `run_id`'s checkpoint at `epoch` (a fork), or its initial weights (epoch 0:
    a rewind)."""

    run_id: int
    epoch: int


class RunRecording:
    """One studio run's record (worker thread): `start` (or `start_soon`), `record` each snapshot, `finish` or
    `abandon`."""

    def __init__(self, session: RecordingSession | None, problem: str | None = None):
        self.session, self.problem = session, problem
        self._opening: threading.Thread | None = None  # `start_soon`'s thread, until the worker has joined it
        self._network: Any = None
        self._waiting: list[tuple[Any, Any]] = []  # (snapshot, weights or None) recorded while the store opened

    @property
    def run_id(self) -> int | None:
        self._opened()
        return self.session.run_id if self.session is not None else None

    @classmethod
    def start(cls, plan: RecordingPlan | None, network: Any) -> RunRecording | None:
        """None without a plan; a recording that records nothing (with its `problem`) if the store fails."""
        if plan is None:
            return None
        recording = cls(None)
        recording._open(plan, network, None)
        return recording

    @classmethod
    def start_soon(cls, plan: RecordingPlan | None, network: Any, initial_weights: dict[str, Any],
                   on_open: Callable[[tuple[Path, int]], None] | None = None) -> RunRecording | None:
        """As `start`, but the store opens and records `initial_weights` (a copy of the network's starting
        weights) on a thread of its own, off the training's critical path (~5 ms, more for a large store).
        `on_open((store path, run id))` is called on that thread once the run's row is committed (status
        "running"), so a view of the store can list the run while it trains."""
        if plan is None:
            return None
        recording = cls(None)
        recording._network = network
        recording._opening = threading.Thread(target=recording._open,
                                              args=(plan, network, initial_weights, on_open),
                                              name="RunRecordingOpen", daemon=True)
        recording._opening.start()
        return recording

    def _open(self, plan: RecordingPlan, network: Any, initial_weights: dict[str, Any] | None,
              on_open: Callable[[tuple[Path, int]], None] | None = None) -> None:
        try:
            self.session = RecordingSession.start(plan, network, initial_weights)
        except (RunStoreError, OSError) as error:
            self.problem = str(error)
        except Exception as error:  # noqa: BLE001 - on `start_soon`'s thread nothing else would hear of it
            self.problem = f"{plan.store_path}: the run could not be recorded ({type(error).__name__}: {error})"
        if on_open is not None and self.session is not None:
            on_open((self.session.store.path, self.session.run_id))

    def _opened(self) -> None:
        """Wait for the store to be open (if it is still opening), then record the snapshots that waited."""
        if self._opening is None:
            return
        self._opening.join()
        self._opening = None
        waiting, self._waiting = self._waiting, []
        if self.session is not None:
            for snapshot, weights in waiting:
                self.session.record(snapshot, weights)

    def record(self, snapshot: Any) -> None:
        if self._opening is not None:
            if self._opening.is_alive():  # the store still opens: the snapshot waits, with the weights of now
                weights = self._network.get_state() if snapshot.kind == "epoch" else None
                self._waiting.append((snapshot, weights))
                return
            self._opened()
        if self.session is not None:
            self.session.record(snapshot)

    def add_findings(self, findings: Any) -> None:
        """Record the doctor's new findings (core.diagnostics.finding.Finding) with the run."""
        self._opened()
        if self.session is not None and not self.session.closed:
            self.session.add_findings(findings)

    def finish(self, result: Any) -> None:
        """Record the run's end from the worker's TrainingResult."""
        self._opened()
        if self.session is not None and not self.session.closed:
            snapshot = result.snapshot
            self.problem = self.session.finish(snapshot.stop_reason, result.weights, result.test_score)

    def recorded(self) -> tuple[Path, int] | None:
        """(store path, run id) of a run recorded without a problem; None otherwise."""
        self._opened()
        if self.session is None or self.problem:
            return None
        return self.session.store.path, self.session.run_id

    def abandon(self, reason: str = "interrupted") -> None:
        """End a run that did not finish (an exception, no step at all); nothing once finished."""
        self._opened()
        if self.session is not None and not self.session.closed:
            self.problem = self.session.interrupted(reason)
