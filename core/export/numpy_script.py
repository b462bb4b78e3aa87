'''Stand-alone NumPy export: the `.npz` + `.json` pair and a `predict.py` beside them that needs only NumPy.

The script is plain, readable Python (no Backprop Studio import): `predict(x_raw)` applies the preprocessing and
the network, and ``python predict.py data.csv`` prints (or ``-o out.csv`` writes) one row of predictions per input
row. The template below is written out with the model's file name filled in.
'''

from __future__ import annotations

import os
from pathlib import Path

from core.export.common import atomic_files
from core.export.model import ExportModel
from core.export.npz_json import json_path_for, metadata_json, npz_bytes

PREDICT_TEMPLATE = '''#!/usr/bin/env python3
"""Predictions from a network exported by Backprop Studio. Needs only NumPy.

    python {script_name} data.csv               # prints predictions as CSV
    python {script_name} data.csv -o out.csv    # writes them to a file
    from {module_name} import load_model, predict   # in your own code: predict(x) with x of shape (n, features)

data.csv holds one row per sample with the raw feature columns (a header row naming them is optional; with a
header, the columns are picked by name, so extra columns such as the target are ignored).
The weights are in {npz_name}; {json_name} describes the architecture and the preprocessing.
"""

import argparse
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_MODEL = os.path.join(HERE, {npz_name!r})


def load_model(npz_path=DEFAULT_MODEL):
    """(description, weights): the JSON next to the .npz and its arrays."""
    with open(os.path.splitext(npz_path)[0] + ".json", encoding="utf-8") as handle:
        description = json.load(handle)
    with np.load(npz_path, allow_pickle=False) as arrays:
        weights = {{name: arrays[name].astype(np.float64) for name in arrays.files}}
    return description, weights


def transform_features(x, names):
    """The 2-D feature transform (as in TensorFlow Playground): columns computed from the point (x, y)."""
    first, second = x[:, 0], x[:, 1]
    columns = {{"x": first, "y": second, "x²": first * first, "y²": second * second, "xy": first * second,
               "sin x": np.sin(first), "sin y": np.sin(second)}}
    return np.column_stack([columns[name] for name in names])


def activate(z, name, slope):
    if name == "linear":
        return z
    if name == "sigmoid":
        return np.exp(-np.logaddexp(0.0, -z))
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.maximum(z, 0.0)
    if name == "leaky_relu":
        return np.where(z > 0.0, z, slope * z)
    if name == "elu":
        return np.where(z > 0.0, z, np.expm1(np.minimum(z, 0.0)))
    if name == "gelu":  # the tanh approximation
        return 0.5 * z * (1.0 + np.tanh(np.sqrt(2.0 / np.pi) * (z + 0.044715 * z ** 3)))
    if name == "softplus":
        return np.logaddexp(0.0, z)
    if name == "softmax":
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    raise ValueError("unknown activation " + repr(name))


def predict(x, model=None):
    """Class probabilities (classification) or predicted values (regression) for raw features x (n, features)."""
    description, weights = model if model is not None else load_model()
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 1:
        x = x.reshape(1, -1)
    architecture = description["architecture"]
    if x.shape[1] != architecture["raw_input_size"]:
        raise ValueError("expected {{}} feature columns, got {{}}".format(architecture["raw_input_size"], x.shape[1]))
    preprocessing = description["preprocessing"]
    if preprocessing.get("feature_transform"):
        x = transform_features(x, preprocessing["feature_transform"]["names"])
    scaler = preprocessing.get("scaler")
    if scaler and scaler.get("offset") is not None:
        x = (x - np.asarray(scaler["offset"])) / np.asarray(scaler["scale"])
    eps = architecture["batch_norm_eps"]
    for i, layer in enumerate(architecture["layers"]):
        z = x @ weights["layers.%d.weight" % i] + weights["layers.%d.bias" % i]
        if layer["batch_norm"]:
            bn = "layers.%d.bn." % i
            z = ((z - weights[bn + "running_mean"]) / np.sqrt(weights[bn + "running_var"] + eps)
                 * weights[bn + "weight"] + weights[bn + "bias"])
        a = activate(z, layer["activation"], layer["leaky_slope"])  # dropout is off when predicting
        x = x + a if layer["residual"] else a
    return x


def read_features(path, description):
    """Rows of raw features from a CSV file; with a header, columns are matched by feature name."""
    with open(path, encoding="utf-8") as handle:
        first_line = handle.readline()
    delimiter = "\\t" if "\\t" in first_line else ";" if first_line.count(";") > first_line.count(",") else ","
    cells = [cell.strip().strip('"') for cell in first_line.split(delimiter)]
    try:
        [float(cell) for cell in cells]
        has_header = False
    except ValueError:
        has_header = True
    data = np.loadtxt(path, delimiter=delimiter, skiprows=1 if has_header else 0, ndmin=2, dtype=np.float64,
                      usecols=None if not has_header else _columns(cells, description["feature_names"]))
    return data


def _columns(header, names):
    missing = [name for name in names if name not in header]
    if missing:
        if len(header) == len(names):
            return list(range(len(names)))
        raise SystemExit("error: the CSV header has no column named " + ", ".join(repr(m) for m in missing))
    return [header.index(name) for name in names]


def main(argv=None):
    parser = argparse.ArgumentParser(description="Predict with a network exported by Backprop Studio.")
    parser.add_argument("data", help="CSV file of raw features, one row per sample")
    parser.add_argument("-o", "--output", help="write predictions to this CSV file (default: print them)")
    parser.add_argument("--model", default=DEFAULT_MODEL, help="the exported .npz (default: %(default)s)")
    args = parser.parse_args(argv)
    model = load_model(args.model)
    description = model[0]
    try:
        x = read_features(args.data, description)
    except (OSError, ValueError) as error:
        print("error: can't read " + args.data + ": " + str(error), file=sys.stderr)
        return 2
    outputs = predict(x, model)
    if description["output"] == "probabilities":
        names = list(description["class_names"]) if description["class_names"] else [
            "class %d" % i for i in range(outputs.shape[1])]
        if outputs.shape[1] == 1:  # one sigmoid unit: the probability of the positive class
            names = names[-1:]
        header = ["p(" + name + ")" for name in names] + ["predicted"]
        chosen = (outputs[:, 0] >= 0.5).astype(int) if outputs.shape[1] == 1 else outputs.argmax(axis=1)
        labels = names if outputs.shape[1] > 1 else ["not " + names[0], names[0]]
        rows = [["%.8g" % v for v in row] + [labels[c]] for row, c in zip(outputs, chosen)]
    else:
        header = list(description["target_names"]) or ["y%d" % i for i in range(outputs.shape[1])]
        rows = [["%.8g" % v for v in row] for row in outputs]
    text = "\\n".join(",".join(line) for line in [header] + rows) + "\\n"
    if args.output:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
'''


def predict_script(npz_name: str, script_name: str = "predict.py") -> str:
    """The text of the stand-alone script for weights stored in `npz_name` (next to it)."""
    return PREDICT_TEMPLATE.format(npz_name=npz_name, json_name=Path(npz_name).with_suffix(".json").name,
                                   script_name=script_name, module_name=Path(script_name).stem)


def export_numpy_script(model: ExportModel, path: str | os.PathLike[str]) -> list[Path]:
    """Write `path` (the .npz), its .json and `predict.py` in the same folder; return the three paths.

    `path` may also name the script (ending in .py): the weights then go to ``model.npz`` beside it."""
    target = Path(path)
    if target.suffix.lower() == ".py":
        script, npz_path = target, target.with_name("model.npz")
    else:
        npz_path = target if target.suffix.lower() == ".npz" else target.with_name(target.name + ".npz")
        script = npz_path.with_name("predict.py")
    json_file = json_path_for(npz_path)
    with atomic_files() as stage:
        stage(npz_path, npz_bytes(model))
        stage(json_file, metadata_json(model, npz_path.name).encode("utf-8"))
        stage(script, predict_script(npz_path.name, script.name).encode("utf-8"))
    return [npz_path, json_file, script]
