"""CSV/TSV loading: detection and overrides, labels, one-hot features, missing values, and the fast path."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from core.data import DataError, load_csv, load_source, preview_csv
from core.data import csv_loader
from tests.core.data.files import write_text

IRIS_LIKE = "sepal,petal,species\n5.1,1.4,setosa\n7.0,4.7,versicolor\n6.3,6.0,virginica\n4.9,1.5,setosa\n"


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiter_is_detected(tmp_path: Path, delimiter: str) -> None:
    path = write_text(tmp_path / "data.txt", IRIS_LIKE.replace(",", delimiter))
    preview = preview_csv(path)
    assert preview.delimiter == delimiter and preview.has_header
    data = load_csv(path)
    assert data.feature_names == ["sepal", "petal"] and data.x.shape == (4, 2)


def test_commas_inside_quotes_do_not_fool_detection(tmp_path: Path) -> None:
    text = 'name;score;ok\n"Smith, J";1,5;yes\n"Doe, A";2;no\n"Roe, B";3;yes\n'
    assert preview_csv(write_text(tmp_path / "q.csv", text)).delimiter == ";"


def test_whitespace_separated_columns(tmp_path: Path) -> None:
    path = write_text(tmp_path / "aligned.txt", "1.0   2.0  0\n 3.0  4.0  1\n5.0 6.0 1\n")
    data = load_csv(path)
    assert data.source["delimiter"] == " " and not data.source["header"]
    np.testing.assert_array_equal(data.x, [[1, 2], [3, 4], [5, 6]])
    assert data.feature_names == ["column 1", "column 2"]


def test_header_detection_both_ways(tmp_path: Path) -> None:
    assert preview_csv(write_text(tmp_path / "h.csv", "a,b,c\n1,2,0\n3,4,1\n")).has_header
    assert not preview_csv(write_text(tmp_path / "n.csv", "1,2,0\n3,4,1\n")).has_header
    # All-text data: a first row whose cells recur below is data, not names.
    assert not preview_csv(write_text(tmp_path / "t.csv", "red,big\nblue,small\nred,small\n")).has_header


def test_overrides_win_over_detection(tmp_path: Path) -> None:
    path = write_text(tmp_path / "o.csv", "1;2;0\n3;4;1\n5;6;0\n")
    as_header = load_csv(path, header=True, delimiter=";")
    assert as_header.feature_names == ["1", "2"] and as_header.num_samples == 2
    with pytest.raises(DataError):  # With ',' every row is one field: no feature columns.
        load_csv(path, delimiter=",")


def test_preview_reports_kinds_rows_and_target(tmp_path: Path) -> None:
    preview = preview_csv(write_text(tmp_path / "p.csv", IRIS_LIKE), max_rows=2)
    assert preview.column_names == ["sepal", "petal", "species"]
    assert preview.rows == [["5.1", "1.4", "setosa"], ["7.0", "4.7", "versicolor"]]
    assert preview.column_kinds == ["numeric", "numeric", "categorical"]
    assert preview.suggested_target == "species" and preview.num_columns == 3


def test_string_labels_become_classes_with_mapping(tmp_path: Path) -> None:
    data = load_csv(write_text(tmp_path / "iris.csv", IRIS_LIKE))
    assert data.task == "classification"
    assert data.class_names == ["setosa", "versicolor", "virginica"]
    assert data.y.tolist() == [0, 1, 2, 0]
    assert [data.class_names[i] for i in data.y] == ["setosa", "versicolor", "virginica", "setosa"]


def test_target_chosen_by_name_or_index(tmp_path: Path) -> None:
    path = write_text(tmp_path / "t.csv", "label,a,b\n1,0.5,2\n0,0.1,3\n1,0.7,4\n")
    by_name, by_index = load_csv(path, target="label"), load_csv(path, target=0)
    for data in (by_name, by_index):
        assert data.feature_names == ["a", "b"] and data.y.tolist() == [1, 0, 1]
    assert by_name.content_hash == by_index.content_hash


def test_numeric_target_task_detection_and_override(tmp_path: Path) -> None:
    rows = "".join(f"{i},{i * 0.37:.2f}\n" for i in range(40))
    path = write_text(tmp_path / "r.csv", "x,value\n" + rows)
    assert load_csv(path).task == "regression"  # 40 distinct non-integers.
    few = write_text(tmp_path / "c.csv", "x,grade\n1,3\n2,5\n3,3\n4,4\n")
    assert load_csv(few).task == "classification" and load_csv(few).class_names == ["3", "4", "5"]
    as_values = load_csv(few, task="regression")
    assert as_values.task == "regression" and as_values.y[:, 0].tolist() == [3, 5, 3, 4]


def test_several_targets_make_a_regression(tmp_path: Path) -> None:
    path = write_text(tmp_path / "m.csv", "a,b,u,v\n1,2,0.5,1.5\n3,4,2.5,3.5\n5,6,1,2\n")
    data = load_csv(path, target=["u", "v"])
    assert data.y.shape == (3, 2) and data.target_names == ["u", "v"] and data.output_size == 2


def test_regression_target_with_text_names_the_cell(tmp_path: Path) -> None:
    path = write_text(tmp_path / "r.csv", "a,price\n1,10.5\n2,cheap\n3,7\n")
    with pytest.raises(DataError) as caught:
        load_csv(path, task="regression")
    assert (caught.value.row, caught.value.column) == (3, "price")


def test_one_hot_categorical_features(tmp_path: Path) -> None:
    text = "size,colour,y\n1,red,0\n2,blue,1\n3,green,1\n4,red,0\n"
    data = load_csv(write_text(tmp_path / "c.csv", text), categorical="one_hot")
    assert data.feature_names == ["size", "colour=blue", "colour=green", "colour=red"]
    np.testing.assert_array_equal(data.x, [[1, 0, 0, 1], [2, 1, 0, 0], [3, 0, 1, 0], [4, 0, 0, 1]])


def test_one_hot_does_not_hide_a_typo_in_a_numeric_column(tmp_path: Path) -> None:
    text = "a,b,y\n1,2,0\n2,3,1\n3,oops,1\n4,5,0\n"
    with pytest.raises(DataError) as caught:
        load_csv(write_text(tmp_path / "typo.csv", text), categorical="one_hot")
    assert (caught.value.row, caught.value.column) == (4, "b")


GAPS = "a,b,y\n1,10,0\n,20,1\n3,,1\n5,40,1\n"


def test_missing_drop_removes_the_rows(tmp_path: Path) -> None:
    data = load_csv(write_text(tmp_path / "g.csv", GAPS), missing="drop")
    np.testing.assert_array_equal(data.x, [[1, 10], [5, 40]])
    assert data.y.tolist() == [0, 1] and data.class_names == ["0", "1"]


def test_missing_mean_fills_from_the_column(tmp_path: Path) -> None:
    data = load_csv(write_text(tmp_path / "g.csv", GAPS), missing="mean")
    np.testing.assert_allclose(data.x, [[1, 10], [3, 20], [3, 70 / 3], [5, 40]], rtol=1e-6)
    assert data.y.tolist() == [0, 1, 1, 1]


def test_missing_target_can_only_be_dropped(tmp_path: Path) -> None:
    path = write_text(tmp_path / "t.csv", "a,y\n1,0\n2,\n3,1\n4,0\n")
    with pytest.raises(DataError, match="only be dropped") as caught:
        load_csv(path, missing="mean")
    assert (caught.value.row, caught.value.column) == (3, "y")
    assert load_csv(path, missing="drop").num_samples == 3


def test_one_hot_mean_fill_uses_category_frequencies(tmp_path: Path) -> None:
    text = "c,y\nred,0\nblue,1\nred,1\n,0\n"
    data = load_csv(write_text(tmp_path / "c.csv", text), categorical="one_hot", missing="mean")
    np.testing.assert_allclose(data.x[-1], [1 / 3, 2 / 3], rtol=1e-6)


def test_bad_option_values_are_data_errors(tmp_path: Path) -> None:
    path = write_text(tmp_path / "o.csv", IRIS_LIKE)
    for options in ({"missing": "ignore"}, {"categorical": "drop"}, {"task": "clustering"}, {"max_classes": 0},
                    {"header": "yes"}, {"delimiter": ",,"}):
        with pytest.raises(DataError):
            load_csv(path, **options)


def test_quoted_fields_and_bom(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_bytes('\ufeff"a","b","y"\n"1.5","2",yes\n"3","4",no\n'.encode("utf-8"))
    data = load_csv(path)
    assert data.feature_names == ["a", "b"] and data.x.tolist() == [[1.5, 2.0], [3.0, 4.0]]
    assert data.class_names == ["no", "yes"]


def test_latin1_text_is_read(tmp_path: Path) -> None:
    path = tmp_path / "l.csv"
    path.write_bytes("größe,y\n1,ja\n2,nein\n".encode("latin-1"))
    assert load_csv(path).feature_names == ["größe"]


def test_fast_and_cell_by_cell_paths_agree(tmp_path: Path, monkeypatch) -> None:
    rng = np.random.default_rng(0)
    values = rng.normal(size=(300, 4))
    labels = rng.integers(0, 3, 300)
    rows = "".join(",".join(f"{v:.9g}" for v in row) + f",{label}\n" for row, label in zip(values, labels))
    path = write_text(tmp_path / "n.csv", "a,b,c,d,y\n" + rows)
    fast = load_csv(path)
    calls: list[int] = []
    monkeypatch.setattr(csv_loader, "read_numeric_table", lambda layout: calls.append(1) and None)
    slow = load_csv(path)
    assert calls and fast.content_hash == slow.content_hash
    np.testing.assert_allclose(fast.x, values.astype(np.float32), rtol=1e-6)


def test_source_rebuilds_the_same_data(tmp_path: Path) -> None:
    path = write_text(tmp_path / "s.csv", "size,colour,y\n1,red,a\n2,blue,b\n3,,a\n")
    data = load_csv(path, categorical="one_hot", missing="drop", target="y")
    rebuilt = load_source(data.source)
    assert rebuilt.content_hash == data.content_hash and rebuilt.feature_names == data.feature_names
    assert data.source["format"] == "csv" and data.source["target"] == ["y"]


def test_larger_numeric_csv_loads_reasonably_fast(tmp_path: Path) -> None:
    import time

    rng = np.random.default_rng(1)
    table = np.column_stack([rng.integers(0, 256, size=(5000, 100)), rng.integers(0, 10, 5000)])
    path = tmp_path / "wide.csv"
    np.savetxt(path, table, fmt="%d", delimiter=",")
    start = time.perf_counter()
    data = load_csv(path)
    elapsed = time.perf_counter() - start
    assert data.x.shape == (5000, 100) and data.num_classes == 10
    np.testing.assert_array_equal(data.x, table[:, :100])
    assert elapsed < 10  # About 0.3 s here; loose so a busy machine does not fail it.


def test_windows_line_endings(tmp_path: Path) -> None:
    path = tmp_path / "w.csv"
    path.write_bytes(b"a,b,y\r\n1,2,no\r\n3,4,yes\r\n\r\n")
    data = load_csv(path)
    assert data.x.tolist() == [[1, 2], [3, 4]] and data.class_names == ["no", "yes"]


def test_byte_order_mark_on_an_all_numeric_file(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeff1,2,0\n3,4,1\n".encode("utf-8"))
    data = load_csv(path)
    assert data.x.tolist() == [[1, 2], [3, 4]] and data.feature_names == ["column 1", "column 2"]
