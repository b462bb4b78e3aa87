"""How a CSV/TSV file is laid out (delimiter, header, column names) and a preview of its first rows.

The studio shows the preview so the user can check the detection and pick the target column before loading.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from core.data.csv_format import (
    CANDIDATE_DELIMITERS, detect_delimiter, detect_header, is_missing, is_number, iter_rows,
    read_sample_lines,
)
from core.data.errors import DataError
from core.data.file_checks import ensure_text, require_file, undecodable_text_error

ColumnKind = Literal["numeric", "categorical"]
_SAMPLE_LINES = 200
# Every column costs parsers about 2 KB whatever its length; 10⁶ columns took 1.6 GB for a 12 MB file.
MAX_COLUMNS = 100_000


@dataclass(frozen=True)
class CsvLayout:
    """What detection (or the user's overrides) decided about a file."""

    path: Path
    encoding: str
    delimiter: str
    has_header: bool
    column_names: list[str]
    # How errors name a column: its header name, or its 1-based number when the file has no header.
    column_ids: list[str | int]
    sample_rows: list[tuple[int, list[str]]]  # (line number, fields) of the first data rows


@dataclass(frozen=True)
class CsvPreview:
    """Detected delimiter and header, column names, first rows as strings, and each column's kind."""

    path: str
    delimiter: str
    has_header: bool
    column_names: list[str]
    rows: list[list[str]]
    column_kinds: list[ColumnKind]

    @property
    def num_columns(self) -> int:
        return len(self.column_names)

    @property
    def suggested_target(self) -> str:
        """The one text column if exactly one holds text (wine's "cultivar"), else the last column."""
        return self.column_names[suggested_target_index(self.column_kinds)]


def suggested_target_index(kinds: list[ColumnKind]) -> int:
    """Where a newcomer's target most likely is: the only text column, else the last one (most files' habit)."""
    text_columns = [index for index, kind in enumerate(kinds) if kind == "categorical"]
    return text_columns[0] if len(text_columns) == 1 else len(kinds) - 1


def preview_csv(
    path: str | os.PathLike[str], max_rows: int = 50, *, delimiter: str | None = None, header: bool | None = None
) -> CsvPreview:
    layout = read_layout(path, delimiter=delimiter, header=header)
    rows = [fields for _, fields in layout.sample_rows[:max_rows]]
    return CsvPreview(
        path=os.fspath(path),
        delimiter=layout.delimiter,
        has_header=layout.has_header,
        column_names=list(layout.column_names),
        rows=rows,
        column_kinds=column_kinds([fields for _, fields in layout.sample_rows], len(layout.column_names)),
    )


def column_kinds(rows: list[list[str]], num_columns: int) -> list[ColumnKind]:
    """'numeric' if every non-missing cell is a number, else 'categorical'."""
    kinds: list[ColumnKind] = []
    for index in range(num_columns):
        cells = [row[index] for row in rows if not is_missing(row[index])]
        kinds.append("numeric" if all(is_number(cell) for cell in cells) else "categorical")
    return kinds


def read_layout(
    path: str | os.PathLike[str], *, delimiter: str | None = None, header: bool | None = None,
    encoding: str | None = None,
) -> CsvLayout:
    """Detect (or take) the delimiter, header and encoding; check the sample's rows all have the header's width."""
    file = require_file(path)
    detected = encoding is None
    encoding = encoding or ensure_text(file)
    if delimiter is not None and (not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in '"\r\n'):
        raise DataError(
            f"delimiter must be one character such as {', '.join(map(repr, CANDIDATE_DELIMITERS))} "
            f"or ' ' for runs of spaces, got {delimiter!r}",
            path=file,
        )
    try:
        lines = read_sample_lines(file, encoding, _SAMPLE_LINES)
    except UnicodeDecodeError:
        if not detected:
            raise undecodable_text_error(file, encoding) from None
        # UTF-8 in the 64 KB probe but not further on: latin-1, as `csv_rows` reads such a file past the sample.
        encoding = "latin-1"
        lines = read_sample_lines(file, encoding, _SAMPLE_LINES)
    chosen = delimiter or detect_delimiter(lines, file.name)
    try:
        rows = list(iter_rows(lines, chosen))
    except DataError as error:
        raise DataError(error.reason, path=file, row=error.row) from None
    if not rows:
        raise DataError("the file is empty: it holds no rows", path=file)
    has_header = detect_header([fields for _, fields in rows]) if header is None else bool(header)
    width = len(rows[0][1])
    if width > MAX_COLUMNS:
        raise DataError(f"has {width:,} columns, more than the {MAX_COLUMNS:,} a data file may have", path=file,
                        row=rows[0][0])
    if has_header:
        names = header_names(rows[0][1])
        _check_unique(names, file, rows[0][0])
        column_ids: list[str | int] = list(names)
        data_rows = rows[1:]
        if not data_rows:
            raise DataError("has a header but no data rows", path=file, row=rows[0][0])
    else:
        names = [f"column {i}" for i in range(1, width + 1)]
        column_ids = list(range(1, width + 1))
        data_rows = rows
    for line, fields in data_rows:
        check_width(fields, width, file, line)
    return CsvLayout(file, encoding, chosen, has_header, names, column_ids, data_rows)


def header_names(cells: list[str]) -> list[str]:
    """The column names a header row gives: its cells stripped, a blank one named "column i" (1-based)."""
    return [name.strip() or f"column {i}" for i, name in enumerate(cells, start=1)]


def check_width(fields: list[str], width: int, path: Path, line: int) -> None:
    if len(fields) != width:
        raise DataError(
            f"has {len(fields)} fields but the first row has {width} (ragged rows); "
            "check the delimiter or the quoting on this line",
            path=path, row=line,
        )


def _check_unique(names: list[str], path: Path, line: int) -> None:
    seen: dict[str, int] = {}
    for number, name in enumerate(names, start=1):
        if name in seen:
            raise DataError(
                f"the header names column {seen[name]} and column {number} both {name!r}; column names must be unique",
                path=path, row=line,
            )
        seen[name] = number

