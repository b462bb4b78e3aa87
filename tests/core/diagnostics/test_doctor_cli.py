"""`backprop-studio doctor PROJECT [--epochs N] [--json]`: the exact JSON shape, one object per line, exit 0 with
or without findings, nothing written, and a bad file or option as one line on stderr."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.cli import run_cli
from core.diagnostics import PROBLEMS
from core.project import save_project
from core.spec import with_changes
from tests.core.diagnostics.doctor_support import SCENARIOS

DATA_CONFIG = {"source": {"kind": "playground", "name": "circles", "num_points": 400, "noise": 0.1, "seed": 0},
               "val_fraction": 0.2, "test_fraction": 0.0, "scaling": "standard", "feature_transform": []}


def write_project(path: Path, spec: dict) -> Path:
    save_project(path, spec, DATA_CONFIG, None, [], {})
    return path


def check_line_shape(line: str, spec: dict) -> dict:
    finding = json.loads(line)
    assert list(finding) == ["problem", "epoch", "layer", "evidence", "cures"]
    assert finding["problem"] in PROBLEMS
    assert isinstance(finding["epoch"], int) and finding["epoch"] >= 1
    assert finding["layer"] is None or isinstance(finding["layer"], str)
    assert finding["evidence"] and all(isinstance(k, str) and (v is None or isinstance(v, (int, float)))
                                       for k, v in finding["evidence"].items())
    for cure in finding["cures"]:
        assert list(cure) == ["label", "changes"] and isinstance(cure["label"], str)
        with_changes(spec, cure["changes"])  # each cure applies to the project's spec
    return finding


def test_json_one_object_per_line_for_the_rate_1000_project(tmp_path, capsys):
    spec = SCENARIOS["lr_too_high"][0]
    path = write_project(tmp_path / "lr1000.bps", spec)
    before = path.read_bytes()
    assert run_cli(["doctor", str(path), "--epochs", "6", "--json"]) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    findings = [check_line_shape(line, spec) for line in lines]
    assert {f["problem"] for f in findings} == {"lr_too_high", "saturation"}
    lr = next(f for f in findings if f["problem"] == "lr_too_high")
    assert lr["layer"] is None and lr["evidence"]["loss_over_start"] > 100
    assert lr["cures"][0] == {"label": "Lower the learning rate to 0.01", "changes": {"training.optimizer.lr": 0.01}}
    assert path.read_bytes() == before  # the doctor saves nothing


def test_text_output_names_the_problem_its_evidence_and_cures_as_set_options(tmp_path, capsys):
    path = write_project(tmp_path / "vanishing.bps", SCENARIOS["vanishing_gradients"][0])
    assert run_cli(["doctor", str(path), "--epochs", "6"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("vanishing_gradients (epoch ")
    assert "evidence: gradient_over_last_layer = " in out
    assert '--set layers[*].activation="relu" --set layers[*].init="he_normal"' in out


def test_a_healthy_example_prints_no_json_line_and_exits_0(capsys):
    assert run_cli(["doctor", "xor", "--epochs", "20", "--json"]) == 0
    assert capsys.readouterr().out == ""


def test_a_healthy_example_says_so_in_text(capsys):
    assert run_cli(["doctor", "xor", "--epochs", "20"]) == 0
    assert capsys.readouterr().out == "xor: no problem found in 20 epochs (completed).\n"


@pytest.mark.parametrize("argv, code, message", [
    (["doctor", "no_such_project"], 2, "no_such_project: no such project file"),
    (["doctor", "xor", "--epochs", "0"], 2, "--epochs must be at least 1, got 0"),
    (["doctor", "xor", "--epochs", "many"], 2, "invalid int value"),
])
def test_user_mistakes_are_one_line_on_stderr(argv, code, message, capsys):
    assert run_cli(argv) == code
    captured = capsys.readouterr()
    assert captured.out == ""
    assert message in captured.err and "Traceback" not in captured.err


def test_a_file_that_is_no_project_is_one_line_and_writes_nothing(tmp_path, capsys):
    bad = tmp_path / "bad.bps"
    bad.write_bytes(b"\x00not a project")
    assert run_cli(["doctor", str(bad), "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and len(captured.err.strip().splitlines()) == 1 and "bad.bps" in captured.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.bps"]
