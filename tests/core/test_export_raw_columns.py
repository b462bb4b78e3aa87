"""`core.export.raw_columns` on its own: a header-less training file read back with its target column, numeric
arrays with gaps, headers that don't name the model's columns, and column descriptions that don't hold up."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core.data import DataError, load_source
from core.export.raw_columns import RawColumn, encode_csv_file, encode_matrix, fit_csv_layout
from tests.core.test_predict_round_trips import CLASSES, assert_cli_and_script_give_the_engine, trained


def test_a_headerless_training_file_is_read_back_with_its_target_column(tmp_path):
    lines = [f"{['red', 'blue'][i % 2]},{i % 7 * 0.5 if i % 6 else ''},{CLASSES[i % 2]!r}" for i in range(40)]
    data = tmp_path / "plain.csv"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    project, model, engine, dataset = trained(tmp_path, data, header=False, categorical="one_hot", missing="mean")
    assert model.preprocessing["csv_columns"] == ["column 1", "column 2", "column 3"]
    assert_cli_and_script_give_the_engine(project, model, data, engine, dataset.class_names, tmp_path)


def test_the_layout_names_every_file_column_and_only_features_become_columns(tmp_path):
    data = tmp_path / "d.csv"
    data.write_text("a,label,b\n1,x,u\n2,y,v\n3,x,u\n", encoding="utf-8")
    source = load_source({"kind": "file", "format": "csv", "path": str(data), "target": "label",
                          "categorical": "one_hot"}).source
    columns, file_columns = fit_csv_layout(source)
    assert file_columns == ["a", "label", "b"]
    assert [(c.name, c.kind, c.categories) for c in columns] == [("a", "number", ()), ("b", "category", ("u", "v"))]
    np.testing.assert_array_equal(encode_csv_file(data, columns, file_columns=file_columns),
                                  load_source(source).x)


def test_a_header_without_the_model_columns_is_refused_by_name(tmp_path):
    data = tmp_path / "other.csv"
    data.write_text("weight,height\n1,2\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"other.csv, line 1: the header has no column named 'age'"):
        encode_csv_file(data, [RawColumn("age"), RawColumn("height")])


def test_a_blank_header_cell_names_its_column_as_the_loader_does(tmp_path):
    """`load_csv` calls the second column of "a,,label" "column 2"; predict picks that column by the same name."""
    data = tmp_path / "blank.csv"
    data.write_text("a,,label\n" + "".join(f"{i},{i * 3 % 5},{i % 2}\n" for i in range(12)), encoding="utf-8")
    source = load_source({"kind": "file", "format": "csv", "path": str(data)}).source
    columns, file_columns = fit_csv_layout(source)
    assert [c.name for c in columns] == ["a", "column 2"]
    np.testing.assert_array_equal(encode_csv_file(data, columns, file_columns=file_columns), load_source(source).x)


def test_a_first_row_of_gaps_is_data_not_a_header_of_a_headerless_model(tmp_path):
    """Without a header the model's columns are "column 1"..., which blank cells are named too: the row is kept."""
    columns = [RawColumn("column 1", fill=(2.5,)), RawColumn("column 2", fill=(-1.0,))]
    data = tmp_path / "gaps.csv"
    data.write_text(",\n1,2\n", encoding="utf-8")
    file_columns = ["column 1", "column 2", "column 3"]  # the third, the target, is not in predict's rows
    np.testing.assert_array_equal(encode_csv_file(data, columns, file_columns=file_columns), [[2.5, -1.0], [1, 2]])


def test_numeric_arrays_take_nan_for_gaps_where_a_fill_was_learned():
    columns = [RawColumn("a", fill=(2.5,)), RawColumn("b")]
    x = encode_matrix(np.array([[np.nan, 1.0], [4.0, 2.0]]), columns)
    np.testing.assert_array_equal(x, [[2.5, 1.0], [4.0, 2.0]])
    with pytest.raises(DataError, match="row 1, column 'b': the value is missing"):
        encode_matrix(np.array([[1.0, np.nan]]), columns)
    with pytest.raises(DataError, match="row 2, column 'a': the value is infinite"):
        encode_matrix(np.array([[1.0, 1.0], [np.inf, 1.0]]), columns)
    with pytest.raises(DataError, match="text columns"):
        encode_matrix(np.zeros((1, 1)), [RawColumn("c", "category", ("p", "q"))])


@pytest.mark.parametrize("data,message", [
    ({"name": "a", "kind": "text"}, "'kind' must be"),
    ({"name": "a", "kind": "category", "categories": ["p", 3]}, "'categories' must be a list of text"),
    ({"name": "a", "kind": "category", "categories": ["p", "q"], "fill": [1.0]}, "'fill' must be 2 finite"),
    ({"name": "a", "kind": "number", "fill": [math.inf]}, "'fill' must be 1 finite"),
    ({"name": "a", "kind": "number", "fill": [True]}, "'fill' must be 1 finite"),
    ({"name": 5}, "a text 'name'"),
])
def test_malformed_column_descriptions_are_refused(data, message):
    with pytest.raises(DataError, match=message):
        RawColumn.from_dict(data)
    if "kind" in data and data["kind"] in ("number", "category") and isinstance(data["name"], str):
        assert RawColumn.from_dict({**data, "fill": None, "categories": ["p", "q"]}).fill is None


def test_an_all_numeric_csv_with_a_feature_transform_takes_raw_rows_with_gaps(tmp_path, capsys):
    """The loader's fast numeric path: columns refitted without per-cell parsing, mean fills still recorded,
    and the feature transform applied after the columns in every export."""
    from core.cli import run_cli
    from core.project import load_project, save_project
    from core.spec import default_spec
    from tests.core.raw_rows_support import project_parts
    rng = np.random.default_rng(2)
    points = rng.normal(size=(60, 2))
    rows = [f"{a:.5f},{b:.5f},{int(a * b > 0)}" for a, b in points]
    data = tmp_path / "xy.csv"
    data.write_text("u,v,label\n" + "\n".join(rows) + "\n", encoding="utf-8")
    source = load_source({"kind": "file", "format": "csv", "path": str(data), "missing": "mean"}).source
    spec = default_spec(input_size=3).to_json()
    spec["training"]["epochs"] = 2
    save_project(tmp_path / "xy.bps", spec, {"source": source, "val_fraction": 0.25, "test_fraction": 0.0,
                                             "scaling": "standard", "feature_transform": ["x", "y", "xy"]}, None, [])
    assert run_cli(["train", str(tmp_path / "xy.bps"), "--quiet"]) == 0
    model, network, prepared = project_parts(tmp_path / "xy.bps")
    assert [(c.name, c.kind) for c in model.raw_columns] == [("u", "number"), ("v", "number")]
    np.testing.assert_allclose(model.raw_columns[0].fill, [points[:, 0].mean()], atol=1e-5)
    query = tmp_path / "query.csv"
    query.write_text("v,u\n0.5,\n-1,2\n", encoding="utf-8")  # reordered, a gap in u
    filled = np.array([[model.raw_columns[0].fill[0], 0.5], [2.0, -1.0]], dtype=np.float32)
    expected = network.predict(prepared.preprocess(filled))
    capsys.readouterr()
    assert run_cli(["predict", str(tmp_path / "xy.bps"), str(query)]) == 0
    lines = capsys.readouterr().out.splitlines()[1:]
    np.testing.assert_allclose([[float(v) for v in line.split(",")[:2]] for line in lines], expected, atol=1e-5)
    assert load_project(tmp_path / "xy.bps").data_config["feature_transform"] == ["x", "y", "xy"]
    ort = pytest.importorskip("onnxruntime")
    from core.export import export_model
    (path,) = export_model(model, "onnx", tmp_path / "xy.onnx")
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    feeds = {"u": np.array([[np.nan], [2.0]], np.float32), "v": np.array([[0.5], [-1.0]], np.float32)}
    np.testing.assert_allclose(session.run(None, feeds)[0], expected, atol=1e-5)
