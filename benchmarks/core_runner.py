"""core's side of the speed benchmark: the studio's own Network + Trainer, exactly as the studio trains."""

from __future__ import annotations

import numpy as np

from benchmarks.workloads import Workload


def prepared_data(work: Workload):
    """Training data only (no validation set), already scaled: the trainer does no extra evaluation pass."""
    from core.data import PreparedData
    from core.data.scaling import Scaler

    empty_x = np.zeros((0, work.x.shape[1]), np.float32)
    empty_y = np.zeros(0, np.int64)
    return PreparedData(x_train=np.ascontiguousarray(work.x), y_train=work.y, x_val=empty_x, y_val=empty_y,
                        x_test=empty_x, y_test=empty_y, scaler=Scaler("none"), feature_transform=None,
                        task="classification", num_classes=work.sizes[-1], class_names=None,
                        feature_names=[f"x{i}" for i in range(work.x.shape[1])], target_names=["class"],
                        dataset_hash="benchmark", seed=0)


class CoreMLP:
    def __init__(self, work: Workload, seed: int = 0, fast_path: bool = True):
        from core.network import Network
        from core.spec import with_changes
        from core.training import Trainer

        spec = with_changes(work.spec(), {"training.epochs": 1_000_000})  # the benchmark decides when to stop
        self.network = Network.from_spec(spec, seed=seed)
        self.trainer = Trainer(self.network, prepared_data(work), spec["training"], report_every=0,
                               confusion=False, fast_path=fast_path)
        self.snapshots = self.trainer.run()

    def train_epoch(self) -> None:
        for snapshot in self.snapshots:
            if snapshot.kind != "batch":
                return
