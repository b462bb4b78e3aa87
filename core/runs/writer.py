"""`RunWriter`: the one thread that writes what recorders queue, in short batched transactions.

Recorders (on the training thread, or the studio's worker thread) only put items on a queue; this thread turns
snapshots into epoch rows and kept batch losses, stores checkpoints within the size caps and commits every
COMMIT_SECONDS or COMMIT_ITEMS items, whichever comes first, in ONE short transaction (so another process or the
store's own connection waits milliseconds, not the batching interval). It renews the heartbeat of the runs it
records every HEARTBEAT_SECONDS. A write that fails (a full disk, a store deleted under it) is remembered in
`error` and reported when the run finishes; training never stops for it.
"""

from __future__ import annotations

import queue
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from core.runs import write_ops
from core.runs.connection import Transaction, connect
from core.runs.loss_decimation import KeptLosses
from core.runs.store_file import RunStoreError
from core.runs.weights_blob import WeightsBlobError

COMMIT_SECONDS = 0.5
COMMIT_ITEMS = 500
HEARTBEAT_SECONDS = 10.0


def coalesced(items: list[tuple]) -> list[tuple]:
    """The same writes with less work (the writer holds the GIL while it works in Python): a run's snapshots in
    one item (one summary update per commit, not per epoch), and only the newest of its "best" weights."""
    last_best = {item[1]: index for index, item in enumerate(items) if item[0] == "weights" and item[2] == "best"}
    merged: dict[int, list] = {}
    result = []
    for index, item in enumerate(items):
        if item[0] == "snapshots":
            if item[1] in merged:
                merged[item[1]].extend(item[2])
                continue
            merged[item[1]] = list(item[2])
            item = ("snapshots", item[1], merged[item[1]])
        elif item[0] == "weights" and item[2] == "best" and last_best[item[1]] != index:
            continue
        result.append(item)
    return result


class _RunState:
    """What the writer remembers of a run it records: its decimation and whether its metric name is stored."""

    def __init__(self) -> None:
        self.kept_losses = KeptLosses()
        self.metric_named = False
        self.doctor: Any = None  # an observer of the epoch snapshots whose findings are recorded at the end


class RunWriter:
    def __init__(self, path: Path, run_cap: int, file_cap: int):
        self.path, self.run_cap, self.file_cap = path, run_cap, file_cap
        self.error: str | None = None  # the first write that failed, as one line
        self.cpu_seconds = 0.0  # CPU time this thread spent writing (benchmarks/run_store.py reports it)
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._runs: dict[int, _RunState] = {}
        self._thread = threading.Thread(target=self._loop, name="RunWriter", daemon=True)
        self._thread.start()

    # --- any thread ----------------------------------------------------------------------------------------------
    def put(self, item: tuple) -> None:
        self._queue.put(item)

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until everything queued so far is committed; False on timeout."""
        done = threading.Event()
        self._queue.put(("flush", done))
        return done.wait(timeout)

    def close(self) -> None:
        if self._thread.is_alive():
            self._queue.put(("close",))
            self._thread.join()

    # --- the writer thread ---------------------------------------------------------------------------------------
    def _loop(self) -> None:
        try:
            connection = connect(self.path)
        except RunStoreError as error:
            self.error = str(error)
            self._drain()
            return
        pending: list[tuple] = []
        first_pending = last_heartbeat = time.monotonic()
        try:
            while True:
                timeout = COMMIT_SECONDS - (time.monotonic() - first_pending) if pending else HEARTBEAT_SECONDS
                try:
                    item = self._queue.get(timeout=max(0.0, timeout))
                except queue.Empty:
                    item = None
                if item is not None and item[0] not in ("flush", "close"):
                    if not pending:
                        first_pending = time.monotonic()
                    pending.extend(item[1] if item[0] == "many" else [item])
                now = time.monotonic()
                due = (item is None or item[0] in ("flush", "close", "finish") or len(pending) >= COMMIT_ITEMS
                       or now - first_pending >= COMMIT_SECONDS)
                beat = self._runs and now - last_heartbeat >= HEARTBEAT_SECONDS
                if (pending and due) or beat:
                    self._commit(connection, pending, beat)
                    pending = []
                    last_heartbeat = now if beat else last_heartbeat
                if item is not None and item[0] == "flush":
                    item[1].set()
                if item is not None and item[0] == "close":
                    return
        finally:
            connection.close()

    def _drain(self) -> None:
        """Without a connection: answer flushes (nothing will be written) until closed."""
        while True:
            item = self._queue.get()
            if item[0] == "flush":
                item[1].set()
            elif item[0] == "close":
                return

    def _commit(self, connection: sqlite3.Connection, items: list[tuple], beat: bool) -> None:
        started = time.thread_time()
        items = coalesced(items)
        try:
            with Transaction(connection):
                for item in items:
                    getattr(self, f"_apply_{item[0]}")(connection, *item[1:])
                if beat or any(item[0] == "snapshots" for item in items):
                    write_ops.heartbeat(connection, list(self._runs))
        except (sqlite3.Error, RunStoreError, WeightsBlobError, ValueError, OSError) as error:
            self.error = self.error or f"{self.path}: recording failed: {error}"
        for item in items:  # a finished run needs no more heartbeats, nor its decimation
            if item[0] == "finish":
                self._runs.pop(item[1], None)
        self.cpu_seconds += time.thread_time() - started

    def _state(self, run_id: int) -> _RunState:
        state = self._runs.get(run_id)
        if state is None:
            state = self._runs[run_id] = _RunState()
        return state

    def _apply_snapshots(self, connection: sqlite3.Connection, run_id: int, snapshots: list[Any]) -> None:
        """Snapshots (core.training.Snapshot) → epoch rows and the batch losses the decimation keeps."""
        state = self._state(run_id)
        rows = [(s.epoch, s.train_loss, s.train_metric, s.val_loss, s.val_metric, None, None, s.lr, s.elapsed)
                for s in snapshots if s.kind == "epoch"]
        write_ops.add_epochs(connection, run_id, rows)
        for end in (s for s in snapshots if s.kind == "end" and s.epoch > 0):  # (no epoch ended: nothing to say)
            write_ops.set_final_figures(connection, run_id, end)
        if state.doctor is not None:
            for snapshot in snapshots:
                if snapshot.kind == "epoch":
                    state.doctor.observe(snapshot)
        if not state.metric_named and snapshots:
            connection.execute("UPDATE runs SET metric_name = ? WHERE id = ?", (snapshots[0].metric_name, run_id))
            state.metric_named = True
        with_losses = [s for s in snapshots if s.batch_losses is not None and len(s.batch_losses)]
        if with_losses:  # all of this commit's losses at once: one decimation, one executemany
            steps = np.concatenate([s.batch_loss_steps() for s in with_losses])
            losses = np.concatenate([np.asarray(s.batch_losses, dtype=np.float64) for s in with_losses])
            state.kept_losses.add(steps, losses)
            write_ops.put_batch_losses(connection, run_id, state.kept_losses)

    def _apply_weights(self, connection: sqlite3.Connection, run_id: int, role: str, epoch: int,
                       weights: Any) -> None:
        write_ops.put_weights(connection, run_id, role, epoch, weights)
        write_ops.enforce_checkpoint_caps(connection, run_id, self.run_cap, self.file_cap)  # before the next

    def _apply_doctor(self, connection: sqlite3.Connection, run_id: int, factory: Any) -> None:
        self._state(run_id).doctor = factory()

    def _apply_findings(self, connection: sqlite3.Connection, run_id: int, findings: list[dict]) -> None:
        write_ops.add_findings(connection, run_id, findings)

    def _apply_finish(self, connection: sqlite3.Connection, run_id: int, status: str, stop_reason: str | None,
                      final_weights: Any, test_score: tuple[float, float] | None) -> None:
        if final_weights is not None:
            write_ops.put_weights(connection, run_id, "final", 0, final_weights)
        doctor = self._state(run_id).doctor
        if doctor is not None:
            write_ops.add_findings(connection, run_id, [write_ops.finding_row(f) for f in doctor.findings()])
        write_ops.finish_run(connection, run_id, status, stop_reason, test_score)
