"""Load a CSV/TSV file into a `Dataset`.

An all-numeric file goes through pandas' C parser (`csv_numeric`, about 4× faster than NumPy's `loadtxt` on an
MNIST-sized file). Anything else (text, missing or infinite values, ragged rows) goes through the `csv` module cell
by cell, which is slower but knows the line and column of every problem, so every refusal names them. Either way the
data set is built only after the whole file has passed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from core.data.csv_format import is_missing, parse_number, shown_cell
from core.data.csv_numeric import read_numeric_table
from core.data.csv_preview import MAX_COLUMNS, CsvLayout, column_kinds, read_layout
from core.data.dataset import Dataset
from core.data.errors import DataError
from core.data.csv_rows import estimated_load_bytes, read_records
from core.data.file_checks import ensure_fits_in_memory, require_file
from core.data.labels import check_max_classes, check_task, encode_classes, infer_task

CATEGORICAL_CHOICES = ("error", "one_hot")
MISSING_CHOICES = ("error", "drop", "mean")
# Reading holds at least the file's text and its numbers: about twice its size (refined once its layout is known).
_MEMORY_PER_FILE_BYTE = 2
_LISTED_LINES = 8

TargetSpec = str | int | Sequence[str | int] | None


@dataclass
class _Column:
    """One parsed column: numbers (NaN where missing) or text labels, plus where values are missing."""

    index: int
    numbers: np.ndarray | None
    texts: np.ndarray | None
    missing: np.ndarray


def load_csv(
    path: str | os.PathLike[str],
    *,
    delimiter: str | None = None,
    header: bool | None = None,
    target: TargetSpec = None,
    categorical: str = "error",
    missing: str = "error",
    max_classes: int | None = None,
    task: str | None = None,
    max_bytes: int | None = None,
) -> Dataset:
    """Load a delimited text file; the target is the last column unless `target` names (or indexes) others.

    delimiter/header: None detects them. target: a column name, a 0-based index, or a list of them (several
    targets make a regression). categorical: "one_hot" encodes text feature columns, "error" refuses them.
    missing: "error" refuses missing cells, "drop" drops their rows, "mean" fills features with the column mean.
    task: None guesses (text or few whole numbers → classification). max_bytes: memory limit (default: the
    memory budget, see `core.memory_budget`).
    """
    file = require_file(path)
    _check_choice("categorical", categorical, CATEGORICAL_CHOICES, file)
    _check_choice("missing", missing, MISSING_CHOICES, file)
    check_task(task, path=file)
    check_max_classes(max_classes, path=file)
    if header is not None and not isinstance(header, bool):
        raise DataError(f"header must be True, False or None (detect), got {header!r}", path=file)
    ensure_fits_in_memory(file, file.stat().st_size * _MEMORY_PER_FILE_BYTE, max_bytes)
    layout = read_layout(file, delimiter=delimiter, header=header)
    ensure_fits_in_memory(file, estimated_load_bytes(layout, file.stat().st_size), max_bytes)
    width = len(layout.column_names)
    targets = _resolve_targets(target, layout)
    if len(targets) > 1 and task == "classification":
        raise DataError("classification takes a single target column", path=file)
    features = [index for index in range(width) if index not in targets]
    if not features:
        raise DataError("has no feature columns besides the target", path=file)

    table = None
    if all(kind == "numeric" for kind in column_kinds([f for _, f in layout.sample_rows], width)):
        table = read_numeric_table(layout)  # None when anything is unusual: the careful parser explains
    if table is not None:
        x = _take_float32(table, features)
        feature_names = [layout.column_names[index] for index in features]
        target_values: np.ndarray = table[:, targets]
        del table
    else:
        layout, x, feature_names, target_values = _parse_cell_by_cell(layout, features, targets, categorical,
                                                                      missing, task, max_bytes)

    source = {"kind": "file", "format": "csv", "path": os.path.abspath(file), "delimiter": layout.delimiter,
              "header": layout.has_header, "target": [layout.column_names[i] for i in targets],
              "categorical": categorical, "missing": missing, "max_classes": max_classes}
    return _build_dataset(file, layout, x, feature_names, target_values, targets, task, max_classes, source)


def _build_dataset(
    file: Path, layout: CsvLayout, x: np.ndarray, feature_names: list[str], target_values: np.ndarray,
    targets: list[int], task: str | None, max_classes: int | None, source: dict,
) -> Dataset:
    labels = target_values.reshape(-1) if len(targets) == 1 else None
    if task is None:
        task = infer_task(labels) if labels is not None else "regression"
    class_names = None
    if task == "classification" and labels is not None:
        y, class_names = encode_classes(labels, max_classes=max_classes, path=file,
                                        column=layout.column_ids[targets[0]])
    else:
        y = target_values.astype(np.float32).reshape(len(x), -1)
    source["task"] = task
    return Dataset(name=file.name, x=x, y=y, task=task, feature_names=feature_names,  # type: ignore[arg-type]
                   class_names=class_names, target_names=[layout.column_names[index] for index in targets],
                   source=source)


def _resolve_targets(target: TargetSpec, layout: CsvLayout) -> list[int]:
    """0-based indices of the target columns; DataError naming a column that is not there."""
    names = layout.column_names
    wanted = [len(names) - 1] if target is None else target
    if isinstance(wanted, (str, int)):
        wanted = [wanted]
    indices: list[int] = []
    for item in wanted:
        if isinstance(item, bool) or not isinstance(item, (str, int)):
            raise DataError(f"target must be a column name or index, got {item!r}", path=layout.path)
        if isinstance(item, str):
            if item not in names:
                raise DataError(f"target column {item!r} not found; the columns are {', '.join(map(repr, names))}",
                                path=layout.path)
            index = names.index(item)
        else:
            if not -len(names) <= item < len(names):
                raise DataError(f"target column index {item} is out of range: the file has {len(names)} columns",
                                path=layout.path)
            index = item % len(names)
        if index not in indices:
            indices.append(index)
    if not indices:
        raise DataError("target must name at least one column", path=layout.path)
    return indices


def _take_float32(table: np.ndarray, columns: list[int]) -> np.ndarray:
    """The chosen columns as one new C-contiguous float32 array (no float64 intermediate copy)."""
    if columns == list(range(columns[0], columns[-1] + 1)):
        return np.ascontiguousarray(table[:, columns[0]:columns[-1] + 1], dtype=np.float32)
    out = np.empty((len(table), len(columns)), dtype=np.float32)
    for position, index in enumerate(columns):
        out[:, position] = table[:, index]
    return out


def _parse_cell_by_cell(
    layout: CsvLayout, features: list[int], targets: list[int], categorical: str, missing: str, task: str | None,
    max_bytes: int | None,
) -> tuple[CsvLayout, np.ndarray, list[str], np.ndarray]:
    layout, records, line_list = read_records(layout, max_bytes)
    lines = np.asarray(line_list)
    cells_by_column = list(zip(*records))
    del records
    text_allowed = {index: categorical == "one_hot" for index in features}
    text_allowed.update({index: task != "regression" and len(targets) == 1 for index in targets})
    columns = {index: _parse_column(cells_by_column[index], layout, index, lines, text_allowed[index])
               for index in features + targets}
    del cells_by_column
    keep = _handle_missing(columns, features, targets, layout, lines, missing)
    x, names = _feature_matrix([columns[index] for index in features], layout, keep, max_bytes)
    if len(targets) == 1 and columns[targets[0]].texts is not None:
        target_values = columns[targets[0]].texts[keep]
    else:
        target_values = np.column_stack([columns[index].numbers[keep] for index in targets])
    return layout, x, names, target_values


def _parse_column(cells: tuple[str, ...], layout: CsvLayout, index: int, lines: np.ndarray,
                  text_allowed: bool) -> _Column:
    column_id = layout.column_ids[index]
    try:
        numbers = np.array(cells, dtype=np.float64)  # Fast when the column is clean.
    except ValueError:
        numbers = None
    if numbers is None:
        missing = np.fromiter((is_missing(cell) for cell in cells), dtype=bool, count=len(cells))
        parsed = [None if gone else parse_number(cell) for cell, gone in zip(cells, missing)]
        text_rows = [row for row, value in enumerate(parsed) if value is None and not missing[row]]
        if text_rows and not (text_allowed and 2 * len(text_rows) >= len(cells) - int(missing.sum())):
            row = text_rows[0]
            hint = ""
            if not text_allowed and len(text_rows) * 2 >= len(cells) - int(missing.sum()):
                hint = '; to use a text column as an input, choose "One-hot encode" for text columns'
            raise DataError(f"{shown_cell(cells[row])} is not a number{hint}.", path=layout.path,
                            row=int(lines[row]), column=column_id)
        if text_rows:
            texts = np.array([cell.strip() for cell in cells], dtype=object)  # Not "U": one long cell would pad all.
            return _Column(index, None, texts, missing)
        numbers = np.array([np.nan if value is None else value for value in parsed], dtype=np.float64)
    infinite = np.flatnonzero(np.isinf(numbers))
    if infinite.size:
        row = int(infinite[0])
        raise DataError(f"{shown_cell(cells[row])} is infinite; only finite numbers can be used.",
                        path=layout.path, row=int(lines[row]), column=column_id)
    return _Column(index, numbers, None, np.isnan(numbers))


def _handle_missing(columns: dict[int, _Column], features: list[int], targets: list[int], layout: CsvLayout,
                    lines: np.ndarray, missing: str) -> np.ndarray:
    """Rows to keep. Refuses missing values unless `missing` says what to do; mean-fills numeric features."""
    used = features + targets
    missing_any = np.zeros(len(lines), dtype=bool)
    for index in used:
        missing_any |= columns[index].missing
    rows = np.flatnonzero(missing_any)
    keep = np.ones(len(lines), dtype=bool)
    if not rows.size:
        return keep
    first_row = int(rows[0])
    first_column = next(index for index in used if columns[index].missing[first_row])
    target_rows = np.flatnonzero(np.any([columns[index].missing for index in targets], axis=0))
    if missing == "error" or (missing == "mean" and target_rows.size):
        if missing == "mean":
            first_row = int(target_rows[0])
            first_column = next(index for index in targets if columns[index].missing[first_row])
            reason = (f"the target is missing on {_lines_text(lines[target_rows])}; rows without a target can "
                      'only be dropped: choose "Drop those rows" for missing cells.')
        else:
            reason = (f"the value is missing (empty, NA or NaN); {len(rows)} row(s) have missing values, on "
                      f'{_lines_text(lines[rows])}. Choose "Drop those rows" or "Fill with column mean" for '
                      "missing cells.")
        raise DataError(reason, path=layout.path, row=int(lines[first_row]), column=layout.column_ids[first_column])
    if missing == "drop":
        keep = ~missing_any
        if not keep.any():
            raise DataError("every row has a missing value, so dropping them leaves no data", path=layout.path)
        return keep
    for index in features:
        column = columns[index]
        if column.numbers is not None and column.missing.any():
            if column.missing.all():
                raise DataError("has no values to take a mean of", path=layout.path,
                                column=layout.column_ids[index])
            column.numbers[column.missing] = column.numbers[~column.missing].mean()
    return keep


def _feature_matrix(columns: list[_Column], layout: CsvLayout, keep: np.ndarray,
                    max_bytes: int | None) -> tuple[np.ndarray, list[str]]:
    """Numeric columns as they are, text columns one-hot (one column per category, `name=value`).

    The width is known before anything is allocated, so a text column of a million distinct values is refused
    (too many columns, or over the memory budget) instead of building a million-column matrix.
    """
    names: list[str] = []
    encodings: list[tuple[_Column, np.ndarray | None, np.ndarray | None]] = []
    for column in columns:
        name = layout.column_names[column.index]
        if column.numbers is not None:
            encodings.append((column, None, None))
            names.append(name)
            continue
        present = ~column.missing[keep]
        categories, codes = np.unique(column.texts[keep][present], return_inverse=True)
        encodings.append((column, categories, codes))
        names.extend(f"{name}={category}" for category in categories.tolist())
    if len(names) > MAX_COLUMNS:
        raise DataError(f"one-hot encoding its text columns makes {len(names):,} feature columns, more than "
                        f"{MAX_COLUMNS:,}; drop the text columns with many distinct values", path=layout.path)
    num_rows = int(keep.sum())
    ensure_fits_in_memory(layout.path, num_rows * len(names) * 4, max_bytes)
    x = np.zeros((num_rows, len(names)), dtype=np.float32)
    position = 0
    for column, categories, codes in encodings:
        if categories is None:
            x[:, position] = column.numbers[keep]
            position += 1
            continue
        present = ~column.missing[keep]
        block = x[:, position:position + len(categories)]
        block[np.flatnonzero(present), codes] = 1.0
        if not present.all():  # Mean-fill of a one-hot block: the categories' frequencies.
            block[~present] = np.bincount(codes, minlength=len(categories)) / len(codes)
        position += len(categories)
    return x, names


def _lines_text(lines: np.ndarray) -> str:
    shown = ", ".join(str(int(line)) for line in lines[:_LISTED_LINES])
    more = f" and {len(lines) - _LISTED_LINES} more" if len(lines) > _LISTED_LINES else ""
    return f"line{'s' if len(lines) > 1 else ''} {shown}{more}"


def _check_choice(name: str, value: object, choices: tuple[str, ...], file: Path) -> None:
    if value not in choices:
        raise DataError(f"{name} must be one of {', '.join(map(repr, choices))}, got {value!r}", path=file)
