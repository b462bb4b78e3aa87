"""A CSV file's rows as text cells, read exactly as `load_file` reads a CSV (one reader for every entry point).

`predict` needs the raw cells of a data file (text categories, gaps, a header naming the columns) to match them
against the columns a model was trained on. This module reads them with the loader's own pieces: the same regular
file, memory and text checks, the same encoding choice (UTF-8 with or without a BOM, else latin-1), the same
delimiter and quoting rules (the csv module: a quoted cell may hold delimiters, quotes and line breaks). The csv
module's field size limit (131,072 characters) is raised, so a long cell is read instead of raising `_csv.Error`;
the memory check on the file's size bounds what that can cost.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from core.data.csv_format import detect_header, iter_rows
from core.data.csv_preview import check_width, read_layout
from core.data.errors import DataError
from core.data.file_checks import ensure_fits_in_memory, require_file, undecodable_text_error

# Largest value csv.field_size_limit accepts on every platform (it is a C long, 32 bits on Windows).
_FIELD_SIZE_LIMIT = 2**31 - 1
# Reading holds the file's text and its cells (Python strings) at once: a few times the file's size.
_MEMORY_PER_FILE_BYTE = 4


def allow_long_fields() -> None:
    """Let the csv module read cells of any length (the file size check bounds the memory)."""
    if csv.field_size_limit() < _FIELD_SIZE_LIMIT:
        csv.field_size_limit(_FIELD_SIZE_LIMIT)


@dataclass(frozen=True)
class RawRows:
    """A checked CSV file: its encoding and delimiter, and its first record (the header, if it has one)."""

    path: Path
    encoding: str
    delimiter: str
    first_row: list[str]
    first_line: int
    looks_like_header: bool  # what `load_file`'s header detection says about the first row

    @property
    def width(self) -> int:
        return len(self.first_row)

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """(1-based line number, cells) of every non-blank record from the first on; DataError on ragged rows."""
        allow_long_fields()
        with open(self.path, encoding=self.encoding, newline="") as handle:
            try:
                for line, fields in iter_rows(handle, self.delimiter):
                    check_width(fields, self.width, self.path, line)
                    yield line, fields
            except DataError as error:
                raise DataError(error.reason, path=self.path, row=error.row) from None
            except UnicodeDecodeError:  # text at the start, binary further on
                raise undecodable_text_error(self.path, self.encoding) from None


def read_raw_rows(path: str | os.PathLike[str], *, delimiter: str | None = None,
                  max_bytes: int | None = None) -> RawRows:
    """Check `path` (a regular, non-empty text file that fits in memory) and detect its layout.

    The rows are read lazily by `RawRows.rows()`, so a large file is never held as text cells all at once."""
    file = require_file(path)
    ensure_fits_in_memory(file, file.stat().st_size * _MEMORY_PER_FILE_BYTE, max_bytes)
    allow_long_fields()
    layout = read_layout(file, delimiter=delimiter, header=False)
    sample = [fields for _, fields in layout.sample_rows]
    line, first = layout.sample_rows[0]
    return RawRows(file, layout.encoding, layout.delimiter, first, line, detect_header(sample))
