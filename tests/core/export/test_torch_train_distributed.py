"""train.py under `torchrun --nproc_per_node 2` with the gloo backend on CPU: DistributedDataParallel over two
processes finishes, rank 0 alone writes the weights and prints one summary line, and the loss improves.

Batch norm and early stopping are on, so the end-of-epoch paths that keep the processes in step (rank 0's
batch-norm statistics and figures broadcast to all) are exercised too."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from tests.core.export.torch_train_support import export_training, small_problem

pytestmark = [pytest.mark.torch, pytest.mark.slow]


def test_torchrun_with_two_processes_finishes_and_improves_the_loss(tmp_path):
    pytest.importorskip("torch")
    data, spec = small_problem({"training.epochs": 15, "training.dtype": "float32", "layers[0].batch_norm": True,
                                "training.optimizer": {"name": "adam", "lr": 0.03},
                                "training.early_stopping": {"enabled": True, "patience": 50}}, name="circles")
    script = export_training(spec, data, tmp_path)
    result = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
                             str(script), "--backend", "gloo"], capture_output=True, text=True, timeout=600,
                            cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    summary = [line for line in result.stdout.splitlines() if "epochs (" in line]
    assert len(summary) == 1 and summary[0].startswith("15 epochs (completed")  # rank 0 only
    history = json.loads((tmp_path / "trained_state_dict_history.json").read_text(encoding="utf-8"))
    assert len(history) == 15
    assert history[-1]["train_loss"] < 0.85 * history[0]["train_loss"]  # 0.55-0.61 over seeds 0, 3, 7
    with np.load(tmp_path / "trained_state_dict.npz", allow_pickle=False) as state, \
            np.load(tmp_path / "initial_state_dict.npz", allow_pickle=False) as initial:
        assert np.abs(state["layers.0.dense.weight"] - initial["layers.0.dense.weight"]).max() > 1e-2
