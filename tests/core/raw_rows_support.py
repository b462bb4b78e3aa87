"""Builders for the raw-rows export tests: a titanic-like CSV (a text column, numeric columns with gaps, a text
target), a project trained on it briefly through core, and a reference reader of the npz + json export.

The reference reader is written from the JSON's description alone (columns, scaler, architecture), independently
of the exporters and of the generated predict.py, so a wrong or missing field in the export shows up as a
mismatch with the engine.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np

from core.cli import run_cli
from core.data import load_source
from core.export import export_model_from_parts
from core.project import load_project, save_project
from core.project_parts import network_with_weights, prepare_from_config
from core.spec import default_spec

HEADER = ["sex", "age", "port", "fare", "survived"]


def write_titanic_csv(path: Path, rows: int = 80, seed: int = 0, encoding: str = "utf-8",
                      header: list[str] | None = None) -> Path:
    """Text column "sex", "age" with gaps (empty or NA), text "port" with gaps, "fare", text target "survived"."""
    rng = np.random.default_rng(seed)
    with open(path, "w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle)
        writer.writerow(header or HEADER)
        for i in range(rows):
            sex = ["female", "male"][i % 2]
            age = rng.choice(["", "NA"]) if i % 5 == 0 else f"{rng.uniform(1, 80):.1f}"
            port = "" if i % 7 == 3 else ["Cherbourg", "Queenstown", "Southampton"][int(rng.integers(3))]
            fare = f"{rng.uniform(5, 100):.2f}"
            survived = "yes" if (sex == "female") != (rng.random() < 0.2) else "no"
            writer.writerow([sex, age, port, fare, survived])
    return path


def train_on_csv(folder: Path, data: Path, epochs: int = 3, **options) -> Path:
    """A project on `data` (one-hot, mean fill unless `options` say otherwise), trained briefly with the CLI."""
    source = load_source({"kind": "file", "format": "csv", "path": str(data), "categorical": "one_hot",
                          "missing": "mean", **options}).source
    spec = default_spec(input_size=len(fitted_feature_names(source)), output_size=2).to_json()
    spec["training"]["epochs"] = epochs
    config = {"source": source, "val_fraction": 0.25, "test_fraction": 0.0, "scaling": "standard",
              "feature_transform": []}
    project = folder / "titanic.bps"
    save_project(project, spec, config, None, [], {})
    assert run_cli(["train", str(project), "--quiet"]) == 0
    return project


def fitted_feature_names(source: dict) -> list[str]:
    return load_source(source).feature_names


def project_parts(project_path: Path):
    """(ExportModel, network, prepared) of a trained project, as export and predict build them."""
    project = load_project(project_path)
    prepared = prepare_from_config(project.data_config, project.spec)
    network = network_with_weights(project.spec, project.weights)
    model = export_model_from_parts(project.spec, project.data_config, project.weights, prepared)
    return model, network, prepared


def read_csv_rows(path: Path, encoding: str = "utf-8") -> tuple[list[str], list[list[str]]]:
    with open(path, newline="", encoding=encoding) as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def reference_npz_json_predict(npz_path: Path, header: list[str], rows: list[list[str]]) -> np.ndarray:
    """Predictions from the .npz + .json alone: encode raw cells by the JSON's columns, scale, run the blocks."""
    description = json.loads(npz_path.with_suffix(".json").read_text(encoding="utf-8"))
    with np.load(npz_path, allow_pickle=False) as arrays:
        weights = {name: arrays[name].astype(np.float64) for name in arrays.files}
    features = []
    for row in rows:
        values: list[float] = []
        for column in description["preprocessing"]["columns"]:
            cell = row[header.index(column["name"])].strip()
            if cell.lower() in ("", "na", "n/a", "nan", "null", "?"):
                values.extend(column["fill"])
            elif column["kind"] == "category":
                values.extend(1.0 if cell == category else 0.0 for category in column["categories"])
            else:
                values.append(float(cell))
        features.append(values)
    scaler = description["preprocessing"]["scaler"]
    x = (np.array(features) - np.array(scaler["offset"])) / np.array(scaler["scale"])
    for i, layer in enumerate(description["architecture"]["layers"]):
        x = _activate(x @ weights[f"layers.{i}.weight"] + weights[f"layers.{i}.bias"], layer["activation"])
    return x


def _activate(z: np.ndarray, name: str) -> np.ndarray:
    if name == "softmax":
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    return {"relu": lambda: np.maximum(z, 0.0), "tanh": lambda: np.tanh(z), "linear": lambda: z,
            "sigmoid": lambda: 1.0 / (1.0 + np.exp(-z))}[name]()


def onnx_feeds(columns, header: list[str], rows: list[list[str]]) -> dict[str, np.ndarray]:
    """onnxruntime inputs for raw rows: a string [N, 1] per text column (stripped cells), float [N, 1] with NaN
    for gaps per numeric column."""
    feeds = {}
    for column in columns:
        cells = [row[header.index(column.name)].strip() for row in rows]
        if column.kind == "category":
            feeds[column.name] = np.array(cells, dtype=object).reshape(-1, 1)
        else:
            feeds[column.name] = np.array([float(c) if c.lower() not in ("", "na") else np.nan for c in cells],
                                          dtype=np.float32).reshape(-1, 1)
    return feeds
