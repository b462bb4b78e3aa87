"""`doctor PROJECT` on a trained project reads its saved history instead of training; `--retrain`/`--epochs` train.

Both paths on the same project: the lr = 1000 run trained and saved by `train`, then diagnosed from its history
(the learning rate found, the probe's problems named as not checked) and by training again (the probe's saturation
found too). A history saved without per-layer figures still gives overfitting, and says what it could not check.
"""

from __future__ import annotations

import json
import math

import pytest

from core.cli import run_cli
import core.diagnostics
from core.diagnostics.saved_history import NEEDS_PER_LAYER, NEEDS_PROBE, diagnose_history, usable_records
from core.project import load_project, save_project
from core.spec import default_spec
from tests.core.diagnostics.doctor_support import SCENARIOS
from tests.core.diagnostics.test_doctor_cli import DATA_CONFIG, check_line_shape, write_project


@pytest.fixture
def trained_lr1000(tmp_path):
    spec = SCENARIOS["lr_too_high"][0]
    path = write_project(tmp_path / "lr1000.bps", spec)
    assert run_cli(["train", str(path), "--epochs", "8", "-q"]) == 0
    assert len(load_project(path).history) == 8
    return path, spec


def test_a_trained_project_is_diagnosed_from_its_history_without_training(trained_lr1000, capsys, monkeypatch):
    path, spec = trained_lr1000
    capsys.readouterr()

    def no_training(*args, **kwargs):
        raise AssertionError("the doctor trained although the project has a saved history")

    monkeypatch.setattr(core.diagnostics, "diagnose", no_training)  # what the command calls to train
    before = path.read_bytes()
    assert run_cli(["doctor", str(path), "--json"]) == 0
    captured = capsys.readouterr()
    findings = [check_line_shape(line, spec) for line in captured.out.splitlines()]
    assert [f["problem"] for f in findings] == ["lr_too_high"]
    assert findings[0]["evidence"]["loss_over_start"] > 100 and findings[0]["epoch"] <= 3
    assert "read the saved history of lr1000.bps (8 epochs), no training" in captured.err
    assert f"not checked: {', '.join(NEEDS_PROBE)} (they need the activation probe" in captured.err
    assert path.read_bytes() == before


def test_retrain_and_epochs_train_again_with_every_detector(trained_lr1000, capsys):
    path, spec = trained_lr1000
    capsys.readouterr()
    for extra in (["--retrain"], ["--epochs", "6"]):
        assert run_cli(["doctor", str(path), "--json", *extra]) == 0
        captured = capsys.readouterr()
        problems = {check_line_shape(line, spec)["problem"] for line in captured.out.splitlines()}
        assert problems == {"lr_too_high", "saturation"}  # saturation needs the live probe
        assert "training lr1000.bps from fresh initial weights" in captured.err
        assert "not checked" not in captured.err


def test_an_untrained_project_is_trained_and_says_so(tmp_path, capsys):
    path = write_project(tmp_path / "fresh.bps", default_spec(2, 2))
    assert run_cli(["doctor", str(path), "--epochs", "3"]) == 0
    captured = capsys.readouterr()
    assert "training fresh.bps from fresh initial weights (3 epochs)" in captured.err
    assert captured.out == "fresh: no problem found in 3 epochs (completed).\n"


def _overfitting_history(per_layer: bool) -> list[dict]:
    """A run that memorises: the training loss falls steadily, the validation loss falls, then climbs."""
    records = []
    for epoch in range(1, 31):
        train = 0.7 * math.exp(-epoch / 6)
        val = 0.7 * math.exp(-epoch / 6) if epoch <= 8 else 0.7 * math.exp(-8 / 6) + 0.08 * (epoch - 8)
        record = {"epoch": epoch, "train_loss": train, "train_metric": 0.9, "val_loss": val, "val_metric": 0.8,
                  "lr": 0.01, "grad_norms": [0.1, 0.1, 0.1], "elapsed": 0.1 * epoch}
        if per_layer:
            record.update(grad_mean_abs=[0.01, 0.01, 0.01], update_ratios=[1e-3, 1e-3, 1e-3])
        records.append(record)
    return records


def test_a_history_without_per_layer_figures_still_finds_overfitting_and_names_what_it_skipped(tmp_path, capsys):
    spec = default_spec(2, 2)
    path = tmp_path / "old.bps"
    save_project(path, spec, DATA_CONFIG, None, _overfitting_history(per_layer=False), {})
    assert run_cli(["doctor", str(path)]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("overfitting (epoch ")
    assert f"not checked: {', '.join(NEEDS_PER_LAYER)} (the saved history has no per-layer gradients" in captured.err
    assert f"not checked: {', '.join(NEEDS_PROBE)}" in captured.err


def test_the_same_history_with_per_layer_figures_checks_more():
    names = ["layer 1 (tanh)", "layer 2 (tanh)", "output (softmax)"]
    full = diagnose_history(default_spec(2, 2), _overfitting_history(per_layer=True), names)
    bare = diagnose_history(default_spec(2, 2), _overfitting_history(per_layer=False), names)
    assert set(full.skipped) == set(NEEDS_PROBE)
    assert set(bare.skipped) == set(NEEDS_PROBE) | set(NEEDS_PER_LAYER)
    assert [f.problem for f in full.findings] == [f.problem for f in bare.findings] == ["overfitting"]
    assert full.epochs == 30


def test_records_a_trainer_never_wrote_are_skipped_and_an_empty_history_trains():
    history = [{"epoch": 1, "train_loss": 0.5}, {"epoch": 1, "train_loss": 0.4}, "junk",
               {"epoch": True, "train_loss": 0.3}, {"epoch": 2, "train_loss": float("nan")},
               {"epoch": 3, "train_loss": 0.2}]
    assert [r["epoch"] for r in usable_records(history)] == [1, 3]
    assert diagnose_history(default_spec(2, 2), [{"epoch": "x"}], ["a", "b", "c"]) is None
    assert json.dumps(usable_records(history))  # plain records, as read
