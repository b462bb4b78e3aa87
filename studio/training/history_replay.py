"""A saved run's history as the epoch snapshots the plots draw: reopening a trained project shows its curves.

A project file keeps one record per epoch (`Trainer.history`: losses, metrics, learning rate, per-layer gradient
norms) and, when the studio trained it, the last epoch's validation confusion matrix (`with_confusion`). The
records come from a file, so every value is checked: a missing or non-finite figure is left out of its curve,
a malformed gradient list or confusion matrix is ignored, never an error.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from core.training.snapshot import Snapshot

MAX_CLASSES = 1_000  # a confusion matrix larger than this is not one the studio wrote


def with_confusion(history: list[dict[str, Any]], confusion: np.ndarray | None) -> list[dict[str, Any]]:
    """The history with the run's last validation confusion matrix kept in its last record (as lists of ints,
    JSON in the project file), so a reopened project can show it."""
    if not history or confusion is None:
        return history
    records = [dict(record) for record in history]
    records[-1]["confusion"] = np.asarray(confusion, dtype=np.int64).tolist()
    return records


def layer_names(spec: dict[str, Any]) -> list[str]:
    """The names `core.network.Network` gives its blocks ("layer 1 (tanh)", …, "output (softmax)"), from the spec
    alone: the window never builds a network (that would load the engine's kernels on the GUI thread)."""
    layers = spec["layers"]
    return [layer.get("name") or (f"output ({layer['activation']})" if i == len(layers) - 1
                                  else f"layer {i + 1} ({layer['activation']})") for i, layer in enumerate(layers)]


def history_snapshots(history: list[dict[str, Any]], spec: dict[str, Any], metric_name: str) -> list[Snapshot]:
    """One "epoch" Snapshot per well-formed record, at its epoch (step = epoch, one batch per epoch)."""
    names = layer_names(spec)
    snapshots: list[Snapshot] = []
    last_epoch = 0
    for record in history:
        epoch = record.get("epoch")
        train_loss = _finite(record.get("train_loss"))
        if isinstance(epoch, bool) or not isinstance(epoch, int) or epoch <= last_epoch or train_loss is None:
            continue  # not a record the Trainer wrote: epochs count up from 1
        last_epoch = epoch
        lr = _finite(record.get("lr"))
        snapshots.append(Snapshot(
            kind="epoch", epoch=epoch, step=epoch, batches_per_epoch=1, batch_in_epoch=1, train_loss=train_loss,
            lr=lr if lr is not None else math.nan, metric_name=metric_name,
            train_metric=_finite(record.get("train_metric")), val_loss=_finite(record.get("val_loss")),
            val_metric=_finite(record.get("val_metric")), layer_names=list(names),
            grad_norms=_per_layer(record.get("grad_norms"), len(names)), elapsed=_finite(record.get("elapsed")) or 0.0,
            confusion=_confusion(record.get("confusion"), spec["layers"][-1]["units"])))
    return snapshots


def _finite(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return float(value)


def _per_layer(values: Any, count: int) -> np.ndarray | None:
    if not isinstance(values, list) or len(values) != count:
        return None
    numbers = [_finite(v) for v in values]
    return None if any(v is None for v in numbers) else np.array(numbers, np.float64)


def _confusion(rows: Any, output_units: int) -> np.ndarray | None:
    """A k × k matrix of non-negative ints, k the number of classes (2 for a one-unit sigmoid output)."""
    classes = max(2, output_units)
    if not isinstance(rows, list) or len(rows) != classes or classes > MAX_CLASSES:
        return None
    if not all(isinstance(row, list) and len(row) == classes for row in rows):
        return None
    cells = [cell for row in rows for cell in row]
    if not all(isinstance(c, int) and not isinstance(c, bool) and 0 <= c < 2**53 for c in cells):
        return None
    return np.array(cells, np.int64).reshape(classes, classes)
