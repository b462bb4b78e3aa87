"""How `backprop-studio train` records its run into the project's run store (`--no-record` opts out).

The store is the one of the project file the trained weights are saved to (`--output`, else the project itself):
`<project>.runs.sqlite` beside it (core.runs.store_file). It is opened before training starts, so a store that
can't be used is one error line before any time is spent, naming --no-record. The run records the spec as
trained, the data configuration and hash, the seed, the initial and final weights, every epoch, the kept batch
losses, checkpoints, the stop reason and the test figures. Not the doctor's findings: its detectors took
0.1–0.4 ms a digits epoch (measured with cProfile), several times the 2 % recording may add; `doctor PROJECT`
diagnoses a run, and a caller that runs a doctor anyway records its findings (`RecordingPlan.doctor`, fed on the
writer thread). A failure while recording is a warning: the trained project is still saved.
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

    def __init__(self, session: RecordingSession, network: Any):
        self.session, self.network = session, network

    @classmethod
    def start(cls, project_path: Path, spec: dict[str, Any], data_config: dict[str, Any], prepared: Any,
              network: Any) -> CliRecording:
        plan = RecordingPlan(store_path_for(project_path), spec, data_config, prepared.dataset_hash,
                             int(spec["training"]["seed"]))
        try:
            return cls(RecordingSession.start(plan, network), network)
        except RunStoreError as error:
            raise CliError(f"{error} (or train with --no-record)") from None

    def record(self, snapshot: Any) -> None:
        self.session.record(snapshot)

    def finish(self, last: Any, test_score: tuple[float, float] | None) -> None:
        reason = last.stop_reason if last is not None else "no training step ran"
        _warn(self.session.finish(reason, self.network.get_state(), test_score))

    def interrupted(self) -> None:
        _warn(self.session.interrupted())


def _warn(problem: str | None) -> None:
    if problem:
        print(f"warning: {problem}", file=sys.stderr)
