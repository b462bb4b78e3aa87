"""train.py's epoch-end rules against the engine (float64, one process): early stopping with restore-best,
reduce-on-plateau, and what a run with dropout still guarantees (it runs and learns; its masks are torch's)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.core.export.torch_train_support import (engine_run, export_training, run_train_script, small_problem,
                                                   trained_engine_arrays)

pytestmark = pytest.mark.torch


def history_of(script):
    return json.loads(script.with_name("trained_state_dict_history.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("monitor", ["val_loss", "val_metric"])
def test_early_stopping_stops_at_the_same_epoch_and_restores_the_same_best_weights(tmp_path, monitor, capsys):
    pytest.importorskip("torch")
    data, spec = small_problem({"training.epochs": 60, "training.optimizer": {"name": "adam", "lr": 0.05},
                                "training.early_stopping": {"enabled": True, "monitor": monitor, "patience": 3,
                                                            "restore_best": True}})
    script = export_training(spec, data, tmp_path)
    network, trainer = engine_run(spec, data)
    stopper = trainer.early_stopping
    assert len(trainer.history) < 60 and stopper.best_epoch < len(trainer.history)  # it stopped, then restored
    assert run_train_script(script, "--dtype", "float64") == 0
    assert f"(early stopping, best epoch {stopper.best_epoch} restored)" in capsys.readouterr().out
    history = history_of(script)
    assert len(history) == len(trainer.history)
    np.testing.assert_allclose([r["val_loss"] for r in history], [r["val_loss"] for r in trainer.history],
                               rtol=0, atol=1e-8)
    assert np.abs(trained_engine_arrays(script)["params"] - network.params).max() < 1e-8


def test_reduce_on_plateau_cuts_the_rate_at_the_same_epochs(tmp_path):
    pytest.importorskip("torch")
    data, spec = small_problem({"training.epochs": 10,
                                "training.schedule": {"name": "plateau", "patience": 0, "factor": 0.5,
                                                      "threshold": 0.05, "warmup_epochs": 2},
                                "training.early_stopping": {"monitor": "train_loss"}})
    script = export_training(spec, data, tmp_path)
    network, trainer = engine_run(spec, data)
    engine_rates = [r["lr"] for r in trainer.history]
    assert len(set(engine_rates[2:])) > 1  # the plateau rule did cut the rate
    assert run_train_script(script, "--dtype", "float64") == 0
    np.testing.assert_allclose([r["lr"] for r in history_of(script)], engine_rates, rtol=1e-12)
    assert np.abs(trained_engine_arrays(script)["params"] - network.params).max() < 1e-8


def test_with_dropout_train_py_uses_torch_s_masks_and_still_learns(tmp_path):
    pytest.importorskip("torch")
    settings = {"training.epochs": 30, "training.optimizer": {"name": "adam", "lr": 0.03},
                "training.dtype": "float32"}
    data, spec = small_problem({**settings, "layers[0].dropout": 0.2, "layers[1].dropout": 0.2}, name="circles")
    script = export_training(spec, data, tmp_path / "dropout")
    assert run_train_script(script) == 0
    history = history_of(script)
    assert history[-1]["train_loss"] < 0.7 * history[0]["train_loss"]
    with np.load(script.with_name("trained_state_dict.npz"), allow_pickle=False) as state:
        assert state["layers.0.dense.weight"].dtype == np.float32  # the project's precision by default
    # the masks are really drawn: the same run without dropout ends elsewhere
    without = export_training(small_problem(settings, name="circles")[1], data, tmp_path / "plain")
    assert run_train_script(without) == 0
    assert np.abs(trained_engine_arrays(script)["params"] - trained_engine_arrays(without)["params"]).max() > 1e-3


def test_a_batch_norm_batch_of_one_row_is_refused_in_one_line(tmp_path, capsys):
    pytest.importorskip("torch")
    data, spec = small_problem({"training.batch_size": 59, "layers[0].batch_norm": True})  # 60 rows: 59 + 1
    script = export_training(spec, data, tmp_path)
    assert run_train_script(script) == 1
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "batch norm can't train on a single row" in error
    assert not (tmp_path / "trained_state_dict.npz").exists()


@pytest.mark.parametrize("lr", [1.0, 50.0])
def test_a_diverging_run_stops_on_the_same_last_finite_weights(tmp_path, capsys, lr):
    pytest.importorskip("torch")
    data, spec = small_problem({"training.optimizer": {"name": "sgd", "lr": lr}, "training.epochs": 10,
                                "layers[0].activation": "relu", "layers[1].activation": "relu"}, task="regression")
    script = export_training(spec, data, tmp_path)
    network, trainer = engine_run(spec, data)
    assert trainer.step < 10 * 5  # the engine stopped it
    assert run_train_script(script, "--dtype", "float64") == 0
    assert "(diverged: the loss exploded" in capsys.readouterr().out
    np.testing.assert_allclose(trained_engine_arrays(script)["params"], network.params, rtol=1e-10, atol=1e-8)
