"""Reading delimited text: rows with their line numbers, and what a cell holds (number, missing, text)."""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Iterable, Iterator, TextIO

from core.data.errors import DataError
from core.memory_budget import MemoryBudgetError, memory_budget_bytes

# Delimiters tried when none is given, in order of preference when several fit.
CANDIDATE_DELIMITERS = (",", "\t", ";", "|")
# A space as delimiter means "any run of spaces or tabs" (aligned columns); it has no quoting.
WHITESPACE = " "
# Cells that mean "no value", compared case-insensitively after stripping spaces.
MISSING_MARKERS = frozenset({"", "na", "n/a", "nan", "null", "?"})
# Parsing a line makes up to one Python string (~60 bytes) per character, so a line may use 1/64 of the budget.
_BUDGET_PER_LINE_CHAR = 64
_MAX_LINE_CHARS = 2**31 - 1  # The csv module's limit is a C long; keep it portable.
# The layout sample stops after this many characters once it holds two lines (a header and a row).
_SAMPLE_CHARS = 2 * 1024 * 1024


def max_line_chars() -> int:
    """The longest line or field read: 1/64 of the memory budget (64 MiB at 4 GiB), at least 64 KiB."""
    try:
        budget = memory_budget_bytes()
    except MemoryBudgetError:  # A bad setting is reported by the loaders' size check; read with the default.
        budget = 4 * 1024**3
    return min(max(budget // _BUDGET_PER_LINE_CHAR, 64 * 1024), _MAX_LINE_CHARS)


def is_missing(cell: str) -> bool:
    return cell.strip().lower() in MISSING_MARKERS


def shown_cell(cell: str, max_chars: int = 40) -> str:
    """A cell quoted for a message, cut short: a cell can be millions of characters long."""
    text = cell.strip()
    return repr(text) if len(text) <= max_chars else f"{text[:max_chars]!r}… ({len(text):,} characters)"


def parse_number(cell: str) -> float | None:
    """The cell's number, or None if it is not one (missing markers are not numbers either)."""
    text = cell.strip()
    try:
        return float(text)
    except ValueError:
        return None


def is_number(cell: str) -> bool:
    value = parse_number(cell)
    return value is not None and not math.isnan(value)


def iter_rows(lines: Iterable[str], delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(1-based line number, fields) for each non-blank record; quoted fields may span lines."""
    if delimiter == WHITESPACE:
        for number, line in enumerate(lines, start=1):
            fields = line.split()
            if fields:
                yield number, fields
        return
    limit = max_line_chars()
    csv.field_size_limit(limit)  # Python's default, 131,072 characters, refuses legitimate long text cells.
    reader = csv.reader(lines, delimiter=delimiter, quotechar='"', strict=False)
    last_line = 0
    try:
        for fields in reader:
            first_line, last_line = last_line + 1, reader.line_num
            if fields and not (len(fields) == 1 and not fields[0].strip()):
                yield first_line, fields
    except csv.Error as error:
        raise DataError(_csv_problem(error, limit), row=last_line + 1) from None  # Where the record starts.


def _csv_problem(error: csv.Error, limit: int) -> str:
    if "field larger than field limit" in str(error):
        return (f"a field is longer than {limit:,} characters, the limit set by the memory budget; "
                "check for a quote that is never closed.")
    if "NUL" in str(error):
        return "holds a zero byte, so it is not a text file; expected CSV or TSV text."
    return f"cannot be read as delimited text ({error})."


def detect_delimiter(sample_lines: list[str], file_name: str = "") -> str:
    """The candidate splitting the sample into the same number (≥ 2) of fields on most lines."""
    best, best_score = WHITESPACE, (0, 0, 0)
    preferred = "\t" if file_name.lower().endswith(".tsv") else ","
    for delimiter in CANDIDATE_DELIMITERS:
        widths: list[int] = []
        try:
            widths.extend(len(fields) for _, fields in iter_rows(sample_lines, delimiter))
        except DataError:
            pass  # Judge by the rows before the problem; the chosen delimiter's parse reports it by line.
        if not widths:
            continue
        common = max(set(widths), key=widths.count)
        if common < 2:
            continue
        score = (widths.count(common), delimiter == preferred, common)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def detect_header(rows: list[list[str]]) -> bool:
    """True if the first row looks like names: text above a column that is otherwise numbers.

    With no such column (all-text data) the first row counts as a header when none of its cells recurs below it.
    """
    if len(rows) < 2:
        return bool(rows) and not any(is_number(cell) for cell in rows[0])
    first, rest = rows[0], rows[1:]
    for index, cell in enumerate(first):
        below = [row[index] for row in rest if index < len(row) and not is_missing(row[index])]
        if below and not is_number(cell) and all(is_number(value) for value in below):
            return True
    if any(is_number(cell) for cell in first):
        return False
    return all(cell.strip() and all(row[i] != cell for row in rest if i < len(row)) for i, cell in enumerate(first))


def bounded_lines(handle: TextIO, path: Path) -> Iterator[str]:
    """The handle's physical lines; DataError for one over `max_line_chars` (it is never read whole)."""
    limit = max_line_chars()
    number = 0
    while line := handle.readline(limit + 1):
        number += 1
        if len(line) > limit:
            raise DataError(f"the line is longer than {limit:,} characters, the limit set by the memory budget; "
                            "is it really CSV text?", path=path, row=number)
        yield line


def read_sample_lines(path: Path, encoding: str, max_lines: int) -> list[str]:
    """The first `max_lines` physical lines, fewer past ~2 M characters (but always two if there are two)."""
    lines: list[str] = []
    total = 0
    with open(path, encoding=encoding, newline="") as handle:
        for line in bounded_lines(handle, path):
            lines.append(line)
            total += len(line)
            if len(lines) >= max_lines or (total >= _SAMPLE_CHARS and len(lines) >= 2):
                break
    return lines
