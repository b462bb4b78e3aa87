"""Training: the `Trainer` generator that yields `Snapshot`s, early stopping, batching, checkpoints, `fit`.

    from core.training import Trainer
    trainer = Trainer(network, data, report_every=10)
    for snapshot in trainer.run():
        ...  # plot it; call trainer.stop() / set_live(lr=...) / request_histograms() from anywhere
"""

from core.training.early_stopping import EarlyStopping
from core.training.fit import fit
from core.training.snapshot import Histogram, Snapshot
from core.training.trainer import Trainer

__all__ = ["EarlyStopping", "Histogram", "Snapshot", "Trainer", "fit"]
