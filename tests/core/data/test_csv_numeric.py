"""The all-numeric CSV fast path: exact values when it answers, a None (so the careful parser names the problem)
whenever a file is anything but plain numbers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from core.data import DataError, load_csv
from core.data import csv_loader
from core.data.csv_numeric import read_numeric_table
from core.data.csv_preview import read_layout
from tests.core.data.files import write_text


def _fast_table(path: Path) -> np.ndarray | None:
    return read_numeric_table(read_layout(path))


def _careful_only(monkeypatch) -> None:
    monkeypatch.setattr(csv_loader, "read_numeric_table", lambda layout: None)


def test_values_are_exactly_pythons_floats(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    values = rng.standard_normal((400, 3)) * 10.0 ** rng.integers(-20, 20, (400, 3))
    texts = [[repr(float(v)) for v in row] + [f"{v:.6f}" for v in row] for row in values]
    path = write_text(tmp_path / "exact.csv", "".join(",".join(row) + "\n" for row in texts))
    table = _fast_table(path)
    assert table is not None
    np.testing.assert_array_equal(table, [[float(cell) for cell in row] for row in texts])


@pytest.mark.parametrize("name, raw", [
    ("header_and_blank_lines.csv", b"a,b,y\n\n1,2,0\n\n3,4,1\n"),
    ("windows.csv", b"a,b,y\r\n1,2,0\r\n3,4,1\r\n"),
    ("bom.csv", "\ufeff1,2,0\n3,4,1\n".encode("utf-8")),
    ("quoted.csv", b'a,b,y\n"1",2,0\n3,"4",1\n'),
    ("aligned.txt", b"  a   b  y\n  1   2  0\n  3   4  1\n"),
    ("tabs.tsv", b"a\tb\ty\n1\t2\t0\n3\t4\t1\n"),
    ("semicolons.csv", b"a;b;y\n1;2;0\n3;4;1\n"),
])
def test_fast_path_agrees_with_the_careful_parser(tmp_path: Path, monkeypatch, name: str, raw: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(raw)
    assert _fast_table(path) is not None, "the fast path should take this plainly numeric file"
    fast = load_csv(path)
    _careful_only(monkeypatch)
    careful = load_csv(path)
    assert fast.x.tolist() == careful.x.tolist() == [[1, 2], [3, 4]]
    assert fast.content_hash == careful.content_hash and fast.feature_names == careful.feature_names


# Each bad row comes after 250 good ones, beyond the 200-line sample that layout detection reads.
_GOOD_ROWS = "1,2,0\n3,4,1\n" * 125


@pytest.mark.parametrize("bad_row, message", [
    ("3,x,1", "column 'b': 'x' is not a number"),
    ("3,NaN,1", "column 'b': the value is missing"),
    ("3,,1", "column 'b': the value is missing"),
    ("3,inf,1", "column 'b': 'inf' is infinite"),
    ("3,1e999,1", "column 'b': '1e999' is infinite"),
    ("3,4,1,5", "has 4 fields but the first row has 3"),
    ("3,4", "has 2 fields but the first row has 3"),
    ("3,1-2,1", "column 'b': '1-2' is not a number"),
    ("3,True,1", "column 'b': 'True' is not a number"),
])
def test_bad_cells_fall_back_to_the_messages_that_locate_them(tmp_path: Path, bad_row: str, message: str) -> None:
    path = write_text(tmp_path / "bad.csv", "a,b,y\n" + _GOOD_ROWS + bad_row + "\n" + _GOOD_ROWS)
    assert _fast_table(path) is None
    with pytest.raises(DataError) as caught:
        load_csv(path)
    separator = ", " if message.startswith("column") else ": "
    assert str(caught.value).startswith(f"bad.csv, line 252{separator}{message}")


def test_texts_the_fast_path_cannot_judge_still_load(tmp_path: Path) -> None:
    path = write_text(tmp_path / "odd.csv", "a,y\n1_000,0\n2,1\n3,0\n")  # Python reads 1_000; pandas does not.
    assert _fast_table(path) is None
    assert load_csv(path).x[:, 0].tolist() == [1000, 2, 3]


def test_lone_carriage_returns_go_the_careful_way(tmp_path: Path) -> None:
    path = tmp_path / "old_mac.csv"
    path.write_bytes(b"a,b,y\r1,2,0\r3,4,1\r")
    assert _fast_table(path) is None
    assert load_csv(path).x.tolist() == [[1, 2], [3, 4]]


def test_numeric_file_never_reaches_the_cell_by_cell_parser(tmp_path: Path, monkeypatch) -> None:
    table = np.column_stack([np.arange(50) % 7, np.arange(50) % 3])
    path = tmp_path / "plain.csv"
    np.savetxt(path, table, fmt="%d", delimiter=",", header="f,y", comments="")

    def refuse(*args, **kwargs):
        raise AssertionError("the cell-by-cell parser ran on a plainly numeric file")

    monkeypatch.setattr(csv_loader, "_parse_cell_by_cell", refuse)
    data = load_csv(path)
    assert data.x[:, 0].tolist() == (np.arange(50) % 7).tolist() and data.class_names == ["0", "1", "2"]
