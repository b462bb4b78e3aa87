"""`RunStore`: every run of a project in one SQLite file (stdlib sqlite3): start, record, list, load, manage.

    store = RunStore.open(store_path_for("digits.bps"))      # beside the project, see core.runs.store_file
    run_id = store.start_run(spec, data_ref, data_hash, seed, network.get_state())
    recorder = store.recorder(run_id, weights=network.get_state)  # fed with snapshots, writes off this thread
    for snapshot in trainer.run():
        recorder.record(snapshot)
    recorder.finish(snapshot.stop_reason, network.get_state(), test_score)
    store.list_runs(); store.load_run(run_id); store.rename(run_id, "wide"); store.star(run_id); store.delete(run_id)

The file: WAL journal (readers never block the writer), a 30 s busy timeout (two processes may record into one
store; their transactions take turns), `auto_vacuum = INCREMENTAL` (deleting runs gives the space back), a
versioned schema (core.runs.schema). Opening marks runs whose recorder died "interrupted" (core.runs.ownership).
Checkpoint weights are capped: RUN_CHECKPOINT_CAP bytes per run and FILE_CHECKPOINT_CAP per store; past a cap the
oldest checkpoints that are not the run's best are dropped (initial, best and final weights always stay).
Methods are safe to call from any thread (one lock around the connection).
"""

from __future__ import annotations

import functools
import json
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np

from core.runs import write_ops
from core.runs.connection import Transaction, connect
from core.runs.loss_decimation import decode as decode_losses
from core.runs.ownership import host_name, owner_alive, process_started
from core.runs.records import (FINISHED, INTERRUPTED, RUN_KINDS, RUNNING, CheckpointInfo, EpochRow, FindingRow,
                               RunRecord, RunSummary)
from core.runs.schema import APPLICATION_ID, SCHEMA_VERSION, migrate
from core.runs.store_file import RunStoreError, check_store_file
from core.runs.weights_blob import WeightsBlobError, decode_weights

RUN_CHECKPOINT_CAP = 64 * 1024**2  # bytes of checkpoints one run keeps (best included)
FILE_CHECKPOINT_CAP = 1024**3  # bytes of checkpoints one store keeps over all its runs
MAX_NAME_LENGTH = 200
_SUMMARY_COLUMNS = ("id, name, kind, created, status, stop_reason, parent_id, parent_epoch, starred, epochs, "
                    "metric_name, final_train_loss, final_train_metric, final_val_loss, final_val_metric, "
                    "final_test_loss, final_test_metric, best_train_loss, best_val_loss, best_val_metric, "
                    "best_epoch, spec_json")


def _one_line(method: Callable) -> Callable:
    """A store method whose SQLite or OS failure (a locked, full or vanished file) is a RunStoreError naming the
    file, one line, like every other refusal."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except (sqlite3.Error, OSError) as error:
            raise RunStoreError(f"{self.path}: {type(error).__name__}: {error}") from None
    return wrapper


class RunStore:
    """One project's runs. Build it with `RunStore.open(path)`; `close()` when done (or use it as a context)."""

    def __init__(self, path: Path, connection: sqlite3.Connection, run_cap: int, file_cap: int):
        self.path, self.run_cap, self.file_cap = path, run_cap, file_cap
        self._connection = connection
        self._lock = threading.RLock()
        self._writer = None  # core.runs.writer.RunWriter, started by the first recorder

    # --- opening -------------------------------------------------------------------------------------------------
    @classmethod
    def open(cls, path: str | os.PathLike[str], *, run_cap: int = RUN_CHECKPOINT_CAP,
             file_cap: int = FILE_CHECKPOINT_CAP) -> RunStore:
        """Open (or create) the store at `path`; RunStoreError (one line) for a file that is not a run store."""
        path = Path(path)
        existed = check_store_file(path)
        if not existed:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise RunStoreError(f"{path.parent}: can't make the run store's folder: {error.strerror or error}"
                                    ) from None
        connection = connect(path)
        try:
            _prepare(connection, path)
            store = cls(path, connection, run_cap, file_cap)
            store.mark_interrupted()
        except sqlite3.DatabaseError as error:
            connection.close()
            raise RunStoreError(f"{path}: is not a readable run store ({error}); move it away") from None
        except BaseException:
            connection.close()
            raise
        return store

    def close(self) -> None:
        """Finish the writes in flight and close the file."""
        with self._lock:
            writer, self._writer = self._writer, None
        if writer is not None:
            writer.close()
        with self._lock:
            self._connection.close()

    def __enter__(self) -> RunStore:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    @_one_line
    def mark_interrupted(self) -> list[int]:
        """Mark runs left "running" by a recorder that is gone as "interrupted"; their ids."""
        with self._lock:
            rows = self._connection.execute("SELECT id, owner_host, owner_pid, owner_started, heartbeat FROM runs "
                                            "WHERE status = ?", (RUNNING,)).fetchall()
            dead = [row[0] for row in rows if not owner_alive(*row[1:])]
            if dead:
                with Transaction(self._connection) as connection:
                    connection.executemany("UPDATE runs SET status = ?, stop_reason = COALESCE(stop_reason, ?) "
                                           "WHERE id = ? AND status = ?",
                                           [(INTERRUPTED, "interrupted", run_id, RUNNING) for run_id in dead])
        return dead

    # --- recording -----------------------------------------------------------------------------------------------
    @_one_line
    def start_run(self, spec: Mapping[str, Any], data_ref: Mapping[str, Any], data_hash: str, seed: int | None,
                  initial_weights: Mapping[str, Any] | None, parent: int | None = None,
                  parent_epoch: int | None = None, name: str | None = None, kind: str = "train") -> int:
        """Record a new run (status "running") with its spec, data, seed and initial weights; its id."""
        if kind not in RUN_KINDS:
            raise RunStoreError(f"run kind must be one of {', '.join(RUN_KINDS)}, got {kind!r}")
        values = {"name": "", "kind": kind, "created": time.time(), "status": RUNNING,
                  "parent_id": None if parent is None else int(parent),
                  "parent_epoch": None if parent_epoch is None else int(parent_epoch),
                  "spec_json": _json(spec, "the spec"), "data_ref_json": _json(data_ref, "the data reference"),
                  "data_hash": str(data_hash or ""), "seed": None if seed is None else int(seed),
                  "owner_host": host_name(), "owner_pid": os.getpid(), "owner_started": process_started(os.getpid()),
                  "heartbeat": time.time()}
        with self._lock, Transaction(self._connection) as connection:
            run_id = write_ops.insert_run(connection, values)
            connection.execute("UPDATE runs SET name = ? WHERE id = ?",
                               (checked_name(name) if name is not None else f"run {run_id}", run_id))
            if initial_weights is not None:
                write_ops.put_weights(connection, run_id, "initial", 0, initial_weights)
        return run_id

    def recorder(self, run_id: int, *, weights: Callable[[], Mapping[str, Any]] | None = None,
                 checkpoint_every: int | None = None, doctor: Callable[[], Any] | None = None):
        """A `RunRecorder` for `run_id`: feed it snapshots on the training thread; it writes off that thread."""
        from core.runs.recorder import RunRecorder
        from core.runs.writer import RunWriter
        with self._lock:
            if self._writer is None:
                self._writer = RunWriter(self.path, self.run_cap, self.file_cap)
            writer = self._writer
        return RunRecorder(writer, run_id, weights=weights, checkpoint_every=checkpoint_every, doctor=doctor)

    @_one_line
    def finish(self, run_id: int, stop_reason: str | None, final_weights: Mapping[str, Any] | None = None,
               test_score: tuple[float, float] | None = None, status: str = FINISHED) -> None:
        """Mark a run ended (after any recorder of it has been finished or flushed)."""
        with self._lock, Transaction(self._connection) as connection:
            if final_weights is not None:
                write_ops.put_weights(connection, run_id, "final", 0, final_weights)
            write_ops.finish_run(connection, run_id, status, stop_reason, test_score)

    # --- reading -------------------------------------------------------------------------------------------------
    @_one_line
    def list_runs(self) -> list[RunSummary]:
        """Every run, oldest first (summary columns only: cheap however long the runs)."""
        with self._lock:
            rows = self._connection.execute(f"SELECT {_SUMMARY_COLUMNS} FROM runs ORDER BY id").fetchall()
        return [self._summary(row) for row in rows]

    @_one_line
    def summary(self, run_id: int) -> RunSummary:
        with self._lock:
            row = self._connection.execute(f"SELECT {_SUMMARY_COLUMNS} FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            raise RunStoreError(f"{self.path.name}: no run {run_id}")
        return self._summary(row)

    @_one_line
    def load_run(self, run_id: int) -> RunRecord:
        """One run in full (checkpoint weights load on demand: `checkpoint_weights`)."""
        summary = self.summary(run_id)
        with self._lock:
            connection = self._connection
            extra = connection.execute("SELECT data_ref_json, data_hash, seed FROM runs WHERE id = ?",
                                       (run_id,)).fetchone()
            epochs = connection.execute(f"SELECT {', '.join(EpochRow.COLUMNS)} FROM epochs WHERE run_id = ? "
                                        "ORDER BY epoch", (run_id,)).fetchall()
            losses = connection.execute("SELECT steps, losses FROM batch_loss_series WHERE run_id = ?",
                                        (run_id,)).fetchone()
            findings = connection.execute("SELECT epoch, problem, layer, message, evidence_json, cures_json "
                                          "FROM findings WHERE run_id = ? ORDER BY epoch, rowid",
                                          (run_id,)).fetchall()
        where = f"{self.path.name}: run {run_id}"
        try:
            steps, values = decode_losses(*losses, where) if losses else (np.empty(0, np.int64), np.empty(0))
        except ValueError as error:
            raise RunStoreError(str(error)) from None
        return RunRecord(
            summary=summary, data_ref=_parsed(extra[0], f"{where}: data reference"), data_hash=extra[1],
            seed=extra[2], initial_weights=self._weights(run_id, "initial", 0),
            final_weights=self._weights(run_id, "final", 0), epochs=[EpochRow(*row) for row in epochs],
            batch_steps=steps, batch_losses=values,
            findings=[FindingRow(row[0], row[1], row[2], row[3], _parsed(row[4], f"{where}: finding"),
                                 _parsed(row[5], f"{where}: finding")) for row in findings],
            checkpoints=self.checkpoints(run_id))

    @_one_line
    def checkpoints(self, run_id: int) -> list[CheckpointInfo]:
        """The run's kept checkpoints in epoch order (the best one flagged)."""
        with self._lock:
            rows = self._connection.execute("SELECT epoch, role = 'best', nbytes FROM weights WHERE run_id = ? AND "
                                            "role IN ('checkpoint', 'best') ORDER BY epoch, role = 'best'",
                                            (run_id,)).fetchall()
        return [CheckpointInfo(int(epoch), bool(best), int(nbytes)) for epoch, best, nbytes in rows]

    @_one_line
    def checkpoint_weights(self, run_id: int, epoch: int) -> dict[str, np.ndarray]:
        """The weights of the run's checkpoint at `epoch` (the regular one, else the best one)."""
        for role in ("checkpoint", "best"):
            weights = self._weights(run_id, role, epoch)
            if weights is not None:
                return weights
        raise RunStoreError(f"{self.path.name}: run {run_id} keeps no checkpoint at epoch {epoch}")

    # --- managing ------------------------------------------------------------------------------------------------
    @_one_line
    def rename(self, run_id: int, name: str) -> None:
        self._update(run_id, "name", checked_name(name))

    @_one_line
    def star(self, run_id: int, starred: bool = True) -> None:
        self._update(run_id, "starred", int(bool(starred)))

    @_one_line
    def delete(self, run_id: int) -> None:
        """Forget a run and everything recorded for it; the file gives the space back. A run still recording
        (status "running": its recorder lives, or opening the store would have marked it interrupted) is refused."""
        with self._lock:
            with Transaction(self._connection) as connection:
                if connection.execute("DELETE FROM runs WHERE id = ? AND status != ?", (run_id, RUNNING)).rowcount == 0:
                    running = connection.execute("SELECT 1 FROM runs WHERE id = ?", (run_id,)).fetchone()
                    raise RunStoreError(f"{self.path.name}: run {run_id} is still recording; stop it first" if running
                                        else f"{self.path.name}: no run {run_id}")
            self._connection.executescript("PRAGMA incremental_vacuum;")  # (execute would free one page only)
            self._connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    # --- helpers -------------------------------------------------------------------------------------------------
    def _update(self, run_id: int, column: str, value: Any) -> None:
        with self._lock, Transaction(self._connection) as connection:
            if connection.execute(f"UPDATE runs SET {column} = ? WHERE id = ?", (value, run_id)).rowcount == 0:
                raise RunStoreError(f"{self.path.name}: no run {run_id}")

    def _weights(self, run_id: int, role: str, epoch: int) -> dict[str, np.ndarray] | None:
        with self._lock:
            row = self._connection.execute("SELECT layout_json, data FROM weights WHERE run_id = ? AND role = ? "
                                           "AND epoch = ?", (run_id, role, epoch)).fetchone()
        if row is None:
            return None
        try:
            return decode_weights(row[0], row[1], f"{self.path.name}: run {run_id}, {role} weights")
        except WeightsBlobError as error:
            raise RunStoreError(str(error)) from None

    def _summary(self, row: tuple) -> RunSummary:
        (run_id, name, kind, created, status, stop_reason, parent, parent_epoch, starred, epochs, metric_name,
         *figures, best_epoch, spec_json) = row
        final = dict(zip(write_ops.FINAL_FIGURES, figures[:6]))
        best = {"train_loss": figures[6], "val_loss": figures[7], "val_metric": figures[8], "epoch": best_epoch}
        return RunSummary(run_id, name, kind, created, status, stop_reason, parent, parent_epoch, bool(starred),
                          int(epochs or 0), metric_name, final, best,
                          _parsed(spec_json, f"{self.path.name}: run {run_id}: spec"))


def _prepare(connection: sqlite3.Connection, path: Path) -> None:
    """Refuse a foreign or newer file; set up a new one; migrate an older one."""
    application_id = connection.execute("PRAGMA application_id").fetchone()[0]
    tables = connection.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0]
    if application_id != APPLICATION_ID and (application_id != 0 or tables):
        raise RunStoreError(f"{path}: is an SQLite file of another program, not a Backprop Studio run store; "
                            "move it away")
    if not tables:
        connection.execute("PRAGMA auto_vacuum = INCREMENTAL")  # only takes effect before the first table
    connection.execute("PRAGMA journal_mode = WAL")
    with Transaction(connection):
        version = connection.execute("PRAGMA user_version").fetchone()[0]  # again: another process may have won
        if version > SCHEMA_VERSION:
            raise RunStoreError(f"{path}: was written by a newer Backprop Studio (store version {version}, this "
                                f"one reads up to {SCHEMA_VERSION}); update the program")
        if version < SCHEMA_VERSION:
            migrate(connection, version)


def checked_name(name: Any) -> str:
    """A run name as stored: any text of 1–200 characters without control characters (it is only ever bound as
    a parameter or written through the csv/json modules, so quotes and SQL are just text)."""
    if not isinstance(name, str):
        raise RunStoreError(f"a run name must be text, got {type(name).__name__}")
    name = name.strip()
    if not 1 <= len(name) <= MAX_NAME_LENGTH:
        raise RunStoreError(f"a run name must have 1 to {MAX_NAME_LENGTH} characters, got {len(name)}")
    if any(ord(char) < 32 or ord(char) == 127 for char in name):
        raise RunStoreError(f"a run name can't hold control characters (line breaks, tabs, NUL): {name!r}")
    return name


def _plain(value: Any) -> Any:
    """json's fallback for what a spec or data reference may hold beyond JSON types: read-only mappings (an
    immutable spec), NumPy scalars and arrays."""
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, (np.generic, np.ndarray)):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON")


def _json(value: Any, what: str) -> str:
    try:
        return json.dumps(value, allow_nan=False, default=_plain)
    except (TypeError, ValueError) as error:
        raise RunStoreError(f"{what} can't be recorded: {error}") from None


def _parsed(text: str, where: str) -> Any:
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        raise RunStoreError(f"{where} is not JSON; the store is damaged") from None
