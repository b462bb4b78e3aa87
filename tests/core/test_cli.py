"""The headless commands: train writes a trained project, predict writes CSV, export writes each format, and every
user mistake is one line on stderr with a non-zero exit code, never a traceback."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from core.cli import run_cli
from core.cli.main import main
from core.project import load_project, save_project
from core.spec import default_spec, thaw

REPO = Path(__file__).resolve().parents[2]
CIRCLES = {"kind": "playground", "name": "circles", "num_points": 200, "noise": 0.1, "seed": 0}


def write_project(path: Path, epochs: int = 25, source: dict | None = None, transform: list | None = None,
                  spec: dict | None = None) -> Path:
    spec = thaw(spec) if spec else default_spec(input_size=len(transform) if transform else 2).to_json()
    spec["training"]["epochs"] = epochs
    config = {"source": source or CIRCLES, "val_fraction": 0.2, "test_fraction": 0.2, "scaling": "standard",
              "feature_transform": transform or []}
    save_project(path, spec, config, None, [], {"description": "circles for the CLI tests"})
    return path


@pytest.fixture()
def trained_project(tmp_path) -> Path:
    path = write_project(tmp_path / "circles.bps")
    assert run_cli(["train", str(path), "--quiet"]) == 0
    return path


def test_argv_that_is_not_a_command_starts_the_app():
    assert run_cli([]) is None
    assert run_cli(["--project", "x.bps"]) is None
    assert run_cli(["--self-test"]) is None


def test_train_writes_weights_history_and_keeps_the_extra_metadata(tmp_path, capsys):
    path = write_project(tmp_path / "c.bps")
    output = tmp_path / "trained.bps"
    assert run_cli(["train", str(path), "--quiet", "--epochs", "12", "--output", str(output)]) == 0
    summary = capsys.readouterr().out
    assert "trained 12 epochs" in summary and "validation accuracy" in summary and str(output) in summary
    project = load_project(output)
    assert project.weights is not None and len(project.history) == 12
    assert project.spec["training"]["epochs"] == 12
    assert project.extra["description"] == "circles for the CLI tests"
    # it really trained: over seeds 0–19 the last epoch's loss is at most 0.46 of the first's
    assert project.history[-1]["train_loss"] < 0.7 * project.history[0]["train_loss"]
    assert load_project(path).weights is None  # the input project is untouched when --output is given


def test_train_is_reproducible_and_the_seed_override_changes_the_run(tmp_path):
    path = write_project(tmp_path / "c.bps", epochs=3)
    outputs = []
    for name, seed in (("a", "7"), ("b", "7"), ("c", "8")):
        out = tmp_path / f"{name}.bps"
        assert run_cli(["train", str(path), "-q", "--seed", seed, "-o", str(out)]) == 0
        outputs.append(load_project(out))
    np.testing.assert_array_equal(outputs[0].weights["params"], outputs[1].weights["params"])
    assert not np.array_equal(outputs[0].weights["params"], outputs[2].weights["params"])
    assert outputs[2].spec["training"]["seed"] == 8


def test_train_shows_a_progress_bar_on_stderr(tmp_path, capsys):
    path = write_project(tmp_path / "c.bps", epochs=4)
    assert run_cli(["train", str(path)]) == 0
    err = capsys.readouterr().err
    assert "4/4" in err and "epoch" in err and "val_accuracy" in err


def test_resume_continues_from_the_saved_weights(tmp_path, trained_project):
    before = load_project(trained_project)
    assert run_cli(["train", str(trained_project), "-q", "--resume", "--epochs", "2"]) == 0
    after = load_project(trained_project)
    assert len(after.history) == len(before.history) + 2
    untrained = write_project(tmp_path / "u.bps")
    assert run_cli(["train", str(untrained), "-q", "--resume"]) == 2


def test_predict_writes_probabilities_and_class_names(trained_project, tmp_path, capsys):
    from core.project_parts import network_with_weights, prepare_from_config
    data = tmp_path / "points.csv"
    data.write_text("label,y,x\n0,0.0,0.2\n1,4.0,-3.5\n", encoding="utf-8")  # columns picked by name
    assert run_cli(["predict", str(trained_project), str(data)]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0] == ["p(class 0)", "p(class 1)", "predicted"]
    project = load_project(trained_project)
    prepared = prepare_from_config(project.data_config, project.spec)
    network = network_with_weights(project.spec, project.weights)
    expected = network.predict(prepared.preprocess(np.array([[0.2, 0.0], [-3.5, 4.0]], np.float32)))
    np.testing.assert_allclose([[float(v) for v in row[:2]] for row in rows[1:]], expected, atol=1e-5)
    assert [row[2] for row in rows[1:]] == [f"class {i}" for i in expected.argmax(axis=1)]


def test_predict_to_a_file_and_from_npz(trained_project, tmp_path):
    data = tmp_path / "points.npz"
    np.savez(data, x=np.zeros((5, 2), np.float32))
    out = tmp_path / "out.csv"
    assert run_cli(["predict", str(trained_project), str(data), "-o", str(out)]) == 0
    assert len(out.read_text().splitlines()) == 6


@pytest.mark.parametrize("fmt,names", [("onnx", ["circles.onnx"]), ("npz", ["circles.json", "circles.npz"]),
                                       ("numpy", ["circles.json", "circles.npz", "predict.py"]),
                                       ("safetensors", ["circles.safetensors"]),
                                       ("torch", ["circles_model.py", "circles_model_state_dict.npz"])])
def test_export_writes_each_format_next_to_the_working_folder(trained_project, tmp_path, monkeypatch, capsys, fmt,
                                                               names):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    monkeypatch.chdir(out_dir)
    assert run_cli(["export", str(trained_project), "--format", fmt]) == 0
    assert sorted(p.name for p in out_dir.iterdir()) == names
    assert sorted(Path(line).name for line in capsys.readouterr().out.split()) == names  # it lists its files


def test_exported_onnx_matches_the_cli_predictions(trained_project, tmp_path, capsys):
    ort = pytest.importorskip("onnxruntime")
    onnx_path = tmp_path / "m.onnx"
    assert run_cli(["export", str(trained_project), "-f", "onnx", "-o", str(onnx_path)]) == 0
    x = np.array([[0.5, -1.0], [3.0, 3.0]], np.float32)
    data = tmp_path / "x.csv"
    np.savetxt(data, x, delimiter=",", fmt="%.9g")
    capsys.readouterr()
    assert run_cli(["predict", str(trained_project), str(data)]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))[1:]
    (probabilities,) = ort.InferenceSession(str(onnx_path)).run(None, {"features": x})
    np.testing.assert_allclose(probabilities, [[float(v) for v in row[:2]] for row in rows], atol=1e-5)


# --------------------------------------------------------------------------------------------- user mistakes
def error_of(argv, capsys) -> tuple[int, str]:
    code = run_cli(argv)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.err.strip()


def test_untrained_projects_are_refused_for_predict_and_export_unless_allowed(tmp_path, capsys):
    path = write_project(tmp_path / "u.bps")
    code, err = error_of(["predict", str(path), str(path)], capsys)
    assert code == 2 and "has no trained weights; run: backprop-studio train" in err
    code, err = error_of(["export", str(path), "-f", "onnx", "-o", str(tmp_path / "u.onnx")], capsys)
    assert code == 2 and "--allow-untrained" in err and not (tmp_path / "u.onnx").exists()
    assert run_cli(["export", str(path), "-f", "onnx", "-o", str(tmp_path / "u.onnx"), "--allow-untrained"]) == 0


@pytest.mark.parametrize("make_argv,message", [
    (lambda d, p: ["train", str(d / "missing.bps")], "missing.bps: no such project file"),
    (lambda d, p: ["train", str(p), "--epochs", "0"], "--epochs must be at least 1"),
    (lambda d, p: ["train", str(p), "--seed", "-3"], "seed"),
    (lambda d, p: ["export", str(p), "-f", "onnx", "-o", str(d / "no" / "m.onnx")], "does not exist"),
    (lambda d, p: ["predict", str(p), str(d / "none.csv")], "none.csv: no such data file"),
    (lambda d, p: ["train", str(d / "notes.txt")], "not a Backprop Studio project"),
])
def test_mistakes_give_one_line_and_exit_code(tmp_path, trained_project, capsys, make_argv, message):
    (tmp_path / "notes.txt").write_text("hello")
    code, err = error_of(make_argv(tmp_path, trained_project), capsys)
    assert code == 2  # bad input, whichever command (core.cli.errors)
    assert err.startswith("backprop-studio: error:") and message in err
    assert len(err.splitlines()) == 1


def test_bad_feature_files_name_the_line_and_column(trained_project, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("x,y\n1,2\n3,oops\n", encoding="utf-8")
    code, err = error_of(["predict", str(trained_project), str(bad)], capsys)
    assert code == 2 and "line 3, column 'y': 'oops' is not a number" in err
    wide = tmp_path / "wide.csv"
    wide.write_text("1,2,3\n", encoding="utf-8")
    code, err = error_of(["predict", str(trained_project), str(wide)], capsys)
    assert "rows have 3 columns but the model needs 2" in err


def test_missing_data_file_of_a_project_is_reported(tmp_path, capsys):
    path = write_project(tmp_path / "f.bps", source={"kind": "file", "path": str(tmp_path / "gone.csv"),
                                                     "format": "csv"})
    code, err = error_of(["train", str(path)], capsys)
    assert code == 2 and "f.bps: can't load its data" in err and "gone.csv" in err


def test_usage_errors_and_help(capsys):
    assert run_cli(["export", "x.bps", "--format", "tflite"]) == 2
    assert "invalid choice: 'tflite'" in capsys.readouterr().err
    assert run_cli(["--help"]) == 0
    out = capsys.readouterr().out
    for word in ("train", "predict", "export", "--install-desktop-entry", "--self-test"):
        assert word in out
    assert run_cli(["train", "--help"]) == 0
    assert "--epochs" in capsys.readouterr().out
    assert main(["frobnicate"]) == 2
    assert "unknown command 'frobnicate'" in capsys.readouterr().err


def test_console_script_runs_in_a_fresh_interpreter(tmp_path):
    result = subprocess.run([sys.executable, "-m", "core.cli", "train", str(tmp_path / "nope.bps")], cwd=REPO,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip() == f"backprop-studio: error: {tmp_path / 'nope.bps'}: no such project file"
