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
from core.runs import INTERRUPTED, RunStore, RunStoreError, store_path_for


class CliRecording:
    """One run of `train`, recorded: `record` each snapshot, then `finish` (or `interrupted`)."""

    def __init__(self, store: RunStore, run_id: int, network: Any, spec: dict[str, Any]):
        from core.diagnostics.doctor import Doctor
        self.store, self.run_id, self.network = store, run_id, network
        self.recorder = store.recorder(run_id, weights=network.get_state)
        self.doctor = Doctor(spec)  # no probe: the detectors that read the snapshots only, at no training cost

    @classmethod
    def start(cls, project_path: Path, spec: dict[str, Any], data_config: dict[str, Any], prepared: Any,
              network: Any) -> CliRecording:
        path = store_path_for(project_path)
        try:
            store = RunStore.open(path)
            run_id = store.start_run(spec, data_config, prepared.dataset_hash, int(spec["training"]["seed"]),
                                     network.get_state())
        except RunStoreError as error:
            raise CliError(f"{error} (or train with --no-record)") from None
        return cls(store, run_id, network, spec)

    def record(self, snapshot: Any) -> None:
        self.recorder.record(snapshot)
        if snapshot.kind == "epoch":
            self.doctor.observe(snapshot)

    def finish(self, last: Any, prepared: Any) -> None:
        test_score = None
        if last is not None and not last.diverged and len(prepared.x_test):
            test_score = tuple(float(v) for v in self.network.evaluate(prepared.x_test, prepared.y_test))
        self.recorder.add_findings(self.doctor.findings())
        reason = last.stop_reason if last is not None else "no training step ran"
        self._close(self.recorder.finish(reason, self.network.get_state(), test_score))

    def interrupted(self) -> None:
        self._close(self.recorder.finish("interrupted", status=INTERRUPTED))

    def _close(self, problem: str | None) -> None:
        self.store.close()
        if problem:
            print(f"warning: {problem}", file=sys.stderr)
