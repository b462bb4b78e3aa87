"""The run store's tables, their version (`PRAGMA user_version`) and the steps that migrate older files.

A store is stamped with `PRAGMA application_id = APPLICATION_ID` (so a foreign SQLite file is refused, not
written into) and `PRAGMA user_version = SCHEMA_VERSION`. Opening a file of an older version runs each step of
`MIGRATIONS` in order inside one transaction; a file of a newer version is refused, never guessed at.

History of the layout:
- version 1: runs (without stars and process ownership), epochs, batch losses, weights;
- version 2: runs gain `starred` and the owner's process start time (`owner_started`, so a reused process id is
  not taken for a live recorder); the doctor's findings get their own table; the kept per-batch losses move from
  one row per step to one pair of blobs per run (`batch_loss_series`: inserting a row per step cost as much as the
  rest of recording a fast epoch; see core.runs.loss_decimation); an index of the weights' sizes by role.

Summary columns on `runs` (epochs, final and best figures) are kept up to date by the writer, so the run list
reads one table and never scans the epochs (1,000 runs × 1,000 epochs list in milliseconds).
"""

from __future__ import annotations

import itertools
import math
import sqlite3
from typing import Callable

import numpy as np

APPLICATION_ID = 0x42505352  # "BPSR": Backprop Studio runs
SCHEMA_VERSION = 2

_RUNS_V1 = """
CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    created REAL NOT NULL,
    finished REAL,
    status TEXT NOT NULL,
    stop_reason TEXT,
    parent_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
    parent_epoch INTEGER,
    spec_json TEXT NOT NULL,
    data_ref_json TEXT NOT NULL,
    data_hash TEXT NOT NULL,
    seed INTEGER,
    metric_name TEXT,
    owner_host TEXT,
    owner_pid INTEGER,
    heartbeat REAL,
    epochs INTEGER NOT NULL DEFAULT 0,
    final_train_loss REAL, final_train_metric REAL, final_val_loss REAL, final_val_metric REAL,
    final_test_loss REAL, final_test_metric REAL,
    best_train_loss REAL, best_val_loss REAL, best_val_metric REAL, best_epoch INTEGER
)"""

_OTHER_TABLES_V1 = (
    """CREATE TABLE epochs (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        epoch INTEGER NOT NULL,
        train_loss REAL, train_metric REAL, val_loss REAL, val_metric REAL, test_loss REAL, test_metric REAL,
        lr REAL, elapsed REAL,
        PRIMARY KEY (run_id, epoch)) WITHOUT ROWID""",
    """CREATE TABLE batch_losses (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        step INTEGER NOT NULL,
        loss REAL,
        PRIMARY KEY (run_id, step)) WITHOUT ROWID""",
    # role: "initial", "final", "checkpoint" (every N epochs) or "best" (one per run, replaced as it improves)
    """CREATE TABLE weights (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        role TEXT NOT NULL,
        epoch INTEGER NOT NULL,
        layout_json TEXT NOT NULL,
        data BLOB NOT NULL,
        nbytes INTEGER NOT NULL,
        PRIMARY KEY (run_id, role, epoch))""",
)

V1_TABLES = (_RUNS_V1, *_OTHER_TABLES_V1)  # what a version-1 file holds (tests write one to migrate it)


def _add_stars_ownership_findings_loss_series(connection: sqlite3.Connection) -> None:
    connection.execute("ALTER TABLE runs ADD COLUMN starred INTEGER NOT NULL DEFAULT 0")
    connection.execute("ALTER TABLE runs ADD COLUMN owner_started TEXT")
    connection.execute("""CREATE TABLE findings (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        epoch INTEGER NOT NULL,
        problem TEXT NOT NULL,
        layer TEXT,
        message TEXT NOT NULL,
        evidence_json TEXT NOT NULL,
        cures_json TEXT NOT NULL)""")
    connection.execute("CREATE INDEX findings_by_run ON findings (run_id, epoch)")
    connection.execute("""CREATE TABLE batch_loss_series (
        run_id INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
        stride INTEGER NOT NULL,
        steps BLOB NOT NULL,
        losses BLOB NOT NULL)""")
    rows = connection.execute("SELECT run_id, step, loss FROM batch_losses ORDER BY run_id, step").fetchall()
    for run_id, group in itertools.groupby(rows, key=lambda row: row[0]):
        pairs = [(step, math.nan if loss is None else loss) for _, step, loss in group]
        steps = np.array([step for step, _ in pairs], dtype="<i8")
        losses = np.array([loss for _, loss in pairs], dtype="<f8")
        stride = int(np.gcd.reduce(np.diff(steps))) if len(steps) > 1 else 1
        connection.execute("INSERT INTO batch_loss_series (run_id, stride, steps, losses) VALUES (?, ?, ?, ?)",
                           (run_id, max(1, stride), steps.tobytes(), losses.tobytes()))
    connection.execute("DROP TABLE batch_losses")
    # The checkpoint caps sum the sizes after every checkpoint: `nbytes` comes after the blob in a row, so without
    # this covering index each sum read every stored weight (measured: the writer's time grew with the file).
    connection.execute("CREATE INDEX weights_sizes ON weights (role, run_id, nbytes)")


def _create_v1(connection: sqlite3.Connection) -> None:
    for statement in V1_TABLES:
        connection.execute(statement)


# MIGRATIONS[v] turns a version-v file into version v + 1 (version 0: an empty, new file).
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {
    0: _create_v1,
    1: _add_stars_ownership_findings_loss_series,
}


def migrate(connection: sqlite3.Connection, version: int) -> None:
    """Bring a store from `version` to SCHEMA_VERSION, step by step, inside the caller's transaction."""
    for step in range(version, SCHEMA_VERSION):
        MIGRATIONS[step](connection)
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION:d}")
    connection.execute(f"PRAGMA application_id = {APPLICATION_ID:d}")
