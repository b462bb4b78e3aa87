"""A terminal progress bar for headless training (tqdm on stderr), fed with the Trainer's epoch snapshots."""

from __future__ import annotations

import sys
from typing import Any


class EpochProgress:
    """One bar over the run's epochs; the postfix shows the latest losses and metrics. Silent when quiet."""

    def __init__(self, epochs: int, *, quiet: bool = False, description: str = "training"):
        self._bar = None
        if not quiet:
            from tqdm import tqdm
            self._bar = tqdm(total=epochs, desc=description, unit="epoch", file=sys.stderr, dynamic_ncols=True,
                             leave=True)

    def update(self, snapshot: Any) -> None:
        if self._bar is None or snapshot.kind != "epoch":
            return
        figures = {"loss": f"{snapshot.train_loss:.4g}"}
        if snapshot.val_loss is not None:
            figures["val_loss"] = f"{snapshot.val_loss:.4g}"
        if snapshot.val_metric is not None:
            figures[f"val_{snapshot.metric_name}"] = f"{snapshot.val_metric:.4f}"
        self._bar.set_postfix(figures, refresh=False)
        self._bar.update(snapshot.epoch - self._bar.n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
