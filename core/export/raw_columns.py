"""The raw columns a model was trained on, and how each becomes network features: exports take raw CSV rows.

`core.data.load_csv` turns a CSV's feature columns into numbers: a numeric column as it is (with
``missing="mean"``, a gap becomes the column's mean over the file), a text column one-hot, one feature
``name=category`` per category in sorted order (a gap becomes the categories' frequencies). A `RawColumn` records
one column's rule, so every export replays the loader on new rows:

    {"name": "age", "kind": "number", "categories": [], "fill": [29.7]}
    {"name": "sex", "kind": "category", "categories": ["female", "male"], "fill": [0.35, 0.65]}

``fill`` is None when the training data had no fill rule for gaps (``missing="error"`` or ``"drop"``): a gap is
then refused. A category the model never saw is refused too (a clear error naming the line, the column and the
known categories), rather than silently encoded as an all-zero row the network was never trained on.

The rules are refitted from the project's CSV exactly as the loader computed them (`fit_csv_columns`), and
`export_model_from_parts` checks that the refitted columns name the same features, in the same order, as the data
the network was trained on.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np

from core.data.csv_format import MISSING_MARKERS, detect_header, is_missing, parse_number
from core.data.csv_preview import header_names, read_layout
from core.data.csv_rows import read_records
from core.data.errors import DataError
from core.data.file_checks import ensure_fits_in_memory

NUMBER, CATEGORY = "number", "category"
_CHUNK_ROWS = 4096
_LISTED_NAMES = 8


@dataclass(frozen=True)
class RawColumn:
    """One raw input column: its name in the CSV, how it is encoded, and what fills a gap (None: refused)."""

    name: str
    kind: str = NUMBER
    categories: tuple[str, ...] = ()
    fill: tuple[float, ...] | None = None

    @property
    def width(self) -> int:
        """How many network features the column becomes."""
        return len(self.categories) if self.kind == CATEGORY else 1

    def feature_names(self) -> list[str]:
        """The loader's names for those features: the column's name, or ``name=category`` per category."""
        return [f"{self.name}={category}" for category in self.categories] if self.kind == CATEGORY else [self.name]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "categories": list(self.categories),
                "fill": None if self.fill is None else [float(value) for value in self.fill]}

    @classmethod
    def from_dict(cls, data: Any) -> "RawColumn":
        """The column a `to_dict` describes; DataError naming the field when it is malformed."""
        if not isinstance(data, dict) or not isinstance(data.get("name"), str):
            raise DataError(f"a raw column must be a dict with a text 'name', got {data!r:.80}")
        kind, categories, fill = data.get("kind"), data.get("categories") or [], data.get("fill")
        if kind not in (NUMBER, CATEGORY):
            raise DataError(f"raw column {data['name']!r}: 'kind' must be 'number' or 'category', got {kind!r:.40}")
        if not isinstance(categories, list) or not all(isinstance(c, str) for c in categories):
            raise DataError(f"raw column {data['name']!r}: 'categories' must be a list of text")
        column = cls(data["name"], kind, tuple(categories), None)
        if fill is not None:
            if not isinstance(fill, list) or len(fill) != column.width or not all(
                    isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in fill):
                raise DataError(f"raw column {data['name']!r}: 'fill' must be {column.width} finite number(s) "
                                "or null")
            column = cls(column.name, kind, column.categories, tuple(float(v) for v in fill))
        return column


def plain_columns(names: Sequence[str]) -> list[RawColumn]:
    """Numeric columns used as they are, no gaps allowed: the raw inputs of arrays, playground and built-in sets."""
    return [RawColumn(str(name)) for name in names]


def encoded_feature_names(columns: Sequence[RawColumn]) -> list[str]:
    return [name for column in columns for name in column.feature_names()]


def is_plain(columns: Sequence[RawColumn]) -> bool:
    """True when every column is numeric with no fill: the encoded features are the raw columns themselves."""
    return all(column.kind == NUMBER and column.fill is None for column in columns)


# ---------------------------------------------------------------------------------------------- fitting
def fit_csv_columns(source: dict[str, Any]) -> list[RawColumn]:
    """The raw feature columns of a CSV data source (a `Dataset.source` of format "csv"), as the loader saw them."""
    return fit_csv_layout(source)[0]


def fit_csv_layout(source: dict[str, Any]) -> tuple[list[RawColumn], list[str]]:
    """(the raw feature columns, the names of all the file's columns in order, the target's included)."""
    from core.data.csv_numeric import read_numeric_table
    path = source.get("path")
    layout = read_layout(path, delimiter=source.get("delimiter"), header=source.get("header"))
    names = layout.column_names
    wanted = source.get("target") or [names[-1]]
    targets = [names.index(name) for name in (wanted if isinstance(wanted, list) else [wanted]) if name in names]
    if not targets:
        raise DataError(f"the target column {wanted!r:.80} is no longer in the file", path=layout.path)
    features = [index for index in range(len(names)) if index not in targets]
    missing_rule = source.get("missing", "error")
    table = read_numeric_table(layout)  # the loader's fast path: plain numbers, no gaps, no text
    if table is not None:
        return [RawColumn(names[index], NUMBER, (), (float(table[:, index].mean()),) if missing_rule == "mean"
                          else None) for index in features], list(names)
    layout, records, _lines = read_records(layout, None)  # the rows exactly as `load_csv` reads them
    names = layout.column_names  # a latin-1 re-reading may name non-ASCII columns differently
    cells_by_column = list(zip(*records)) if records else [() for _ in names]
    del records
    parsed = {index: _parse_column(cells_by_column[index]) for index in features + targets}
    keep = np.ones(len(cells_by_column[0]), dtype=bool)
    if missing_rule == "drop":
        for index in features + targets:
            keep &= ~parsed[index][1]
    columns = [_fit_column(names[index], *parsed[index], keep, missing_rule == "mean") for index in features]
    return columns, list(names)


def _parse_column(cells: Sequence[str]) -> tuple[np.ndarray, np.ndarray, bool]:
    """(values, missing, is_text) with the loader's rules: text if any present cell is not a number."""
    missing = np.fromiter((is_missing(cell) for cell in cells), dtype=bool, count=len(cells))
    numbers = [None if gone else parse_number(cell) for cell, gone in zip(cells, missing)]
    if any(value is None and not gone for value, gone in zip(numbers, missing)):
        return np.array([cell.strip() for cell in cells]), missing, True
    values = np.array([np.nan if value is None else value for value in numbers], dtype=np.float64)
    return values, np.isnan(values), False


def _fit_column(name: str, values: np.ndarray, missing: np.ndarray, is_text: bool, keep: np.ndarray,
                fills: bool) -> RawColumn:
    if not is_text:
        present = values[~missing]
        mean = float(present.mean()) if fills and present.size else math.nan
        return RawColumn(name, NUMBER, (), (mean,) if math.isfinite(mean) else None)
    texts, gone = values[keep], missing[keep]
    categories = sorted(set(texts[~gone].tolist()))
    fill = None
    if fills and (~gone).any():  # the loader fills a one-hot block's gaps with the categories' frequencies
        encoded = np.stack([(texts == category) & ~gone for category in categories], axis=1).astype(np.float64)
        fill = tuple(float(v) for v in encoded[~gone].mean(axis=0))
    return RawColumn(name, CATEGORY, tuple(categories), fill)


# ---------------------------------------------------------------------------------------------- encoding
def encode_csv_file(path: str | os.PathLike[str], columns: Sequence[RawColumn], *,
                    file_columns: Sequence[str] | None = None, max_bytes: int | None = None) -> np.ndarray:
    """Encode a CSV of raw rows into the float32 features the model's preprocessing takes.

    With a header row holding every column's name, columns are picked by name (others, such as the target, are
    ignored); without one, rows hold exactly the model's columns in order, or all `file_columns` (the training
    file's columns) in the training file's order. DataError names the file, the line and the column of the first
    cell that can't be encoded."""
    raw = _read_raw_csv(path, max_bytes)
    positions, has_header = _match_columns(raw, columns, file_columns)
    width = sum(column.width for column in columns)
    records, lines = (raw.records[1:], raw.lines[1:]) if has_header else (raw.records, raw.lines)
    ensure_fits_in_memory(raw.path, len(records) * width * 12, max_bytes)  # float64 rows, then float32
    encoder = _RowEncoder(columns, raw.path)
    chunks = []  # float32 blocks, so the Python floats of only one block are alive at a time
    for start in range(0, max(len(records), 1), _CHUNK_ROWS):
        block = zip(records[start:start + _CHUNK_ROWS], lines[start:start + _CHUNK_ROWS])
        encoded = [encoder.encode([fields[p] for p in positions], line) for fields, line in block]
        chunks.append(np.array(encoded, dtype=np.float64).reshape(-1, width).astype(np.float32))
    x = np.concatenate(chunks) if len(chunks) > 1 else chunks[0]
    if not len(x):
        raise DataError("has no rows to predict", path=raw.path)
    return x


def encode_rows(rows: Iterable[Sequence[str]], columns: Sequence[RawColumn]) -> np.ndarray:
    """Encode rows of text cells (one per column, in the columns' order) as `encode_csv_file` does."""
    encoder = _RowEncoder(columns, None)
    encoded = [encoder.encode(list(row), number) for number, row in enumerate(rows, start=1)]
    return np.array(encoded, dtype=np.float64).reshape(-1, sum(c.width for c in columns)).astype(np.float32)


def encode_matrix(x: np.ndarray, columns: Sequence[RawColumn], path: str | os.PathLike[str] | None = None
                  ) -> np.ndarray:
    """A numeric (n, columns) array of raw values (NaN for gaps) → features; numeric columns only."""
    if any(column.kind != NUMBER for column in columns):
        raise DataError("the model takes text columns: give its raw rows as a CSV file with a header", path=path)
    if x.ndim != 2 or x.shape[1] != len(columns):
        raise DataError(f"features have shape {x.shape}, the model needs {len(columns)} columns", path=path)
    if x.dtype.kind not in "biuf":
        raise DataError(f"features must be numbers, got {x.dtype}", path=path)
    out = np.array(x, dtype=np.float64)
    for j, column in enumerate(columns):
        gaps = np.isnan(out[:, j])
        if np.isinf(out[:, j]).any():
            row = int(np.flatnonzero(np.isinf(out[:, j]))[0]) + 1
            raise DataError("the value is infinite; only finite numbers can be used", path=path, row=row,
                            column=column.name, row_label="row")
        if gaps.any():
            if column.fill is None:
                raise DataError(_NO_FILL, path=path, row=int(np.flatnonzero(gaps)[0]) + 1, column=column.name,
                                row_label="row")
            out[gaps, j] = column.fill[0]
    return out.astype(np.float32)


_NO_FILL = ("the value is missing, and the model has no fill value for this column (it was trained without "
            "gaps there, or dropped them); give a value")


class _RowEncoder:
    """Encodes one row of cells at a time; errors name the file, the line and the column."""

    def __init__(self, columns: Sequence[RawColumn], path: os.PathLike[str] | None):
        self.columns, self.path = list(columns), path
        self.lookup = [{name: i for i, name in enumerate(c.categories)} for c in self.columns]

    def encode(self, cells: list[str], line: int) -> list[float]:
        if len(cells) != len(self.columns):
            raise DataError(f"has {len(cells)} cells but the model needs {len(self.columns)}", path=self.path,
                            row=line)
        out: list[float] = []
        for column, lookup, cell in zip(self.columns, self.lookup, cells):
            if not isinstance(cell, str):
                raise DataError(f"cells must be text, got {type(cell).__name__}", path=self.path, row=line,
                                column=column.name)
            text = cell.strip()
            if text.lower() in MISSING_MARKERS or (column.kind == NUMBER and _is_nan(text)):
                if column.fill is None:
                    raise DataError(_NO_FILL, path=self.path, row=line, column=column.name)
                out.extend(column.fill)
            elif column.kind == NUMBER:
                out.append(self._number(text, line, column))
            else:
                index = lookup.get(text)
                if index is None:
                    raise DataError(f"{text!r:.60} is not a category the model was trained on ("
                                    f"{_listed(column.categories)})", path=self.path, row=line, column=column.name)
                one_hot = [0.0] * column.width
                one_hot[index] = 1.0
                out.extend(one_hot)
        return out

    def _number(self, text: str, line: int, column: RawColumn) -> float:
        value = parse_number(text)
        if value is None:
            raise DataError(f"{text!r:.60} is not a number", path=self.path, row=line, column=column.name)
        if math.isinf(value):
            raise DataError(f"{text!r:.60} is infinite; only finite numbers can be used", path=self.path, row=line,
                            column=column.name)
        return value


def _is_nan(text: str) -> bool:
    value = parse_number(text)
    return value is not None and math.isnan(value)


def _listed(names: Sequence[str]) -> str:
    shown = ", ".join(repr(name) for name in names[:_LISTED_NAMES])
    return shown + (f" and {len(names) - _LISTED_NAMES} more" if len(names) > _LISTED_NAMES else "")


@dataclass(frozen=True)
class _RawCsv:
    """Every record of a CSV as text cells, the first one included (a header or data, as the model decides)."""

    path: Path
    records: list[list[str]]
    lines: list[int]
    looks_like_header: bool  # what `load_file`'s header detection says about the first record

    @property
    def width(self) -> int:
        return len(self.records[0])


def _read_raw_csv(path: str | os.PathLike[str], max_bytes: int | None) -> _RawCsv:
    """The file read by `load_csv`'s own reader (`core.data.csv_rows`: checks, encodings, quoting, memory), with
    no header assumed: whether the first record names columns depends on the model's columns."""
    layout = read_layout(path, header=False)
    looks_like_header = detect_header([fields for _, fields in layout.sample_rows])
    layout, records, lines = read_records(layout, max_bytes)
    if not records:  # the layout saw rows, but the file changed since
        raise DataError("has no rows to predict", path=layout.path)
    return _RawCsv(layout.path, records, lines, looks_like_header)


def _match_columns(raw: _RawCsv, columns: Sequence[RawColumn],
                   file_columns: Sequence[str] | None) -> tuple[list[int], bool]:
    """(position of each model column in the file's rows, whether the first row is a header)."""
    names = [column.name for column in columns]
    first = header_names(raw.records[0])  # named as `load_csv` names a header's cells, blank ones included
    if all(name in first for name in names) and any(cell.strip() for cell in raw.records[0]):  # not a row of gaps
        return [first.index(name) for name in names], True
    # A training file without a header has the loader's names "column 1", "column 2", ...: its rows have none either.
    headerless_training = bool(file_columns) and list(file_columns) == [
        f"column {number}" for number in range(1, len(file_columns) + 1)]
    if raw.looks_like_header and not headerless_training:
        absent = [name for name in names if name not in first]
        raise DataError(f"the header has no column named {_listed(absent)}; the model needs {_listed(names)}",
                        path=raw.path, row=raw.lines[0])
    if file_columns and raw.width == len(file_columns) != len(names) and all(n in file_columns for n in names):
        return [list(file_columns).index(name) for name in names], False  # the training file's layout
    if raw.width != len(names):
        raise DataError(f"rows have {raw.width} columns but the model needs {len(names)} ({_listed(names)}); "
                        "add a header row to pick columns by name", path=raw.path)
    return list(range(len(names))), False
