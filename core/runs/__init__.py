"""The run store: every training run of a project kept in one SQLite file, to list, compare, fork and export.

    from core.runs import RunStore, store_path_for
    with RunStore.open(store_path_for("digits.bps")) as store:
        for run in store.list_runs():
            print(run.id, run.name, run.final["val_loss"])

`store` (RunStore: open, start_run, recorder, finish, list_runs, load_run, rename, star, delete, checkpoints),
`recorder` (RunRecorder, fed with snapshots), `writer` (the thread that writes), `schema` (versions and
migrations), `store_file` (where a store lives and the checks it passes), `export` (CSV and TensorBoard).
No Qt here: the command line and the studio both record through this package.
"""

from core.runs.records import (FINISHED, INTERRUPTED, RUN_KINDS, RUNNING, CheckpointInfo, EpochRow, FindingRow,
                               RunRecord, RunSummary)
from core.runs.recorder import RunRecorder
from core.runs.store import RunStore
from core.runs.store_file import RunStoreError, store_path_for

__all__ = ["FINISHED", "INTERRUPTED", "RUNNING", "RUN_KINDS", "CheckpointInfo", "EpochRow", "FindingRow",
           "RunRecord", "RunRecorder", "RunStore", "RunStoreError", "RunSummary", "store_path_for"]
