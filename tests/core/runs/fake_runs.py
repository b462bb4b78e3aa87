"""Synthetic runs for the store's tests: Snapshots made by hand (no training, no Numba), fast and exact."""

from __future__ import annotations

import numpy as np

from core.training.snapshot import Snapshot

SPEC = {"version": 1, "input_size": 2, "layers": [{"type": "dense", "units": 3, "activation": "tanh"}],
        "training": {"epochs": 100, "seed": 7, "optimizer": {"name": "adam", "lr": 0.01}}}
DATA_REF = {"source": {"kind": "playground", "name": "circles"}, "val_fraction": 0.2}
BATCHES = 4  # per epoch


def weights(value: float = 0.0, size: int = 12) -> dict[str, np.ndarray]:
    return {"params": np.full(size, value, np.float32), "buffers": np.zeros(0, np.float32)}


def epoch_snapshot(epoch: int, val_loss: float | None = None) -> Snapshot:
    """The "epoch" snapshot at the end of `epoch` (1-based) carrying its batches' losses."""
    step = epoch * BATCHES
    return Snapshot(kind="epoch", epoch=epoch, step=step, batches_per_epoch=BATCHES, batch_in_epoch=BATCHES,
                    train_loss=1.0 / epoch, lr=0.01, metric_name="accuracy", train_metric=1 - 0.5 / epoch,
                    val_loss=(1.5 / epoch) if val_loss is None else val_loss, val_metric=1 - 0.6 / epoch,
                    elapsed=0.01 * epoch, batch_losses=np.array([1.0 / (step - BATCHES + i + 1)
                                                                for i in range(BATCHES)]))


def record_epochs(recorder, first: int, last: int) -> None:
    for epoch in range(first, last + 1):
        recorder.record(epoch_snapshot(epoch))
