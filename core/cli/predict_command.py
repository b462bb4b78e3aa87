"""`backprop-studio predict PROJECT DATA`: predictions of a trained project for raw features, as CSV.

DATA holds raw rows, like the training CSV (text categories, gaps): they are encoded by the rules the training data
was loaded with (see `core.export.raw_columns`). Output columns: one probability per class and the predicted class
name (classification), or one column per target (regression), written with the csv module so any class name
(quotes, commas, line breaks) reads back exactly. Printed to stdout, or written atomically with --output.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys

import numpy as np

from core.cli.errors import CliError
from core.cli.features_file import read_features
from core.cli.project_session import open_project, user_errors


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "predict", help="predict with a trained project, writing CSV",
        description="Apply the trained network of PROJECT to the raw rows in DATA and write one CSV row of "
                    "predictions per input row. DATA is a CSV file like the training data (with a header row, "
                    "columns are matched to the project's columns by name and others such as the target are "
                    "ignored) or, for numeric data, an .npz holding an array 'x'. Text categories are one-hot "
                    "encoded and gaps filled as in training (an unknown category is an error), then the project's "
                    "feature transform and scaling are applied.")
    parser.add_argument("project", help="a trained project file (.bps), or an example name")
    parser.add_argument("data", help="CSV or .npz file of raw features, one row per sample")
    parser.add_argument("-o", "--output", help="write the CSV here (default: print it)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    session = open_project(args.project)
    if not session.trained:
        raise CliError(f"{session.path.name} has no trained weights; run: backprop-studio train {args.project}")
    prepared = session.prepared()
    network = session.network()
    x_raw = read_features(args.data, *raw_columns(session, prepared))
    with user_errors(f"{args.data}: "):
        outputs = network.predict(prepared.preprocess(x_raw))
    text = predictions_csv(outputs, prepared.class_names if prepared.task == "classification" else None,
                           list(prepared.target_names))
    if args.output:
        from core.export import atomic_write_text
        with user_errors():
            atomic_write_text(args.output, text)
        print(f"wrote {len(outputs)} predictions to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def raw_columns(session, prepared) -> tuple[list, list[str] | None]:
    """(the project's raw input columns, all its CSV's column names): the CSV's refitted columns, or plain
    numeric ones (and None)."""
    from core.export.from_project import raw_columns_from_config
    from core.export.raw_columns import plain_columns
    with user_errors(f"{session.path.name}: "):
        layout = raw_columns_from_config(session.project.data_config, prepared)
    if layout is not None:
        return layout
    transform = session.project.data_config.get("feature_transform")
    return plain_columns(["x", "y"] if transform else list(prepared.feature_names)), None


def predictions_csv(outputs: np.ndarray, class_names: list[str] | None, target_names: list[str]) -> str:
    if class_names is not None:
        names = list(class_names)
        if outputs.shape[1] == 1:  # a single sigmoid unit: the probability of the last class
            header = [f"p({names[-1]})", "predicted"]
            chosen = [names[-1] if p >= 0.5 else names[0] for p in outputs[:, 0]]
        else:
            header = [f"p({name})" for name in names] + ["predicted"]
            chosen = [names[i] for i in outputs.argmax(axis=1)]
        rows = [[f"{v:.6g}" for v in row] + [label] for row, label in zip(outputs, chosen)]
    else:
        header = target_names if len(target_names) == outputs.shape[1] else \
            [f"y{i}" for i in range(outputs.shape[1])]
        rows = [[f"{v:.8g}" for v in row] for row in outputs]
    text = io.StringIO()
    csv.writer(text).writerows([header, *rows])  # RFC 4180: quotes any cell with a comma, quote, \r or \n
    return text.getvalue()
