'''Stand-alone NumPy export: the `.npz` + `.json` pair and a `predict.py` beside them that needs only NumPy.

The script is plain, readable Python (no Backprop Studio import). ``python predict.py data.csv`` reads raw rows
like the training CSV (the csv module, so quoted headers and cells work; UTF-8 or latin-1), encodes them by the
columns recorded in the .json (one-hot categories, gap fills), applies the feature transform, the scaling and the
network, and prints (or ``-o out.csv`` writes) one CSV row of predictions per input row, quoted by the csv module.

The script is a fixed text: the only thing filled in is the weights file's name, as a Python literal (`repr`), so
no file, column or class name can add code to it. Everything else the model says lives in the .json, which the
script reads with `json.load`.
'''

from __future__ import annotations

import os
from pathlib import Path

from core.export.common import atomic_files
from core.export.model import ExportModel
from core.export.npz_json import json_path_for, metadata_json, npz_bytes
from core.export.row_encoder_source import ROW_ENCODER_SLOT, ROW_ENCODER_SOURCE

_MODEL_FILE_SLOT = "__MODEL_FILE_LITERAL__"

PREDICT_TEMPLATE = r'''#!/usr/bin/env python3
"""Predictions from a network exported by Backprop Studio. Needs only NumPy and the standard library.

    python predict.py data.csv               # prints predictions as CSV
    python predict.py data.csv -o out.csv    # writes them to a file
    # in your own code (this file imported as a module):
    #   model = load_model(); predict_rows([["male", "22", "S"]], model)  # raw cells, in the model's column order
    #   predict(x, model)     # x: the encoded features (n, encoded_input_size), before transform and scaling

data.csv holds raw rows like the training data. With a header row, the model's columns are picked by name (other
columns, such as the target, are ignored); without one, rows hold exactly the model's columns in order, or all
the training CSV's columns in its order (csv_columns in the .json). Text categories are one-hot encoded and
gaps (an empty cell, NA, N/A, NaN, null or ?) are filled as in training. A category the model was not trained
on, or a gap in a column trained without a fill value, is an error naming the line and the column.
The weights are in the .npz named by MODEL_FILE; the .json beside it describes the columns, the preprocessing
and the architecture.
"""

import argparse
import csv
import json
import math
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL_FILE = __MODEL_FILE_LITERAL__
DEFAULT_MODEL = os.path.join(HERE, MODEL_FILE)
DELIMITERS = (",", "\t", ";", "|")


__ROW_ENCODER__


def load_model(npz_path=DEFAULT_MODEL):
    """(description, weights): the JSON next to the .npz and its arrays."""
    with open(os.path.splitext(npz_path)[0] + ".json", encoding="utf-8") as handle:
        description = json.load(handle)
    with np.load(npz_path, allow_pickle=False) as arrays:
        weights = {name: arrays[name].astype(np.float64) for name in arrays.files}
    return description, weights


def columns_of(description):
    """The raw input columns: name, kind ("number" or "category"), categories and fill (None: gaps refused)."""
    columns = description["preprocessing"].get("columns")
    if columns is None:
        columns = [{"name": name, "kind": "number", "categories": [], "fill": None}
                   for name in description["feature_names"]]
    return columns


def read_rows(path, description):
    """(line numbers, rows of the model's columns) from a CSV file; InputError when it doesn't fit."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            text = handle.read()
    except UnicodeDecodeError:
        with open(path, encoding="latin-1", newline="") as handle:
            text = handle.read()
    lines = text.splitlines(keepends=True)
    csv.field_size_limit(2**31 - 1)
    records = _records(lines, _detect_delimiter(lines[:200]))
    if not records:
        raise InputError(path + ": the file holds no rows")
    names = [column["name"] for column in columns_of(description)]
    file_columns = description["preprocessing"].get("csv_columns") or []
    header = [cell.strip() for cell in records[0][1]]
    if all(name in header for name in names):
        positions, records = [header.index(name) for name in names], records[1:]
    elif len(header) == len(names):
        positions = list(range(len(names)))
    elif len(header) == len(file_columns) and all(name in file_columns for name in names):
        positions = [file_columns.index(name) for name in names]  # laid out like the training file
    else:
        raise InputError("%s: the header has no column named %s, and rows have %d cells, not the model's %d"
                         % (path, ", ".join(repr(n) for n in names if n not in header), len(header), len(names)))
    for line, fields in records:
        if len(fields) != len(header):
            raise InputError("%s, line %d: %d cells but the first row has %d" % (path, line, len(fields), len(header)))
    return [line for line, _ in records], [[fields[p] for p in positions] for _, fields in records]


def _records(lines, delimiter):
    """(line number, cells) of every non-blank record; a quoted cell may span lines."""
    reader = csv.reader(lines, delimiter=delimiter)
    records, last_line = [], 0
    for fields in reader:
        first_line, last_line = last_line + 1, reader.line_num
        if fields and not (len(fields) == 1 and not fields[0].strip()):
            records.append((first_line, fields))
    return records


def _detect_delimiter(lines):
    """The delimiter splitting most lines into the same number (at least 2) of cells; "," otherwise."""
    best, best_score = ",", (0, 0, 0)
    for delimiter in DELIMITERS:
        try:
            widths = [len(fields) for _, fields in _records(lines, delimiter)]
        except csv.Error:
            continue
        common = max(set(widths), key=widths.count) if widths else 0
        score = (widths.count(common), delimiter == ",", common)
        if common >= 2 and score > best_score:
            best, best_score = delimiter, score
    return best


def transform_features(x, names):
    """The 2-D feature transform (as in TensorFlow Playground): columns computed from the point (x, y)."""
    first, second = x[:, 0], x[:, 1]
    columns = {"x": first, "y": second, "x²": first * first, "y²": second * second, "xy": first * second,
               "sin x": np.sin(first), "sin y": np.sin(second)}
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
    """Class probabilities (classification) or predicted values (regression) for encoded features x."""
    description, weights = model if model is not None else load_model()
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 1:
        x = x.reshape(1, -1)
    architecture = description["architecture"]
    width = architecture.get("encoded_input_size", architecture["raw_input_size"])
    if x.shape[1] != width:
        raise ValueError("expected {} feature columns, got {}".format(width, x.shape[1]))
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


def predict_rows(rows, model=None):
    """Predictions for rows of raw text cells, one per column in the model's column order."""
    model = model if model is not None else load_model()
    return predict(encode_rows(rows, columns_of(model[0])), model)


def prediction_table(outputs, description):
    """The header and rows of the output CSV: probabilities and the predicted class, or the predicted values."""
    if description["output"] == "probabilities":
        names = list(description["class_names"] or ["class %d" % i for i in range(max(outputs.shape[1], 2))])
        if outputs.shape[1] == 1:  # one sigmoid unit: the probability of the last class
            header = ["p(" + names[-1] + ")", "predicted"]
            labels = [names[-1] if p >= 0.5 else names[0] for p in outputs[:, 0]]
        else:
            header = ["p(" + name + ")" for name in names] + ["predicted"]
            labels = [names[i] for i in outputs.argmax(axis=1)]
        return header, [["%.8g" % v for v in row] + [label] for row, label in zip(outputs, labels)]
    header = list(description["target_names"]) or ["y%d" % i for i in range(outputs.shape[1])]
    return header, [["%.8g" % v for v in row] for row in outputs]


def main(argv=None):
    parser = argparse.ArgumentParser(description="Predict with a network exported by Backprop Studio.")
    parser.add_argument("data", help="CSV file of raw rows, like the training data")
    parser.add_argument("-o", "--output", help="write predictions to this CSV file (default: print them)")
    parser.add_argument("--model", default=DEFAULT_MODEL, help="the exported .npz (default: %(default)s)")
    args = parser.parse_args(argv)
    try:
        model = load_model(args.model)
        lines, rows = read_rows(args.data, model[0])
        if not rows:
            raise InputError(args.data + ": no rows to predict")
        outputs = predict(encode_rows(rows, columns_of(model[0]), lines, args.data), model)
        header, table = prediction_table(outputs, model[0])
        if args.output:
            with open(args.output, "w", encoding="utf-8", newline="") as handle:
                csv.writer(handle).writerows([header] + table)
        else:
            csv.writer(sys.stdout).writerows([header] + table)
    except (InputError, OSError, ValueError, KeyError, csv.Error) as error:
        print("error: " + str(error).replace("\n", " "), file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
'''


def predict_script(npz_name: str) -> str:
    """The text of the stand-alone script for weights stored in `npz_name` (next to it), a Python literal."""
    script = PREDICT_TEMPLATE.replace(ROW_ENCODER_SLOT, ROW_ENCODER_SOURCE.strip(), 1)
    return script.replace(_MODEL_FILE_SLOT, repr(str(npz_name)), 1)


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
        stage(script, predict_script(npz_path.name).encode("utf-8"))
    return [npz_path, json_file, script]
