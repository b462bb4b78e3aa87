"""train.py against the engine in float64 on one CPU process: same initial weights, rows, batch order and
update rules, so after 20 steps (4 epochs of 5 batches) every weight and batch-norm statistic agrees within 1e-8.

Each case turns on what it names through the spec (optimizer, schedule with warm-up, L1/L2, clipping, batch
norm, Lookahead, decoupled decay); dropout stays off, because train.py draws torch's dropout masks.
"""

from __future__ import annotations

import numpy as np
import pytest

from core.network import Network
from tests.core.export.torch_train_support import (engine_run, export_training, run_train_script, small_problem,
                                                   trained_engine_arrays)

pytestmark = pytest.mark.torch

CASES = {
    "sgd_momentum": {"training.optimizer": {"name": "momentum", "lr": 0.1, "momentum": 0.9}},
    "adam": {"training.optimizer": {"name": "adam", "lr": 0.01}},
    "cosine_warmup_l2_norm_clip": {
        "training.schedule": {"name": "cosine", "warmup_epochs": 2, "warmup_start_factor": 0.2},
        "training.l2": 0.01, "training.clipping": {"mode": "norm", "value": 0.3}},
    "batch_norm": {"layers[0].batch_norm": True, "layers[1].batch_norm": True,
                   "training.optimizer": {"name": "momentum", "lr": 0.05}},
    "step_warmup_l1_value_clip_decoupled": {
        "training.schedule": {"name": "step", "step_size": 1, "gamma": 0.5, "warmup_epochs": 1},
        "training.l1": 0.001, "training.clipping": {"mode": "value", "value": 0.05},
        "training.decoupled_weight_decay": 0.01, "training.optimizer": {"name": "rmsprop", "lr": 0.01}},
    "lookahead_agc_adamw": {"training.lookahead": {"enabled": True, "k": 3, "alpha": 0.5},
                            "training.clipping": {"mode": "agc", "value": 0.05},
                            "training.optimizer": {"name": "adamw", "lr": 0.01}},
    "nesterov": {"training.optimizer": {"name": "nesterov", "lr": 0.05}},
    "adagrad": {"training.optimizer": {"name": "adagrad", "lr": 0.1, "lr_decay": 0.01}},
    "adadelta": {"training.optimizer": {"name": "adadelta"}},
    "adamax": {"training.optimizer": {"name": "adamax", "weight_decay": 0.01}},
    "nadam": {"training.optimizer": {"name": "nadam"}},
    "lbfgs_full_batch": {"training.optimizer": {"name": "lbfgs", "max_iter": 5}, "training.batch_mode": "full"},
    "no_shuffle": {"training.shuffle": False},
    "sgd_dampening_weight_decay": {"training.optimizer": {"name": "sgd", "lr": 0.1, "momentum": 0.5,
                                                          "dampening": 0.2, "weight_decay": 0.01}},
    "binary_cross_entropy": {"training.loss": "binary_cross_entropy", "layers[2].units": 1,
                             "layers[2].activation": "sigmoid", "training.optimizer": {"name": "adam", "lr": 0.02}},
    "regression_mae_elu": {"training.loss": "mae", "layers[0].activation": "elu",
                           "layers[1].activation": "gelu"},
    "regression_huber_batch_norm": {"training.loss": "huber", "training.huber_delta": 0.5,
                                    "layers[1].batch_norm": True},
}
REGRESSION = {"regression_huber_batch_norm", "regression_mae_elu"}


@pytest.mark.parametrize("case", list(CASES))
def test_twenty_steps_match_the_engine(tmp_path, case):
    pytest.importorskip("torch")
    data, spec = small_problem(CASES[case], task="regression" if case in REGRESSION else "classification")
    script = export_training(spec, data, tmp_path)
    network, trainer = engine_run(spec, data)
    assert trainer.step == (4 if case == "lbfgs_full_batch" else 20)
    assert run_train_script(script, "--dtype", "float64") == 0
    ours = trained_engine_arrays(script)
    assert np.abs(ours["params"] - network.params).max() < 1e-8
    np.testing.assert_allclose(ours["buffers"], network.buffers, rtol=0, atol=1e-8)
    # and the weights really moved: the comparison is not of two untouched copies
    assert np.abs(network.params - Network.from_spec(spec).params).max() > 1e-3


def test_epochs_on_the_command_line_plan_the_schedule_as_the_engine_would(tmp_path):
    pytest.importorskip("torch")
    cosine = {"training.schedule": {"name": "cosine", "warmup_epochs": 1}}
    data, exported = small_problem({**cosine, "training.epochs": 50})
    script = export_training(exported, data, tmp_path)
    network, _ = engine_run(small_problem({**cosine, "training.epochs": 4})[1], data)
    assert run_train_script(script, "--dtype", "float64", "--epochs", "4") == 0
    assert np.abs(trained_engine_arrays(script)["params"] - network.params).max() < 1e-8
