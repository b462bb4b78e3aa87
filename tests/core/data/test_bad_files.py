"""Every bad input named in issue 3 gets a DataError that says what is wrong and where, never a half-load."""

from __future__ import annotations

import gzip
import zipfile
from pathlib import Path

import numpy as np
import pytest

from core.data import DataError, load_csv, load_file, load_idx, load_npz, preview_csv
from tests.core.data.files import idx_bytes, write_idx, write_text


def _error(call, *args, **kwargs) -> DataError:
    with pytest.raises(DataError) as caught:
        call(*args, **kwargs)
    return caught.value


# --- text files -----------------------------------------------------------------------------------------------

def test_empty_file(tmp_path: Path) -> None:
    err = _error(load_csv, write_text(tmp_path / "empty.csv", ""))
    assert err.path.endswith("empty.csv")
    assert str(err).startswith("empty.csv: ") and "empty" in err.reason


def test_file_of_blank_lines_counts_as_empty(tmp_path: Path) -> None:
    err = _error(load_csv, write_text(tmp_path / "blank.csv", "\n  \n\n"))
    assert "empty" in str(err) and "blank.csv" in str(err)


def test_header_only(tmp_path: Path) -> None:
    err = _error(load_csv, write_text(tmp_path / "head.csv", "a,b,label\n"), header=True)
    assert str(err) == "head.csv, line 1: has a header but no data rows"
    assert err.row == 1


def test_header_only_is_detected_without_override(tmp_path: Path) -> None:
    err = _error(load_csv, write_text(tmp_path / "head.csv", "width,height,label\n"))
    assert "header but no data rows" in str(err)


def test_ragged_row_names_its_line(tmp_path: Path) -> None:
    text = "a,b,label\n1,2,0\n3,4,1\n5,6,1,9\n7,8,0\n"
    err = _error(load_csv, write_text(tmp_path / "ragged.csv", text))
    assert err.row == 4
    assert str(err).startswith("ragged.csv, line 4: has 4 fields but the first row has 3")


def test_ragged_row_beyond_the_detection_sample_is_found(tmp_path: Path) -> None:
    rows = "".join(f"{i},{i + 1},{i % 2}\n" for i in range(500))
    err = _error(load_csv, write_text(tmp_path / "late.csv", "a,b,c\n" + rows + "1,2\n"))
    assert err.row == 502 and "has 2 fields" in str(err)


def test_text_in_a_feature_column_names_line_and_column(tmp_path: Path) -> None:
    text = "sepal,petal_width,species\n1.0,0.2,setosa\n1.1,abc,setosa\n2.0,1.3,virginica\n"
    err = _error(load_csv, write_text(tmp_path / "iris.csv", text))
    assert str(err) == "iris.csv, line 3, column 'petal_width': 'abc' is not a number."
    assert (err.row, err.column) == (3, "petal_width")


def test_text_in_a_feature_column_without_header_names_column_number(tmp_path: Path) -> None:
    err = _error(load_csv, write_text(tmp_path / "nohead.csv", "1,2,0\n3,x,1\n5,6,1\n"), header=False)
    assert str(err).startswith("nohead.csv, line 2, column 2: 'x' is not a number")
    assert err.column == 2


def test_text_column_error_suggests_one_hot(tmp_path: Path) -> None:
    err = _error(load_csv, write_text(tmp_path / "cat.csv", "colour,size,y\nred,1,0\nblue,2,1\n"))
    assert err.column == "colour" and err.row == 2
    assert str(err).endswith('choose "One-hot encode" for text columns.')  # The data panel's words.


def test_missing_values_name_rows_and_offer_choices(tmp_path: Path) -> None:
    text = "a,b,y\n1,2,0\n3,,1\n4,5,0\n6,NA,1\n7,8,0\n"
    err = _error(load_csv, write_text(tmp_path / "gaps.csv", text))
    assert (err.row, err.column) == (3, "b")
    message = str(err)
    assert message.startswith("gaps.csv, line 3, column 'b': ")
    assert "lines 3, 5" in message and '"Drop those rows" or "Fill with column mean"' in message
    assert message.endswith(" for missing cells.")


def test_nan_text_counts_as_missing(tmp_path: Path) -> None:
    err = _error(load_csv, write_text(tmp_path / "nan.csv", "a,b,y\n1,2,0\n3,NaN,1\n4,5,1\n"))
    assert (err.row, err.column) == (3, "b") and "NaN" in str(err)


def test_infinite_value_names_line_and_column(tmp_path: Path) -> None:
    err = _error(load_csv, write_text(tmp_path / "inf.csv", "a,b,y\n1,2,0\n3,4,1\n5,-inf,1\n"))
    assert str(err).startswith("inf.csv, line 4, column 'b': '-inf' is infinite")


def test_infinite_value_is_refused_even_when_filling_missing(tmp_path: Path) -> None:
    err = _error(load_csv, write_text(tmp_path / "inf.csv", "a,b,y\n1,,0\n3,inf,1\n5,6,1\n"), missing="mean")
    assert (err.row, err.column) == (3, "b")


def test_target_column_absent(tmp_path: Path) -> None:
    err = _error(load_csv, write_text(tmp_path / "t.csv", "a,b,y\n1,2,0\n3,4,1\n"), target="label")
    assert str(err) == "t.csv: target column 'label' not found; the columns are 'a', 'b', 'y'"


def test_target_index_out_of_range(tmp_path: Path) -> None:
    err = _error(load_csv, write_text(tmp_path / "t.csv", "1,2,0\n3,4,1\n"), target=7)
    assert "t.csv" in str(err) and "out of range" in str(err)


def test_single_class(tmp_path: Path) -> None:
    err = _error(load_csv, write_text(tmp_path / "one.csv", "a,b,kind\n1,2,cat\n3,4,cat\n"))
    assert err.column == "kind"
    assert str(err).startswith("one.csv, column 'kind': has a single class ('cat')")


def test_more_classes_than_the_limit(tmp_path: Path) -> None:
    rows = "".join(f"{i},{i * 2},name{i}\n" for i in range(12))
    err = _error(load_csv, write_text(tmp_path / "many.csv", "a,b,who\n" + rows), max_classes=10)
    assert err.column == "who" and "12 classes, more than the limit of 10" in str(err)
    assert str(err).startswith("many.csv, column 'who'")


def test_not_a_text_file(tmp_path: Path) -> None:
    path = tmp_path / "picture.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    err = _error(load_csv, path)
    assert str(err).startswith("picture.csv: is not a text file")


def test_not_a_text_file_in_preview(tmp_path: Path) -> None:
    path = tmp_path / "blob.txt"
    path.write_bytes(bytes(range(256)) * 4)
    assert "not a text file" in str(_error(preview_csv, path))


def test_csv_larger_than_memory_allows_is_refused_before_reading(tmp_path: Path, monkeypatch) -> None:
    path = write_text(tmp_path / "big.csv", "a,b,y\n" + "1,2,0\n3,4,1\n" * 100)
    opened: list[str] = []
    real_open = open
    monkeypatch.setattr("builtins.open", lambda file, *a, **k: opened.append(str(file)) or real_open(file, *a, **k))
    err = _error(load_csv, path, max_bytes=100)
    assert str(err).startswith("big.csv: loading it needs about")
    assert str(path) not in opened  # Refused from its size alone.


def test_file_not_found(tmp_path: Path) -> None:
    err = _error(load_csv, tmp_path / "nowhere.csv")
    assert str(err) == "nowhere.csv: file not found"


def test_unsupported_extension(tmp_path: Path) -> None:
    err = _error(load_file, write_text(tmp_path / "data.xlsx", "x"))
    assert str(err).startswith("data.xlsx: is not a supported data file")


# --- NPZ ------------------------------------------------------------------------------------------------------

def test_npz_mismatched_lengths(tmp_path: Path) -> None:
    path = tmp_path / "uneven.npz"
    np.savez(path, x=np.zeros((10, 3)), y=np.arange(9) % 2)
    err = _error(load_npz, path)
    assert str(err) == ("uneven.npz: array 'x' has 10 rows but array 'y' has 9; they must match one to one")


def test_npz_object_array_is_refused_without_unpickling(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "objects.npz"
    np.savez(path, x=np.array([[1, 2], [3, 4]], dtype=object), y=np.array([0, 1]))
    import pickle
    monkeypatch.setattr(pickle, "loads", lambda *a, **k: pytest.fail("unpickled"))
    monkeypatch.setattr(pickle, "load", lambda *a, **k: pytest.fail("unpickled"))
    err = _error(load_npz, path)
    assert str(err).startswith("objects.npz: array 'x' holds Python objects") and "refused" in str(err)


def test_npz_object_labels_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "labels.npz"
    np.savez(path, x=np.zeros((2, 2)), y=np.array(["a", None], dtype=object))
    assert "array 'y' holds Python objects" in str(_error(load_npz, path))


def test_npz_missing_array_lists_the_ones_present(tmp_path: Path) -> None:
    path = tmp_path / "named.npz"
    np.savez(path, inputs=np.zeros((4, 2)), labels=np.array([0, 1, 0, 1]))
    err = _error(load_npz, path)
    assert str(err) == "named.npz: has no array named 'x'; its arrays are 'inputs', 'labels'"


def test_npz_nan_names_row_and_column(tmp_path: Path) -> None:
    x = np.ones((5, 3))
    x[3, 2] = np.nan
    path = tmp_path / "nan.npz"
    np.savez(path, x=x, y=np.array([0, 1, 0, 1, 0]))
    err = _error(load_npz, path)
    assert (err.row, err.column) == (4, 3)
    assert str(err).startswith("nan.npz, row 4, column 3: array 'x' holds NaN")


def test_npz_infinite_target(tmp_path: Path) -> None:
    path = tmp_path / "inf.npz"
    np.savez(path, x=np.ones((3, 2)), y=np.array([0.5, np.inf, 1.5]))
    err = _error(load_npz, path, task="regression")
    assert err.row == 2 and "infinite" in str(err)


def test_npz_that_is_not_a_zip(tmp_path: Path) -> None:
    path = write_text(tmp_path / "fake.npz", "x,y\n1,2\n")
    assert str(_error(load_npz, path)).startswith("fake.npz: is not a .npz archive")


def test_npz_damaged_member(tmp_path: Path) -> None:
    path = tmp_path / "damaged.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("x.npy", b"not an npy header at all")
        archive.writestr("y.npy", b"\x93NUMPY")
    assert str(_error(load_npz, path)).startswith("damaged.npz: is damaged")


def test_npz_larger_than_memory_allows_is_refused_from_headers(tmp_path: Path) -> None:
    path = tmp_path / "big.npz"
    np.savez_compressed(path, x=np.zeros((1000, 100), dtype=np.float32), y=np.arange(1000) % 2)
    assert path.stat().st_size < 10_000  # Compressed small; the check must use the declared array sizes.
    err = _error(load_npz, path, max_bytes=100_000)
    assert str(err).startswith("big.npz: loading it needs about")


def test_npz_single_class(tmp_path: Path) -> None:
    path = tmp_path / "one.npz"
    np.savez(path, x=np.ones((3, 2)), y=np.array([1, 1, 1]))
    assert "single class" in str(_error(load_npz, path))


# --- IDX ------------------------------------------------------------------------------------------------------

@pytest.fixture
def labels_file(tmp_path: Path) -> Path:
    return write_idx(tmp_path / "labels-idx1-ubyte", np.array([0, 1, 2, 1], dtype=np.uint8))


def test_idx_bad_magic(tmp_path: Path, labels_file: Path) -> None:
    path = tmp_path / "images-idx3-ubyte"
    path.write_bytes(b"\x12\x34\x08\x03" + bytes(100))
    err = _error(load_idx, path, labels_file)
    assert str(err).startswith("images-idx3-ubyte: is not an IDX file: bad magic number 12340803")


def test_idx_unknown_type_code(tmp_path: Path, labels_file: Path) -> None:
    path = tmp_path / "images-idx3-ubyte"
    path.write_bytes(b"\x00\x00\x07\x03" + bytes(100))
    assert "bad magic number 00000703" in str(_error(load_idx, path, labels_file))


def test_idx_declared_size_larger_than_data(tmp_path: Path, labels_file: Path) -> None:
    data = idx_bytes(np.zeros((4, 3, 3), dtype=np.uint8))
    path = tmp_path / "short-idx3-ubyte"
    path.write_bytes(data[:-5])
    err = _error(load_idx, path, labels_file)
    assert str(err).startswith("short-idx3-ubyte: has the wrong size: its header declares shape (4, 3, 3)")
    assert "fewer" in str(err)


def test_idx_data_longer_than_declared(tmp_path: Path, labels_file: Path) -> None:
    path = tmp_path / "long-idx3-ubyte"
    path.write_bytes(idx_bytes(np.zeros((4, 3, 3), dtype=np.uint8)) + b"\x00\x01")
    assert "wrong size" in str(_error(load_idx, path, labels_file))


def test_idx_counts_of_images_and_labels_differ(tmp_path: Path, labels_file: Path) -> None:
    path = write_idx(tmp_path / "five-idx3-ubyte", np.zeros((5, 2, 2), dtype=np.uint8))
    err = _error(load_idx, path, labels_file)
    assert str(err) == "five-idx3-ubyte: holds 5 images but labels-idx1-ubyte holds 4 labels"


def test_idx_truncated_gzip(tmp_path: Path, labels_file: Path) -> None:
    compressed = gzip.compress(idx_bytes(np.arange(4 * 28 * 28, dtype=np.uint8).reshape(4, 28, 28) % 251))
    path = tmp_path / "cut-idx3-ubyte.gz"
    path.write_bytes(compressed[: len(compressed) // 2])
    err = _error(load_idx, path, labels_file)
    assert str(err).startswith("cut-idx3-ubyte.gz: is damaged: the gzip stream ends early")


def test_idx_corrupt_gzip(tmp_path: Path, labels_file: Path) -> None:
    compressed = bytearray(gzip.compress(idx_bytes(np.zeros((4, 8, 8), dtype=np.uint8))))
    compressed[-8] ^= 0xFF  # Flip the stored CRC-32: the data decompresses but fails its check.
    path = tmp_path / "corrupt-idx3-ubyte.gz"
    path.write_bytes(bytes(compressed))
    assert str(_error(load_idx, path, labels_file)).startswith("corrupt-idx3-ubyte.gz: is damaged")


def test_idx_larger_than_memory_allows_is_refused_from_header(tmp_path: Path, labels_file: Path) -> None:
    # Only a header that declares 4 × 10000 × 10000 bytes: refusing must not need the (absent) data.
    path = tmp_path / "huge-idx3-ubyte"
    path.write_bytes(b"\x00\x00\x08\x03" + np.array([4, 10000, 10000], dtype=">u4").tobytes())
    err = _error(load_idx, path, labels_file, max_bytes=1_000_000)
    assert str(err).startswith("huge-idx3-ubyte: loading it needs about")


def test_idx_labels_file_that_is_an_images_file(tmp_path: Path) -> None:
    images = write_idx(tmp_path / "a-idx3-ubyte", np.zeros((4, 2, 2), dtype=np.uint8))
    err = _error(load_idx, images, images)
    assert "is not a labels file" in str(err)


def test_idx_labels_all_one_class(tmp_path: Path) -> None:
    images = write_idx(tmp_path / "a-idx3-ubyte", np.zeros((3, 2, 2), dtype=np.uint8))
    labels = write_idx(tmp_path / "a-idx1-ubyte", np.array([7, 7, 7], dtype=np.uint8))
    err = _error(load_idx, images, labels)
    assert str(err).startswith("a-idx1-ubyte: has a single class ('7')")


def test_failed_load_leaves_nothing_behind(tmp_path: Path) -> None:
    """A refusal raises before any Dataset exists: nothing is returned for a caller to use by mistake."""
    path = write_text(tmp_path / "late_error.csv", "a,b,y\n" + "1,2,0\n" * 300 + "1,oops,1\n")
    result = None
    with pytest.raises(DataError):
        result = load_csv(path)
    assert result is None


def test_binary_after_a_text_start_is_refused_cleanly(tmp_path: Path) -> None:
    """Past the 64 KB probe, bytes that are not UTF-8 are read as latin-1 (see test_fuzz_csv), so junk there is
    refused like any other cell that is not a number, by line and column."""
    path = tmp_path / "mixed.csv"
    text = ("a,b,y\n" + "1,2,0\n3,4,1\n" * 6000).encode()  # Beyond the 64 KB text probe.
    path.write_bytes(text + b"5,\xff\xfe\x80,1\n")
    err = _error(load_csv, path)
    assert (err.row, err.column) == (12002, "b") and "is not a number" in str(err)


def test_npz_with_no_samples_or_a_scalar_target(tmp_path: Path) -> None:
    empty = tmp_path / "empty.npz"
    np.savez(empty, x=np.zeros((0, 28, 28)), y=np.zeros(0))
    assert str(_error(load_npz, empty)) == "empty.npz: array 'x' holds no samples"
    scalar = tmp_path / "scalar.npz"
    np.savez(scalar, x=np.zeros((3, 2)), y=np.array(1))
    assert "single value" in str(_error(load_npz, scalar))


def test_idx_with_no_images(tmp_path: Path) -> None:
    images = write_idx(tmp_path / "none-idx3-ubyte", np.zeros((0, 28, 28), dtype=np.uint8))
    labels = write_idx(tmp_path / "none-idx1-ubyte", np.zeros(0, dtype=np.uint8))
    assert str(_error(load_idx, images, labels)).startswith("none-idx3-ubyte: holds no data")
