"""Training: the `Trainer` generator that yields `Snapshot`s, early stopping, batching, checkpoints, `fit`.

    from core.training import Trainer
    trainer = Trainer(network, data, report_every=10)
    for snapshot in trainer.run():
        ...  # plot it; call trainer.stop() / set_live("training.optimizer.lr", 0.01) / request_histograms()

The names below load on first use (PEP 562): importing `core.training.snapshot`, as the studio's window does,
must not pull in the Trainer and with it numba (~0.3 s of the app's start).
"""

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.training.early_stopping import EarlyStopping
    from core.training.fitting import fit
    from core.training.snapshot import Histogram, Snapshot
    from core.training.trainer import Trainer

_HOMES = {"EarlyStopping": "core.training.early_stopping", "fit": "core.training.fitting",
          "Histogram": "core.training.snapshot", "Snapshot": "core.training.snapshot",
          "Trainer": "core.training.trainer"}

__all__ = ["EarlyStopping", "Histogram", "Snapshot", "Trainer", "fit"]


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module 'core.training' has no attribute {name!r}")
    value = getattr(import_module(_HOMES[name]), name)
    globals()[name] = value
    return value
