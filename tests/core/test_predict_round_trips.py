"""Round trips through `predict` and the exported predict.py: class names with quotes, commas and line breaks come
back exactly from their CSV output; both read their own training CSV (a header cell with a line break, quoted
headers), a latin-1 file that `load_file` accepts, and a cell longer than the csv module's default limit."""

from __future__ import annotations

import csv
import subprocess
import sys

import numpy as np
import pytest

from core.cli import run_cli
from core.data import load_file, load_source
from core.data.csv_rows import read_raw_rows
from core.export import export_model
from core.project import save_project
from core.spec import default_spec
from tests.core.raw_rows_support import project_parts

CLASSES = ['say "hi"', "two\nlines", "comma, here", "carriage\rreturn"]


def write_rows(path, rows, encoding="utf-8", quoting=csv.QUOTE_MINIMAL):
    with open(path, "w", newline="", encoding=encoding) as handle:
        csv.writer(handle, quoting=quoting).writerows(rows)
    return path


def odd_names_csv(path, encoding="utf-8", quoting=csv.QUOTE_MINIMAL, header=("x\nfirst", "y", "label")):
    rng = np.random.default_rng(0)
    rows = [list(header)]
    for i in range(80):
        label = i % len(CLASSES)
        rows.append([f"{label + rng.normal(0, 0.2):.4f}", f"{rng.normal():.4f}", CLASSES[label]])
    return write_rows(path, rows, encoding, quoting)


def trained(folder, data, **options):
    source = load_source({"kind": "file", "format": "csv", "path": str(data), **options}).source
    dataset = load_source(source)
    spec = default_spec(input_size=dataset.num_features, output_size=dataset.output_size).to_json()
    spec["training"]["epochs"] = 2
    save_project(folder / "p.bps", spec, {"source": source, "val_fraction": 0.25, "test_fraction": 0.0,
                                          "scaling": "standard", "feature_transform": []}, None, [], {})
    assert run_cli(["train", str(folder / "p.bps"), "--quiet"]) == 0
    model, network, prepared = project_parts(folder / "p.bps")
    return folder / "p.bps", model, network.predict(prepared.preprocess(dataset.x)), dataset


def read_predictions(path, class_names):
    with open(path, newline="", encoding="utf-8") as handle:
        header, *rows = list(csv.reader(handle))
    assert header == [f"p({name})" for name in class_names] + ["predicted"]
    assert {row[-1] for row in rows} <= set(class_names)
    return np.array([[float(v) for v in row[:-1]] for row in rows]), [row[-1] for row in rows]


def run_script(script, data, out, cwd):
    result = subprocess.run([sys.executable, "-I", str(script), str(data), "-o", str(out)], cwd=cwd,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def assert_cli_and_script_give_the_engine(project, model, data, engine, class_names, folder):
    """`predict` and the exported predict.py both read `data` and write the engine's probabilities."""
    assert run_cli(["predict", str(project), str(data), "-o", str(folder / "cli.csv")]) == 0
    np.testing.assert_allclose(read_predictions(folder / "cli.csv", class_names)[0], engine, atol=1e-5)
    script = export_model(model, "numpy", folder / "model.npz")[2]
    run_script(script, data, folder / "script.csv", folder)
    np.testing.assert_allclose(read_predictions(folder / "script.csv", class_names)[0], engine, atol=1e-5)


@pytest.fixture(scope="module")
def odd_project(tmp_path_factory):
    folder = tmp_path_factory.mktemp("odd")
    data = odd_names_csv(folder / "odd.csv")
    return (folder, data, *trained(folder, data))


def test_cli_predict_reads_its_training_csv_and_quotes_class_names(odd_project, tmp_path):
    folder, data, project, _, engine, dataset = odd_project
    assert dataset.feature_names == ["x\nfirst", "y"] and sorted(dataset.class_names) == sorted(CLASSES)
    out = tmp_path / "out.csv"
    assert run_cli(["predict", str(project), str(data), "-o", str(out)]) == 0
    probabilities, labels = read_predictions(out, dataset.class_names)
    np.testing.assert_allclose(probabilities, engine, atol=1e-5)
    assert labels == [dataset.class_names[i] for i in engine.argmax(axis=1)]


def test_predict_script_reads_its_training_csv_and_quotes_class_names(odd_project, tmp_path):
    folder, data, _, model, engine, dataset = odd_project
    script = export_model(model, "numpy", tmp_path / "model.npz")[2]
    run_script(script, data, tmp_path / "out.csv", tmp_path)
    probabilities, labels = read_predictions(tmp_path / "out.csv", dataset.class_names)
    np.testing.assert_allclose(probabilities, engine, atol=1e-5)
    assert labels == [dataset.class_names[i] for i in engine.argmax(axis=1)]


def test_latin1_quoted_csv_reads_the_same_in_load_file_predict_and_predict_py(tmp_path):
    data = odd_names_csv(tmp_path / "latin.csv", encoding="latin-1", quoting=csv.QUOTE_ALL,
                         header=("città", "Genève", "étiquette"))
    assert load_file(data).feature_names == ["città", "Genève"]
    project, model, engine, dataset = trained(tmp_path, data)
    assert_cli_and_script_give_the_engine(project, model, data, engine, dataset.class_names, tmp_path)


def test_a_cell_longer_than_the_csv_default_limit_is_read(odd_project, tmp_path):
    _, data, project, model, engine, dataset = odd_project
    with open(data, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    long_cell = "n" * 200_000  # the csv module's default field limit is 131,072 characters
    wide = write_rows(tmp_path / "wide.csv", [row + ["notes" if i == 0 else long_cell] for i, row in enumerate(rows)])
    assert_cli_and_script_give_the_engine(project, model, wide, engine, dataset.class_names, tmp_path)



@pytest.mark.parametrize("note_chars,latin_row,in_sample", [(300, -1, False), (1000, 100, True)])
def test_predict_reads_a_csv_that_turns_latin1_past_the_encoding_probe(odd_project, tmp_path, note_chars, latin_row,
                                                                       in_sample):
    """The first 64 KB are ASCII, so detection says UTF-8; the first non-ASCII byte comes past the layout's sample
    (200 lines) or inside it. The shared reader (`core.data.csv_rows`) then reads the file as latin-1, as
    `load_file` does, instead of refusing it as "not a text file"."""
    _, data, project, _, engine, dataset = odd_project
    with open(data, newline="", encoding="utf-8") as handle:
        header, *rows = list(csv.reader(handle))
    repeats = 4  # 320 rows
    long_rows = [row + ["n" * note_chars] for row in rows * repeats]
    long_rows[latin_row][-1] = "café"
    latin = write_rows(tmp_path / "latin.csv", [header + ["notes"], *long_rows], encoding="latin-1")
    offset = latin.read_bytes().index(b"\xe9")
    assert offset > 64 * 1024 and (latin.read_bytes()[:offset].count(b"\n") < 200) == in_sample
    assert read_raw_rows(latin).encoding == "latin-1" and read_raw_rows(latin).rows[latin_row][-1] == "café"
    out = tmp_path / "out.csv"
    assert run_cli(["predict", str(project), str(latin), "-o", str(out)]) == 0
    probabilities, _ = read_predictions(out, dataset.class_names)
    np.testing.assert_allclose(probabilities, np.tile(engine, (repeats, 1)), atol=1e-5)
