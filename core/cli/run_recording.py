"""How `backprop-studio train` records its run into the project's run store (`--no-record` opts out).

The store is the one of the project file the trained weights are saved to (`--output`, else the project itself):
`<project>.runs.sqlite` beside it (core.runs.store_file). It is opened before training starts, so a store that
can't be used is one error line before any time is spent, naming --no-record. The run records the spec as
trained, the data configuration and hash, the seed, the initial and final weights, every epoch, the kept batch
losses, checkpoints, the doctor's findings (the cheap detectors that need no activation probe), the stop reason
and the test figures. A failure while recording is a warning: the trained project is still saved.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from core.cli.errors import CliError
from core.runs import RunStoreError, store_path_for
from core.runs.session import RecordingPlan, RecordingSession


class CliRecording:
    """One run of `train`, recorded: `record` each snapshot, then `finish` (or `interrupted`)."""

    def __init__(self, session: RecordingSession, network: Any, spec: dict[str, Any]):
        from core.diagnostics.doctor import Doctor
        self.session, self.network = session, network
        self.doctor = Doctor(spec)  # no probe: the detectors that read the snapshots only, at no training cost

    @classmethod
    def start(cls, project_path: Path, spec: dict[str, Any], data_config: dict[str, Any], prepared: Any,
              network: Any) -> CliRecording:
        plan = RecordingPlan(store_path_for(project_path), spec, data_config, prepared.dataset_hash,
                             int(spec["training"]["seed"]))
        try:
            return cls(RecordingSession.start(plan, network), network, spec)
        except RunStoreError as error:
            raise CliError(f"{error} (or train with --no-record)") from None

    def record(self, snapshot: Any) -> None:
        self.session.record(snapshot)
        if snapshot.kind == "epoch":
            self.doctor.observe(snapshot)

    def finish(self, last: Any, prepared: Any) -> None:
        test_score = None
        if last is not None and not last.diverged and len(prepared.x_test):
            test_score = tuple(float(v) for v in self.network.evaluate(prepared.x_test, prepared.y_test))
        self.session.add_findings(self.doctor.findings())
        reason = last.stop_reason if last is not None else "no training step ran"
        _warn(self.session.finish(reason, self.network.get_state(), test_score))

    def interrupted(self) -> None:
        _warn(self.session.interrupted())


def _warn(problem: str | None) -> None:
    if problem:
        print(f"warning: {problem}", file=sys.stderr)
