"""Exports take the raw data the model was trained on: a CSV with a text column and gaps, loaded with one-hot
encoding and mean fill, trained briefly through core, then every export run on the training file's raw rows must
give the engine's predictions for the same rows (the engine's inputs come from `load_file`, not from the export
code). Unknown categories and gaps without a fill rule are refused by every export, naming line and column."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import subprocess
import sys

import numpy as np
import pytest

from core.cli import run_cli
from core.data import DataError, load_csv, load_source
from core.export import export_model
from core.export.raw_columns import encode_csv_file, encode_rows, fit_csv_columns
from core.project import load_project
from tests.core.raw_rows_support import (
    onnx_feeds, project_parts, read_csv_rows, reference_npz_json_predict, train_on_csv, write_titanic_csv,
)

TOLERANCE = 1e-5


@pytest.fixture(scope="module")
def titanic(tmp_path_factory):
    """(folder, data CSV, project, model, engine predictions for every row of the CSV)."""
    folder = tmp_path_factory.mktemp("titanic")
    data = write_titanic_csv(folder / "titanic.csv")
    project = train_on_csv(folder, data)
    model, network, prepared = project_parts(project)
    dataset = load_source(load_project(project).data_config["source"])
    engine = network.predict(prepared.preprocess(dataset.x))
    return folder, data, project, model, engine


def probabilities_of(text: str) -> np.ndarray:
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == ["p(no)", "p(yes)", "predicted"]
    return np.array([[float(v) for v in row[:2]] for row in rows[1:]])


@pytest.mark.parametrize("missing", ["mean", "drop"])
def test_the_fitted_columns_reproduce_the_loader_exactly(tmp_path, missing):
    data = write_titanic_csv(tmp_path / "t.csv", rows=50, seed=3)
    dataset = load_csv(data, categorical="one_hot", missing=missing)
    columns = fit_csv_columns(dataset.source)
    assert [name for c in columns for name in c.feature_names()] == dataset.feature_names
    assert [c.kind for c in columns] == ["category", "number", "category", "number"]
    if missing == "drop":  # no fill rule: a gap is refused
        assert all(c.fill is None for c in columns)
        return
    age = [float(r[1]) for r in read_csv_rows(data)[1] if r[1] not in ("", "NA")]
    np.testing.assert_allclose(columns[1].fill, [np.mean(age)], rtol=1e-12)
    np.testing.assert_allclose(encode_csv_file(data, columns), dataset.x, rtol=1e-6, atol=0)


def test_npz_json_hold_the_whole_preprocessing(titanic, tmp_path):
    _, data, _, model, engine = titanic
    npz_path, json_path = export_model(model, "npz", tmp_path / "model.npz")
    description = json.loads(json_path.read_text(encoding="utf-8"))
    assert description["feature_names"] == ["sex", "age", "port", "fare"]
    assert description["preprocessing"]["columns"][0]["categories"] == ["female", "male"]
    header, rows = read_csv_rows(data)
    np.testing.assert_allclose(reference_npz_json_predict(npz_path, header, rows), engine, atol=TOLERANCE)


def test_predict_script_takes_the_raw_training_csv(titanic, tmp_path):
    _, data, _, model, engine = titanic
    script = export_model(model, "numpy", tmp_path / "model.npz")[2]
    out = tmp_path / "predictions.csv"
    result = subprocess.run([sys.executable, "-I", str(script), str(data), "-o", str(out)], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    np.testing.assert_allclose(probabilities_of(out.read_text(encoding="utf-8")), engine, atol=TOLERANCE)


def test_cli_predict_takes_the_raw_training_csv(titanic, capsys):
    _, data, project, _, engine = titanic
    capsys.readouterr()
    assert run_cli(["predict", str(project), str(data)]) == 0
    np.testing.assert_allclose(probabilities_of(capsys.readouterr().out), engine, atol=TOLERANCE)


def test_columns_are_picked_by_name_in_any_order_without_the_target(titanic, tmp_path, capsys):
    _, data, project, _, engine = titanic
    header, rows = read_csv_rows(data)
    order = [3, 2, 0, 1]  # fare, port, sex, age; no target
    shuffled = tmp_path / "shuffled.csv"
    with open(shuffled, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, delimiter=";").writerows([[row[i] for i in order] for row in [header, *rows]])
    capsys.readouterr()
    assert run_cli(["predict", str(project), str(shuffled)]) == 0
    np.testing.assert_allclose(probabilities_of(capsys.readouterr().out), engine, atol=TOLERANCE)


def test_onnx_takes_one_raw_input_per_column(titanic, tmp_path):
    ort = pytest.importorskip("onnxruntime")
    _, data, _, model, engine = titanic
    (path,) = export_model(model, "onnx", tmp_path / "model.onnx")
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    assert [(i.name, i.type) for i in session.get_inputs()] == [
        ("sex", "tensor(string)"), ("age", "tensor(float)"), ("port", "tensor(string)"), ("fare", "tensor(float)")]
    header, rows = read_csv_rows(data)
    (probabilities,) = session.run(None, onnx_feeds(model.raw_columns, header, rows))
    np.testing.assert_allclose(probabilities, engine, atol=TOLERANCE)


def test_torch_module_takes_raw_rows(titanic, tmp_path):
    pytest.importorskip("torch")
    _, data, _, model, engine = titanic
    script = export_model(model, "torch", tmp_path / "titanic_model.py")[0]
    spec = importlib.util.spec_from_file_location("titanic_model", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    header, rows = read_csv_rows(data)
    ordered = [[row[header.index(c["name"])] for c in module.RAW_COLUMNS] for row in rows]
    np.testing.assert_allclose(module.load_model().predict_rows(ordered).numpy(), engine, atol=TOLERANCE)


# ------------------------------------------------------------------------------------------ what is refused
def unknown_port_csv(folder):
    path = folder / "unknown.csv"
    path.write_text("sex,age,port,fare\nfemale,30,Southampton,10\nmale,40,Atlantis,12\n", encoding="utf-8")
    return path


def test_an_unknown_category_is_refused_by_the_cli_and_predict_py(titanic, tmp_path, capsys):
    _, _, project, model, _ = titanic
    data = unknown_port_csv(tmp_path)
    capsys.readouterr()
    assert run_cli(["predict", str(project), str(data)]) == 2
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err and len(err.splitlines()) == 1
    assert "unknown.csv, line 3, column 'port': 'Atlantis' is not a category the model was trained on" in err
    script = export_model(model, "numpy", tmp_path / "model.npz")[2]
    result = subprocess.run([sys.executable, "-I", str(script), str(data), "-o", str(tmp_path / "out.csv")],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "line 3, column 'port': 'Atlantis' is not a category" in result.stderr
    assert not (tmp_path / "out.csv").exists()


def test_an_unknown_category_fails_the_onnx_run(titanic, tmp_path):
    ort = pytest.importorskip("onnxruntime")
    _, _, _, model, _ = titanic
    (path,) = export_model(model, "onnx", tmp_path / "model.onnx")
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    header, rows = ["sex", "age", "port", "fare"], [["female", "30", "Atlantis", "10"]]
    with pytest.raises(Exception, match="Unknown Category"):
        session.run(None, onnx_feeds(model.raw_columns, header, rows))


def test_gaps_are_refused_where_training_had_no_fill_rule(tmp_path, capsys):
    data = write_titanic_csv(tmp_path / "t.csv", rows=60, seed=1)
    project = train_on_csv(tmp_path, data, epochs=1, missing="drop")
    model, _, _ = project_parts(project)
    gap = tmp_path / "gap.csv"
    gap.write_text("sex,age,port,fare\nfemale,,Southampton,10\n", encoding="utf-8")
    capsys.readouterr()
    assert run_cli(["predict", str(project), str(gap)]) == 2
    assert "gap.csv, line 2, column 'age': the value is missing" in capsys.readouterr().err
    with pytest.raises(DataError, match="column 'port': the value is missing"):
        encode_rows([["male", "3", "NA", "7"]], model.raw_columns)

