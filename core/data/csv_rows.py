"""The one reader of a CSV/TSV file's raw rows: header names and string cells, for training and prediction alike.

    from core.data.csv_rows import read_raw_rows
    table = read_raw_rows("titanic.csv")  # table.column_names, table.rows (lists of str), table.lines

Everything a loader checks is checked here: a regular text file, UTF-8 (with or without BOM) or else latin-1,
quoted fields that may span lines or hold the delimiter, every row as wide as the header, and the memory the
cells will take, estimated while streaming so a file of millions of tiny cells is refused before it is held.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from core.data.csv_format import bounded_lines, iter_rows
from core.data.csv_preview import CsvLayout, check_width, read_layout
from core.data.errors import DataError
from core.data.file_checks import ensure_fits_in_memory

# A cell held as a Python string in a list costs ~60 bytes besides its text, and parsing adds a float and flags.
BYTES_PER_CELL = 100
# What a load needs besides the cells: the file's bytes twice (text and a parser's copy), ~2 KB per column in
# the parsers, and 12 bytes per numeric cell (float64 table, float32 features).
_FILE_COPIES = 2
_BYTES_PER_COLUMN = 2048
_BYTES_PER_NUMBER = 12
_CHECK_EVERY_CELLS = 65536


@dataclass(frozen=True)
class RawRows:
    """A delimited file's data rows as strings, with the names `load_csv` gives its columns."""

    path: Path
    encoding: str
    delimiter: str
    has_header: bool
    column_names: list[str]  # header cells (stripped; blank ones named "column i"), or "column 1"... without one
    rows: list[list[str]]    # every data row, each as wide as the header, cells as written (unstripped)
    lines: list[int]         # 1-based line on which each row starts (quoted fields may span lines)


def read_raw_rows(
    path: str | os.PathLike[str], *, delimiter: str | None = None, header: bool | None = None,
    max_bytes: int | None = None,
) -> RawRows:
    """Read every data row of a CSV/TSV file; DataError naming the file (and line) for anything it refuses.

    delimiter/header: None detects them as `load_csv` does. max_bytes: memory limit (default: the budget).
    """
    layout, rows, lines = read_records(read_layout(path, delimiter=delimiter, header=header), max_bytes)
    return RawRows(layout.path, layout.encoding, layout.delimiter, layout.has_header, list(layout.column_names),
                   rows, lines)


def read_records(layout: CsvLayout, max_bytes: int | None) -> tuple[CsvLayout, list[list[str]], list[int]]:
    """The layout the rows were read with, the data rows, and their lines. A file that is UTF-8 at first but not
    further on (detection saw only its start) is read again as latin-1, the encoding of old spreadsheet exports;
    the returned layout then says so (its non-ASCII header names may read differently)."""
    try:
        return (layout, *_read_records(layout, max_bytes))
    except UnicodeDecodeError:
        pass  # Latin-1 decodes every byte, so the second reading cannot fail this way.
    relaid = read_layout(layout.path, delimiter=layout.delimiter, header=layout.has_header, encoding="latin-1")
    return (relaid, *_read_records(relaid, max_bytes))


def _read_records(layout: CsvLayout, max_bytes: int | None) -> tuple[list[list[str]], list[int]]:
    file, width = layout.path, len(layout.column_names)
    records: list[list[str]] = []
    lines: list[int] = []
    text_chars = 0
    check_every = max(1, _CHECK_EVERY_CELLS // width)  # Wide rows are checked more often: 100,000 cells a row.
    with open(file, encoding=layout.encoding, newline="") as handle:
        try:
            rows = iter_rows(bounded_lines(handle, file), layout.delimiter)
            if layout.has_header:
                next(rows)
            for line, fields in rows:
                check_width(fields, width, file, line)
                lines.append(line)
                records.append(fields)
                text_chars += sum(map(len, fields))
                if len(records) % check_every == 0:
                    ensure_fits_in_memory(file, _held_bytes(len(records), width, text_chars), max_bytes)
        except DataError as error:
            raise DataError(error.reason, path=file, row=error.row) from None
    ensure_fits_in_memory(file, _held_bytes(len(records), width, text_chars), max_bytes)
    return records, lines


def estimated_load_bytes(layout: CsvLayout, file_size: int) -> int:
    """Memory a load of the whole file will need at least, from its size and its sample's cells per character."""
    sample_cells = sum(len(fields) for _, fields in layout.sample_rows)
    sample_chars = sum(len(cell) + 1 for _, fields in layout.sample_rows for cell in fields)
    cells = file_size * sample_cells // max(sample_chars, 1)
    return file_size * _FILE_COPIES + len(layout.column_names) * _BYTES_PER_COLUMN + cells * _BYTES_PER_NUMBER


def _held_bytes(num_rows: int, width: int, text_chars: int) -> int:
    return num_rows * width * BYTES_PER_CELL + text_chars
