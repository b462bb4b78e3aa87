"""`RunRecording`: the studio's runs recorded into the project's run store (core.runs), from the worker thread.

The controller makes a `RecordingPlan` on the GUI thread (where the document is: its file decides the store,
`<project>.runs.sqlite` beside it, or the user data folder for an unsaved project) and hands it to the worker
with the job. The worker starts the recording once its network exists, feeds it each snapshot (a queue put:
the store's writer thread does the SQL, never the GUI thread) and finishes it with the run's result before it
emits `finished`, so a run is in the store by the time the window hears it ended. A store that can't be used
never stops training: the run goes unrecorded and `problem` says why (one line).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.runs import RunStoreError, store_path_for
from core.runs.session import RecordingPlan, RecordingSession

__all__ = ["RecordingPlan", "RunOrigin", "RunRecording", "recording_plan"]


def recording_plan(project_path: Any, spec: dict[str, Any], data_config: dict[str, Any], data_hash: str,
                   kind: str = "train", origin: RunOrigin | None = None) -> RecordingPlan:
    """The plan to record a run of the project saved at `project_path` (None: unsaved); `origin`: the run and
    checkpoint epoch it starts from (a fork, or a rewind from epoch 0)."""
    parent, parent_epoch = (origin.run_id, origin.epoch) if origin is not None else (None, None)
    return RecordingPlan(store_path_for(project_path), spec, data_config, data_hash,
                         int(spec["training"]["seed"]), kind=kind, parent=parent, parent_epoch=parent_epoch)


@dataclass(frozen=True)
class RunOrigin:
    """Where a run starts from: run `run_id`'s checkpoint at `epoch` (a fork), or its initial weights (epoch 0:
    a rewind)."""

    run_id: int
    epoch: int


class RunRecording:
    """One studio run's record (worker thread): `start`, `record` each snapshot, `finish` or `abandon`."""

    def __init__(self, session: RecordingSession | None, problem: str | None = None):
        self.session, self.problem = session, problem

    @property
    def run_id(self) -> int | None:
        return self.session.run_id if self.session is not None else None

    @classmethod
    def start(cls, plan: RecordingPlan | None, network: Any) -> RunRecording | None:
        """None without a plan; a recording that records nothing (with its `problem`) if the store fails."""
        if plan is None:
            return None
        try:
            return cls(RecordingSession.start(plan, network))
        except (RunStoreError, OSError) as error:
            return cls(None, str(error))

    def record(self, snapshot: Any) -> None:
        if self.session is not None:
            self.session.record(snapshot)

    def add_findings(self, findings: Any) -> None:
        """Record the doctor's new findings (core.diagnostics.finding.Finding) with the run."""
        if self.session is not None and not self.session.closed:
            self.session.add_findings(findings)

    def finish(self, result: Any) -> None:
        """Record the run's end from the worker's TrainingResult."""
        if self.session is not None and not self.session.closed:
            snapshot = result.snapshot
            self.problem = self.session.finish(snapshot.stop_reason, result.weights, result.test_score)

    def recorded(self) -> tuple[Path, int] | None:
        """(store path, run id) of a run recorded without a problem; None otherwise."""
        if self.session is None or self.problem:
            return None
        return self.session.store.path, self.session.run_id

    def abandon(self, reason: str = "interrupted") -> None:
        """End a run that did not finish (an exception, no step at all); nothing once finished."""
        if self.session is not None and not self.session.closed:
            self.problem = self.session.interrupted(reason)
