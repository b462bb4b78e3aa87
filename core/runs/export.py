"""A recorded run's metrics out of the store: as CSV (the csv module), or as TensorBoard event files.

CSV: one row per epoch, the columns of `EpochRow` with "metric" named after the run's metric
(`train_accuracy`, `val_r2`, …); empty cells where a figure was not measured (test figures: the last epoch only).
Written atomically (a temporary file beside it, then `os.replace`).

TensorBoard: tensorboardX's SummaryWriter writes one event file into the folder: scalars `loss/train`,
`loss/val`, `loss/test`, `<metric>/train|val|test` and `lr` per epoch, `loss/batch` per kept batch step, and
the spec as text, so `tensorboard --logdir DIR` shows the run beside the user's other experiments.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from pathlib import Path

import numpy as np

from core.runs.records import EpochRow, RunRecord
from core.runs.store_file import RunStoreError


def csv_columns(record: RunRecord) -> list[str]:
    metric = record.summary.metric_name or "metric"
    return [column.replace("metric", metric) for column in EpochRow.COLUMNS]


def export_csv(record: RunRecord, out: str | os.PathLike[str]) -> int:
    """Write the run's epochs to `out` as CSV; the number of rows written."""
    target = Path(out)
    if target.exists() and not target.is_file():
        raise RunStoreError(f"{target}: is not a regular file; give a file name for the CSV")
    folder = target.parent if str(target.parent) else Path(".")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
        with os.fdopen(handle, "w", newline="", encoding="utf-8") as file:
            writer = csv.writer(file)
            writer.writerow(csv_columns(record))
            for row in record.epochs:
                writer.writerow(["" if value is None else repr(value) for value in
                                 (getattr(row, column) for column in EpochRow.COLUMNS)])
        os.replace(temporary, target)
    except OSError as error:
        raise RunStoreError(f"{target}: can't be written: {error.strerror or error}") from None
    return len(record.epochs)


def export_tensorboard(record: RunRecord, directory: str | os.PathLike[str]) -> Path:
    """Write the run as a TensorBoard event file in `directory` (created if needed); the folder."""
    from tensorboardX import SummaryWriter
    folder = Path(directory)
    if folder.exists() and not folder.is_dir():
        raise RunStoreError(f"{folder}: is not a folder; give a folder for the TensorBoard events")
    metric = record.summary.metric_name or "metric"
    try:
        writer = SummaryWriter(logdir=os.fspath(folder), flush_secs=3600)
    except OSError as error:
        raise RunStoreError(f"{folder}: can't be written: {error.strerror or error}") from None
    try:
        for row in record.epochs:
            scalars = {"loss/train": row.train_loss, "loss/val": row.val_loss, "loss/test": row.test_loss,
                       f"{metric}/train": row.train_metric, f"{metric}/val": row.val_metric,
                       f"{metric}/test": row.test_metric, "lr": row.lr}
            for tag, value in scalars.items():
                if value is not None:
                    writer.add_scalar(tag, float(value), global_step=row.epoch)
        for step, loss in zip(record.batch_steps, record.batch_losses):
            if np.isfinite(loss):
                writer.add_scalar("loss/batch", float(loss), global_step=int(step))
        writer.add_text("spec", "```\n" + json.dumps(record.spec, indent=2) + "\n```", global_step=0)
    finally:
        writer.close()
    return folder
