"""`lr-find` and `gradcheck` on the command line: the exact shape of their text and JSON output, and their exit
codes (0 found/agree, 1 a wrong gradient, 2 a file or setting that can't be used), one line on stderr for errors."""

from __future__ import annotations

import json
import re

import pytest

from core.cli.main import main
from core.layers.dense_block import DenseBlock
from core.project import load_project
from tests.core.test_cli import write_project

LR_FIND_KEYS = {"suggestion", "rule", "suggestions", "stop_reason", "weights", "rates", "losses"}
GRADCHECK_KEYS = {"layer", "relative_error", "checked_entries", "passed", "analytic", "numeric", "threshold"}
LAYERS = ["layer 1 (tanh)", "layer 2 (tanh)", "output (softmax)"]  # the default 2-8-8-2 network


@pytest.fixture()
def project(tmp_path):
    return write_project(tmp_path / "circles.bps", epochs=3)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_lr_find_prints_the_suggestion_its_rule_and_the_curve(project, capsys):
    code, out, err = run(capsys, "lr-find", str(project), "--steps", "60")
    assert code == 0
    lines = out.splitlines()
    match = re.fullmatch(r"suggested learning rate: (\S+) \((steepest descent of the smoothed loss|the minimum's "
                         r"rate ÷ 10); (.+) gives (.+)\)", lines[0])
    assert match, lines[0]
    suggestion = float(match.group(1))
    assert lines[1].startswith("circles.bps: ") and "from the initial weights" in lines[1]
    assert lines[2].split() == ["rate", "loss"]
    curve = lines[3:]
    steps = int(lines[1].split()[1])
    assert len(curve) == steps and 5 <= steps <= 60
    rates = [float(line.split()[0]) for line in curve]
    assert rates[0] == pytest.approx(1e-7) and rates == sorted(rates)
    marked = [line for line in curve if line.endswith("<- suggested")]
    assert len(marked) == 1 and float(marked[0].split()[0]) == pytest.approx(suggestion, rel=0.25)


def test_lr_find_json_is_one_object_with_the_documented_fields(project, capsys):
    code, out, _ = run(capsys, "lr-find", str(project), "--json", "--steps", "60")
    assert code == 0 and len(out.splitlines()) == 1
    document = json.loads(out)
    assert set(document) == LR_FIND_KEYS
    assert document["rule"] in ("steepest", "minimum") and set(document["suggestions"]) == {"steepest", "minimum"}
    assert document["suggestion"] == document["suggestions"][document["rule"]]
    assert document["weights"] == "initial"
    assert len(document["rates"]) == len(document["losses"]) <= 60
    assert all(isinstance(value, float) for value in document["rates"] + document["losses"])


def test_lr_find_starts_from_the_trained_weights_and_changes_no_file(project, capsys):
    assert main(["train", str(project), "--quiet"]) == 0
    capsys.readouterr()
    before = project.read_bytes()
    code, out, _ = run(capsys, "lr-find", str(project), "--json", "--steps", "40")
    assert code == 0 and json.loads(out)["weights"] == "trained"
    assert project.read_bytes() == before


@pytest.mark.parametrize("command", ["lr-find", "gradcheck"])
def test_a_file_that_is_no_project_is_one_line_and_exit_2(tmp_path, capsys, command):
    bad = tmp_path / "bad.bps"
    bad.write_text("this is not a project")
    for target in (str(bad), str(tmp_path / "missing.bps")):
        code, out, err = run(capsys, command, target)
        assert code == 2 and out == ""
        assert len(err.strip().splitlines()) == 1 and err.startswith("backprop-studio: error: ")
        assert "Traceback" not in err


def test_lr_find_refuses_lbfgs_in_one_line(project, capsys):
    code, out, err = run(capsys, "lr-find", str(project), "--set", "training.optimizer.name=lbfgs",
                         "--set", "training.batch_mode=full")
    assert code == 2 and out == "" and "L-BFGS" in err and len(err.strip().splitlines()) == 1


def test_gradcheck_prints_one_line_per_layer_and_a_verdict(project, capsys):
    code, out, _ = run(capsys, "gradcheck", str(project))
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "circles.bps: 32 rows, initial weights, threshold 0.0001"
    assert len(lines) == 2 + len(LAYERS)
    for name, line in zip(LAYERS, lines[1:-1]):
        assert line.startswith(name) and line.endswith(" ok") and "relative error" in line
    assert lines[-1].startswith("all 3 layers agree")


def test_gradcheck_json_is_one_object_per_layer(project, capsys):
    code, out, _ = run(capsys, "gradcheck", str(project), "--json")
    assert code == 0
    objects = [json.loads(line) for line in out.splitlines()]
    assert [o["layer"] for o in objects] == LAYERS
    for o in objects:
        assert set(o) == GRADCHECK_KEYS and o["passed"] is True and o["threshold"] == 1e-4
        assert 0 <= o["relative_error"] < 1e-4 and o["checked_entries"] == 20 - 2 * (o["layer"] == LAYERS[-1])


def break_layer_two(monkeypatch):
    original = DenseBlock.backward

    def broken_backward(self, grad_out, need_input_grad=True):
        result = original(self, grad_out, need_input_grad)
        if self.name == LAYERS[1]:
            self.views.grad_weight *= 1.05  # a 5 % error in one layer's weight gradient
        return result

    monkeypatch.setattr(DenseBlock, "backward", broken_backward)


def test_a_planted_wrong_gradient_makes_gradcheck_exit_1_naming_the_layer(project, capsys, monkeypatch):
    break_layer_two(monkeypatch)
    code, out, _ = run(capsys, "gradcheck", str(project), "--json")
    assert code == 1
    objects = [json.loads(line) for line in out.splitlines()]
    assert [o["passed"] for o in objects] == [True, False, True]
    assert objects[1]["relative_error"] > 1e-2
    code, out, _ = run(capsys, "gradcheck", str(project))
    assert code == 1
    assert out.splitlines()[2].startswith(LAYERS[1]) and out.splitlines()[2].endswith("FAIL")
    assert out.splitlines()[-1].startswith("FAILED: 1 of 3 layers disagree") and LAYERS[1] in out.splitlines()[-1]


def test_a_threshold_above_the_planted_error_passes_again(project, capsys, monkeypatch):
    break_layer_two(monkeypatch)
    code, _, _ = run(capsys, "gradcheck", str(project), "--threshold", "0.5")
    assert code == 0  # the exit code follows the threshold, not a fixed figure


def test_gradcheck_at_weights_whose_loss_is_not_finite_is_exit_2(project, capsys):
    from core.project import save_project
    assert main(["train", str(project), "--quiet"]) == 0
    trained = load_project(project)
    weights = {key: value.copy() for key, value in trained.weights.items()}
    weights["params"][:] = 3e38  # finite weights, but the outputs overflow float32
    save_project(project, trained.spec, trained.data_config, weights, trained.history, trained.extra)
    capsys.readouterr()
    code, out, err = run(capsys, "gradcheck", str(project))
    assert code == 2 and out == "" and "not finite" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("option", [["--rows", "0"], ["--entries", "0"], ["--threshold", "-1"],
                                    ["--threshold", "nan"]])
def test_gradcheck_usage_errors_are_exit_2(project, capsys, option):
    code, out, err = run(capsys, "gradcheck", str(project), *option)
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1


def test_both_commands_are_listed_in_the_help(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "lr-find" in out and "gradcheck" in out
