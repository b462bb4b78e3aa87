"""The store's writes, one function each, on a connection the caller holds inside a transaction.

`RunStore` calls them directly (starting and finishing a run, renaming, deleting) and the `RunWriter` thread
calls them for what a recorder queues (epochs, batch losses, checkpoints, findings). Values arrive as plain
Python numbers; non-finite figures (a diverged loss) are stored as NULL in the columns (the batch losses' blob
keeps them as they were).
"""

from __future__ import annotations

import json
import math
import sqlite3
import time
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from core.runs.loss_decimation import KeptLosses
from core.runs.weights_blob import encode_weights

FINAL_FIGURES = ("train_loss", "train_metric", "val_loss", "val_metric", "test_loss", "test_metric")
EPOCH_COLUMNS = ("epoch", *FINAL_FIGURES, "lr", "elapsed")
CHECKPOINT_ROLES = ("checkpoint", "best")  # the weights the size caps apply to (initial and final always stay)


def finite_or_none(value: Any) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def insert_run(connection: sqlite3.Connection, values: Mapping[str, Any]) -> int:
    names = ", ".join(values)
    marks = ", ".join("?" for _ in values)
    cursor = connection.execute(f"INSERT INTO runs ({names}) VALUES ({marks})", tuple(values.values()))
    return int(cursor.lastrowid)


def add_epochs(connection: sqlite3.Connection, run_id: int, rows: Sequence[Sequence[Any]]) -> None:
    """Insert epoch rows (values in EPOCH_COLUMNS order) and bring the run's summary columns up to date."""
    if not rows:
        return
    clean = [(run_id, int(row[0]), *(finite_or_none(v) for v in row[1:])) for row in rows]
    marks = ", ".join("?" for _ in range(len(EPOCH_COLUMNS) + 1))
    connection.executemany(f"INSERT OR REPLACE INTO epochs (run_id, {', '.join(EPOCH_COLUMNS)}) VALUES ({marks})",
                           clean)
    best = connection.execute("SELECT best_train_loss, best_val_loss, best_val_metric, best_epoch, epochs "
                              "FROM runs WHERE id = ?", (run_id,)).fetchone()
    if best is None:
        return
    best_train, best_val, best_metric, best_epoch, epochs = best
    for row in clean:
        epoch, train_loss, _, val_loss, val_metric = row[1], row[2], row[3], row[4], row[5]
        monitored, current = (val_loss, best_val) if val_loss is not None else (train_loss, best_train)
        if monitored is not None and (current is None or monitored < current):
            best_epoch = epoch
        best_train = _better(best_train, train_loss, min)
        best_val = _better(best_val, val_loss, min)
        best_metric = _better(best_metric, val_metric, max)
    last = max(clean, key=lambda row: row[1])
    finals = dict(zip(FINAL_FIGURES, last[2:8]))
    epochs = max(int(epochs or 0), last[1])
    connection.execute(
        "UPDATE runs SET epochs = ?, best_train_loss = ?, best_val_loss = ?, best_val_metric = ?, best_epoch = ?, "
        + ", ".join(f"final_{name} = ?" for name in FINAL_FIGURES[:4]) + " WHERE id = ?",
        (epochs, best_train, best_val, best_metric, best_epoch, *(finals[name] for name in FINAL_FIGURES[:4]),
         run_id))


def set_final_figures(connection: sqlite3.Connection, run_id: int, end: Any) -> None:
    """The run's final figures from its "end" snapshot: the weights it kept (the best epoch's, when early
    stopping restored them), not necessarily the last epoch's."""
    connection.execute("UPDATE runs SET final_train_loss = ?, final_train_metric = ?, final_val_loss = ?, "
                       "final_val_metric = ? WHERE id = ?",
                       (*(finite_or_none(v) for v in (end.train_loss, end.train_metric, end.val_loss,
                                                      end.val_metric)), run_id))


def _better(current: float | None, new: float | None, pick) -> float | None:
    if new is None:
        return current
    return new if current is None else pick(current, new)


def put_batch_losses(connection: sqlite3.Connection, run_id: int, kept: KeptLosses) -> None:
    """Store a run's kept batch losses (all of them, replacing the previous ones: ≤ 160 kB, one row)."""
    steps, losses = kept.encode()
    connection.execute("INSERT OR REPLACE INTO batch_loss_series (run_id, stride, steps, losses) VALUES (?, ?, ?, ?)",
                       (run_id, kept.stride, steps, losses))


def put_weights(connection: sqlite3.Connection, run_id: int, role: str, epoch: int,
                weights: Mapping[str, Any]) -> None:
    """Store weights in a role: "initial", "final", "checkpoint" (one per epoch) or "best" (the one best so far)."""
    layout, blob = encode_weights(weights)
    if role == "best":
        connection.execute("DELETE FROM weights WHERE run_id = ? AND role = 'best'", (run_id,))
    connection.execute("INSERT OR REPLACE INTO weights (run_id, role, epoch, layout_json, data, nbytes) "
                       "VALUES (?, ?, ?, ?, ?, ?)", (run_id, role, int(epoch), layout, blob, len(blob)))


def enforce_checkpoint_caps(connection: sqlite3.Connection, run_id: int, run_cap: int, file_cap: int) -> None:
    """Drop the oldest checkpoints that are not the best until this run's checkpoints fit in `run_cap` bytes and
    all runs' checkpoints in `file_cap` (the best one of each run, initial and final weights are never dropped)."""
    roles = "role IN ('checkpoint', 'best')"
    for scope, arguments, cap in (("run_id = ? AND ", (run_id,), run_cap), ("", (), file_cap)):
        total = connection.execute(f"SELECT COALESCE(SUM(nbytes), 0) FROM weights WHERE {scope}{roles}",
                                   arguments).fetchone()[0]
        while total > cap:
            oldest = connection.execute(f"SELECT rowid, nbytes FROM weights WHERE {scope}role = 'checkpoint' "
                                        "ORDER BY rowid LIMIT 1", arguments).fetchone()
            if oldest is None:
                break
            connection.execute("DELETE FROM weights WHERE rowid = ?", (oldest[0],))
            total -= oldest[1]


def finding_row(finding: Any) -> dict[str, Any]:
    """A doctor's Finding (core.diagnostics.finding, its JSON form plus the message), or a mapping as it is."""
    if hasattr(finding, "as_json_dict"):
        return {**finding.as_json_dict(), "message": finding.message}
    return dict(finding)


def add_findings(connection: sqlite3.Connection, run_id: int, findings: Iterable[Mapping[str, Any]]) -> None:
    connection.executemany(
        "INSERT INTO findings (run_id, epoch, problem, layer, message, evidence_json, cures_json) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(run_id, int(f["epoch"]), str(f["problem"]), f.get("layer"), str(f.get("message", "")),
          json.dumps(f.get("evidence", {}), allow_nan=False), json.dumps(f.get("cures", []), allow_nan=False))
         for f in findings])


def finish_run(connection: sqlite3.Connection, run_id: int, status: str, stop_reason: str | None,
               test_score: tuple[float, float] | None) -> None:
    test_loss, test_metric = (finite_or_none(v) for v in (test_score or (None, None)))
    connection.execute("UPDATE runs SET status = ?, stop_reason = ?, finished = ?, final_test_loss = ?, "
                       "final_test_metric = ? WHERE id = ?",
                       (status, stop_reason, time.time(), test_loss, test_metric, run_id))
    if test_score is not None:  # the test figures belong to the last epoch's row
        connection.execute("UPDATE epochs SET test_loss = ?, test_metric = ? WHERE run_id = ? AND epoch = "
                           "(SELECT MAX(epoch) FROM epochs WHERE run_id = ?)", (test_loss, test_metric, run_id, run_id))


def heartbeat(connection: sqlite3.Connection, run_ids: Iterable[int]) -> None:
    now = time.time()
    connection.executemany("UPDATE runs SET heartbeat = ? WHERE id = ? AND status = 'running'",
                           [(now, run_id) for run_id in run_ids])
