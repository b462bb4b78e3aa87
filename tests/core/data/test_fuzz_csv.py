"""Untrusted CSV/TSV files (issue 12): generated inputs for every failure class, through every CSV entry point.

The property every generated file must keep: `load_file`, `preview_csv` and `read_raw_rows` either succeed
(finite features, one target per row) or raise ONE DataError whose single line starts with the file's name;
never another exception, never a traceback. Then each class gets targeted cases: sizes (columns, cells, lines,
fields) bounded by the memory budget, encodings, NaN and infinity, quoting round trips.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

import numpy as np
import pytest

from core.data import DataError, load_csv, load_file, preview_csv
from core.data.csv_rows import read_raw_rows
from core.memory_budget import ENV_VARIABLE

BASE_CSV = ("sepal,petal width,colour,species\n" + "".join(
    f"{i * 0.5:.1f},{(i % 7) / 3:.3f},{('red', 'blue', 'green')[i % 3]},{('setosa', 'virginica')[i % 2]}\n"
    for i in range(40))).encode()
NUMERIC_CSV = ("a,b,y\n" + "".join(f"{i},{i * 2 % 9},{i % 2}\n" for i in range(40))).encode()
TOKENS = (b'"', b"\n", b"\r", b",", b"\t", b";", b"\x00", b"inf", b"-Infinity", b"nan", b"1e999", b"NA", b"?",
          b"\xff", b"\xe9", b"\xef\xbb\xbf", b'"a\nb"', b"x" * 3000, b'"' + b"q" * 140_000 + b'"', b"\x1f\x8b")


def _entry_points(path: Path) -> list:
    return [lambda: load_file(path, categorical="one_hot", missing="drop"), lambda: load_file(path),
            lambda: preview_csv(path), lambda: read_raw_rows(path)]


def check_clean_outcome(path: Path) -> None:
    """The fuzz property: a usable result or one DataError line naming the file."""
    for call in _entry_points(path):
        try:
            result = call()
        except DataError as error:
            message = str(error)
            assert message.startswith(f"{path.name}") and "\n" not in message.replace(repr("\n")[1:-1], ""), message
            assert "Traceback" not in message
            continue
        x = getattr(result, "x", None)
        if x is not None:
            assert np.isfinite(x).all() and len(x) == len(result.y) > 0


def _mutate(data: bytes, rng: random.Random) -> bytes:
    for _ in range(rng.randint(1, 3)):
        at = rng.randrange(len(data) + 1)
        action = rng.choice(("truncate", "insert", "delete", "replace"))
        if action == "truncate":
            data = data[:at]
        elif action == "insert":
            data = data[:at] + rng.choice(TOKENS) + data[at:]
        elif action == "delete":
            data = data[:at] + data[at + rng.randint(1, 40):]
        else:
            data = data[:at] + bytes([rng.randrange(256)]) + data[at + 1:]
    return data


@pytest.mark.parametrize("seed", range(6))
def test_generated_mutants_load_or_give_one_line(tmp_path, seed):
    rng = random.Random(seed)
    for number in range(30):
        base = BASE_CSV if number % 2 else NUMERIC_CSV  # Both the cell-by-cell and the fast numeric parser.
        path = tmp_path / f"mutant{number}.csv"
        path.write_bytes(_mutate(base, rng))
        check_clean_outcome(path)


def test_every_truncation_loads_or_gives_one_line(tmp_path):
    for length in range(0, len(BASE_CSV[:400]), 7):
        path = tmp_path / f"cut{length}.csv"
        path.write_bytes(BASE_CSV[:length])
        check_clean_outcome(path)


# --- sizes: columns, cells, lines and fields are bounded by the memory budget -----------------------------------

def test_a_million_columns_are_refused_from_the_header(tmp_path):
    """Today's bug: 1.6 GB and 24 s for a 12 MB file. Refused after reading two lines."""
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"c{i}" for i in range(10**6)) + "\n" + ",".join("1" for _ in range(10**6)) + "\n")
    for call in (load_csv, preview_csv, read_raw_rows):
        with pytest.raises(DataError, match=r"^wide.csv, line 1: has 1,000,000 columns, more than the 100,000"):
            call(path)


def test_many_tiny_cells_are_refused_while_streaming_before_any_column_is_built(tmp_path, monkeypatch):
    path = tmp_path / "cells.csv"
    path.write_text("a,b,c\n" + "1,2,x\n" * 100_000)  # 300,000 cells: ~30 MB once held as Python strings.
    monkeypatch.setenv(ENV_VARIABLE, "10M")  # The file's size alone (0.6 MB) passes.
    monkeypatch.setattr("core.data.csv_loader._parse_column", _must_not_run)
    with pytest.raises(DataError, match=r"^cells.csv: loading it needs .* over the memory budget of 0.00977 GiB"):
        load_csv(path, target="a")


def _must_not_run(*args, **kwargs):
    raise AssertionError("per-column structures were built before the memory check")


def test_a_text_column_of_distinct_values_is_not_one_hot_encoded_past_the_budget(tmp_path, monkeypatch):
    path = tmp_path / "ids.csv"
    path.write_text("id,v,y\n" + "".join(f"user{i},{i},{i % 2}\n" for i in range(3000)))
    monkeypatch.setenv(ENV_VARIABLE, "8M")  # 3000 rows × 3000 categories × 4 bytes = 36 MB.
    with pytest.raises(DataError, match=r"^ids.csv: loading it needs 0.0335 GiB, over the memory budget"):
        load_csv(path, categorical="one_hot")
    monkeypatch.delenv(ENV_VARIABLE)
    assert load_csv(path, categorical="one_hot").x.shape == (3000, 3001)


def test_too_many_one_hot_columns_are_refused(tmp_path):
    path = tmp_path / "ids.csv"
    path.write_text("id,y\n" + "".join(f"u{i},{i % 2}\n" for i in range(100_001)))
    with pytest.raises(DataError, match=r"makes 100,001 feature columns, more than 100,000"):
        load_csv(path, categorical="one_hot")


def test_a_field_over_131072_characters_loads(tmp_path):
    """Python's csv module refuses such a field by default (`_csv.Error`); the budget sets the limit instead."""
    long_text = "lorem ipsum, " * 20_000  # 260,000 characters, commas inside the quotes.
    path = tmp_path / "long.csv"
    path.write_text(f'note,v,y\n"{long_text}",1,0\nshort,2,1\nshort,3,0\n', encoding="utf-8")
    rows = read_raw_rows(path).rows
    assert rows[0][0] == long_text
    data = load_csv(path, categorical="one_hot")
    assert data.x.shape == (3, 3) and any(len(name) > 260_000 for name in data.feature_names)


def test_a_field_over_the_limit_is_one_line_naming_its_line(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_VARIABLE, "4M")  # Lines and fields up to 64 KiB.
    path = tmp_path / "long.csv"
    path.write_text("note,y\nok,1\n\"" + "z" * 40_000 + "\n" + "z" * 40_000 + "\",0\n")
    for call in (load_csv, read_raw_rows):
        with pytest.raises(DataError) as caught:
            call(path)
        assert caught.value.row == 3 and "longer than 65,536 characters" in str(caught.value)
        assert str(caught.value).startswith("long.csv, line 3: ")


def test_an_endless_line_is_not_read_whole(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_VARIABLE, "4M")
    path = tmp_path / "one_line.csv"
    path.write_bytes(b"a,b," * 250_000)  # 1 MB and no line break: within the budget, but not one line.
    for call in (preview_csv, load_csv):
        with pytest.raises(DataError, match=r"^one_line.csv, line 1: the line is longer than 65,536 characters"):
            call(path)


def test_a_file_over_the_budget_is_refused_from_its_size(tmp_path, monkeypatch):
    path = tmp_path / "big.csv"
    path.write_text("a,b,y\n" + "1,2,0\n" * 200_000)
    monkeypatch.setenv(ENV_VARIABLE, "1M")
    with pytest.raises(DataError, match=rf"^big.csv: loading it needs .*GiB, over .*\(set {ENV_VARIABLE} to"):
        load_csv(path)


# --- encodings -------------------------------------------------------------------------------------------------

def test_latin1_file_loads_with_its_names(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("café,größe,y\n1,2,Zoë\n3,4,Renée\n5,6,Zoë\n".encode("latin-1"))
    data = load_csv(path)
    assert data.feature_names == ["café", "größe"] and data.class_names == ["Renée", "Zoë"]
    assert read_raw_rows(path).rows[1] == ["3", "4", "Renée"]


def test_latin1_past_the_text_probe_loads(tmp_path):
    path = tmp_path / "late_latin.csv"
    rows = "".join(f"{i},{i % 5},{'ab'[i % 2]}\n" for i in range(20_000))  # ASCII for the first 64 KB.
    path.write_bytes(("a,b,name\n" + rows).encode() + "7,1,Zoë\n".encode("latin-1"))
    raw = read_raw_rows(path)
    assert raw.encoding == "latin-1" and raw.rows[-1] == ["7", "1", "Zoë"]
    assert "Zoë" in load_csv(path).class_names


def test_utf8_with_bom_and_a_newline_in_a_header_cell_round_trip(tmp_path):
    """A quoted header cell holding a newline keeps it, through the fast parser and back out through csv."""
    path = tmp_path / "bom.csv"
    path.write_bytes(b'\xef\xbb\xbfa,"petal\nwidth",y\n1,2,0\n3,4,1\n5,6,0\n')
    data = load_csv(path)
    assert data.feature_names == ["a", "petal\nwidth"] and data.x.tolist() == [[1, 2], [3, 4], [5, 6]]
    raw = read_raw_rows(path)
    assert raw.column_names == ["a", "petal\nwidth", "y"] and raw.lines == [3, 4, 5]
    again = tmp_path / "again.csv"
    with open(again, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([raw.column_names, *raw.rows])
    assert read_raw_rows(again).column_names == raw.column_names and read_raw_rows(again).rows == raw.rows


@pytest.mark.parametrize("payload", [
    "a,b,y\n1,2,0\n".encode("utf-16"), bytes(range(256)) * 64, b"\x1f\x8b\x08\x00" + bytes(500),
    np.arange(5000, dtype=np.float64).tobytes(),
])
def test_binary_and_utf16_files_are_not_text(tmp_path, payload):
    path = tmp_path / "binary.csv"
    path.write_bytes(payload)
    for call in (load_csv, preview_csv, read_raw_rows):
        with pytest.raises(DataError, match=r"^binary.csv(, line \d+)?: .*not a text file"):
            call(path)


# --- NaN and infinity --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("token", ["inf", "-Infinity", "1e999", "-1E400"])
@pytest.mark.parametrize("text_column", [False, True])  # The fast numeric parser, or the careful one.
def test_infinity_in_a_feature_is_refused_by_row_and_column(tmp_path, token, text_column):
    label = "abcd" if text_column else "0101"
    lines = [f"{i},{i + 1},{label[i]}" for i in range(4)]
    lines[2] = f"2,{token},{label[2]}"
    path = tmp_path / "inf.csv"
    path.write_text("a,b,y\n" + "\n".join(lines) + "\n")
    with pytest.raises(DataError) as caught:
        load_csv(path, missing="mean")
    assert (caught.value.row, caught.value.column) == (4, "b") and "infinite" in str(caught.value)


def test_nan_is_a_missing_value_the_option_decides(tmp_path):
    path = tmp_path / "nan.csv"
    path.write_text("a,b,y\n1,2,0\n3,NaN,1\n5,6,0\n7,8,1\n")
    with pytest.raises(DataError) as caught:
        load_csv(path)
    assert (caught.value.row, caught.value.column) == (3, "b")
    assert load_csv(path, missing="drop").x.tolist() == [[1, 2], [5, 6], [7, 8]]
    filled = load_csv(path, missing="mean").x
    assert np.isfinite(filled).all() and filled[1, 1] == pytest.approx(16 / 3)


# --- defaults and messages ---------------------------------------------------------------------------------------

def test_the_only_text_column_is_the_suggested_target(tmp_path):
    """Issue 11 §3: wine's "cultivar", not "proline"."""
    wine = tmp_path / "wine.csv"
    wine.write_text("cultivar,alcohol,proline\nbarolo,13.2,1065\ngrignolino,12.4,520\nbarbera,13.1,830\n")
    assert preview_csv(wine).suggested_target == "cultivar"
    two_texts = tmp_path / "two.csv"
    two_texts.write_text("colour,size,shape,weight\nred,1,round,3\nblue,2,square,4\n")
    assert preview_csv(two_texts).suggested_target == "weight"
    numbers = tmp_path / "numbers.csv"
    numbers.write_bytes(NUMERIC_CSV)
    assert preview_csv(numbers).suggested_target == "y"


def test_messages_use_the_data_panels_words_and_end_with_a_full_stop(tmp_path):
    widgets = pytest.importorskip("studio.widgets.csv_preview")
    labels = {value: label for label, value in widgets.MISSING_CHOICES + widgets.CATEGORICAL_CHOICES}
    gaps = tmp_path / "gaps.csv"
    gaps.write_text("a,b,y\n1,2,0\n3,,1\n5,6,0\n")
    text = tmp_path / "text.csv"
    text.write_text("colour,size,y\nred,1,0\nblue,2,1\n")
    missing_message = _message(load_csv, gaps)
    one_hot_message = _message(load_csv, text)
    assert f'"{labels["drop"]}" or "{labels["mean"]}"' in missing_message and missing_message.endswith(".")
    assert f'"{labels["one_hot"]}"' in one_hot_message and one_hot_message.endswith(".")
    assert "missing=" not in missing_message + one_hot_message and "categorical=" not in one_hot_message
    no_target = tmp_path / "no_target.csv"
    no_target.write_text("a,b,y\n1,2,0\n3,4,\n5,6,1\n")
    assert f'"{labels["drop"]}"' in _message(load_csv, no_target, missing="mean")


def _message(call, *args, **kwargs) -> str:
    with pytest.raises(DataError) as caught:
        call(*args, **kwargs)
    return str(caught.value)


def test_a_long_bad_cell_is_cut_short_in_the_message(tmp_path):
    path = tmp_path / "cell.csv"
    path.write_text("a,y\n1,0\n" + "x" * 50_000 + ",1\n2,0\n3,1\n4,0\n")
    message = _message(load_csv, path)
    assert len(message) < 300 and "(50,000 characters) is not a number" in message


def test_the_data_panel_warning_for_a_vanished_file_ends_its_sentence(tmp_path):
    document_module = pytest.importorskip("studio.document")
    csv_path = tmp_path / "wine_copy.csv"
    csv_path.write_text("a,b,label\n0,1,x\n1,0,y\n2,2,x\n3,1,y\n")
    document = document_module.Document()
    document.set_data_source({"kind": "file", "format": "csv", "path": str(csv_path)})
    document.save(tmp_path / "p.bps")
    csv_path.unlink()
    warning = document_module.Document.open(tmp_path / "p.bps").warnings[0]
    assert "wine_copy.csv: file not found. Pick it again in the Data panel." in warning


def test_raw_rows_reader_reads_what_load_csv_reads(tmp_path):
    """One reader for training and prediction: same names, same rows, same delimiter detection."""
    path = tmp_path / "semi.csv"
    path.write_text('x;"y; z";label\n1;2;a\n3;4;b\n')
    raw = read_raw_rows(path)
    assert raw.delimiter == ";" and raw.has_header and raw.column_names == ["x", "y; z", "label"]
    assert raw.rows == [["1", "2", "a"], ["3", "4", "b"]]
    assert load_csv(path).feature_names == raw.column_names[:2]
