"""`train --set PATH=VALUE`: command-line changes by spec path (--epochs and --seed are its shorthands)."""

from __future__ import annotations

import pytest

from core.cli import run_cli
from core.cli.train_command import setting_changes
from core.project import load_project
from tests.core.test_cli import error_of, write_project


def test_set_values_are_json_when_they_parse_else_text():
    assert setting_changes(["training.optimizer.lr=0.01", "layers[0].units=16", "training.shuffle=false",
                            "training.loss=mse", "training.schedule.milestones=[3, 5]", "layers[0].init=he_normal"]) \
        == {"training.optimizer.lr": 0.01, "layers[0].units": 16, "training.shuffle": False, "training.loss": "mse",
            "training.schedule.milestones": [3, 5], "layers[0].init": "he_normal"}


def test_train_with_set_changes_the_run_and_the_saved_spec(tmp_path):
    path = write_project(tmp_path / "c.bps", epochs=25)
    out = tmp_path / "out.bps"
    assert run_cli(["train", str(path), "-q", "--set", "training.optimizer.lr=0.02", "--set", "layers[0].units=5",
                    "--set", "layers[*].dropout=0.1", "--epochs", "2", "-o", str(out)]) == 0
    spec = load_project(out).spec
    assert spec["training"]["optimizer"]["lr"] == 0.02 and spec["training"]["epochs"] == 2
    assert spec["layers"][0]["units"] == 5 and [layer["dropout"] for layer in spec["layers"]] == [0.1, 0.1, 0.0]
    assert len(load_project(out).history) == 2


def test_epochs_and_seed_are_shorthands_for_set(tmp_path):
    path = write_project(tmp_path / "c.bps", epochs=25)
    for name, argv in (("a", ["--epochs", "2", "--seed", "4"]),
                       ("b", ["--set", "training.epochs=2", "--set", "training.seed=4"])):
        assert run_cli(["train", str(path), "-q", *argv, "-o", str(tmp_path / f"{name}.bps")]) == 0
    a, b = load_project(tmp_path / "a.bps"), load_project(tmp_path / "b.bps")
    assert a.spec == b.spec and (a.weights["params"] == b.weights["params"]).all()


@pytest.mark.parametrize("argv, message", [
    (["--set", "training.optimizer.lr=-1"], "--set training.optimizer.lr: optimizer adam: lr must be > 0, got -1"),
    (["--set", "training.optimizer.lr"], "--set training.optimizer.lr: write PATH=VALUE"),
    (["--set", "training..lr=1"], "'training..lr' is not a setting path"),
    (["--set", "layers[7].units=3"], "--set layers[7].units: there is no layer 8; the network has 3 layers"),
    (["--set", "training.optimizer.momentum=0.9"], "optimizer adam: unknown setting 'momentum'"),
    (["--set", "layers[0].activation=softmax"], "softmax is allowed only on the output layer"),
    (["--seed", "-3"], "--seed: training: seed must be ≥ 0, got -3"),
])
def test_a_refused_set_is_one_line_naming_the_path(tmp_path, capsys, argv, message):
    path = write_project(tmp_path / "c.bps", epochs=2)
    code, err = error_of(["train", str(path), "-q", *argv], capsys)
    assert code == 2 and message in err and len(err.splitlines()) == 1
    assert load_project(path).weights is None  # nothing was trained or written
