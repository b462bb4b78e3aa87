"""Reading delimited text: rows with their line numbers, and what a cell holds (number, missing, text)."""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Iterable, Iterator

from core.data.errors import DataError

# Delimiters tried when none is given, in order of preference when several fit.
CANDIDATE_DELIMITERS = (",", "\t", ";", "|")
# A space as delimiter means "any run of spaces or tabs" (aligned columns); it has no quoting.
WHITESPACE = " "
# Cells that mean "no value", compared case-insensitively after stripping spaces.
MISSING_MARKERS = frozenset({"", "na", "n/a", "nan", "null", "?"})


def is_missing(cell: str) -> bool:
    return cell.strip().lower() in MISSING_MARKERS


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
    reader = csv.reader(lines, delimiter=delimiter, quotechar='"', strict=False)
    last_line = 0
    try:
        for fields in reader:
            first_line, last_line = last_line + 1, reader.line_num
            if fields and not (len(fields) == 1 and not fields[0].strip()):
                yield first_line, fields
    except csv.Error as error:
        raise DataError(f"cannot be read as delimited text: {error}", row=reader.line_num) from None


def detect_delimiter(sample_lines: list[str], file_name: str = "") -> str:
    """The candidate splitting the sample into the same number (≥ 2) of fields on most lines."""
    best, best_score = WHITESPACE, (0, 0, 0)
    preferred = "\t" if file_name.lower().endswith(".tsv") else ","
    for delimiter in CANDIDATE_DELIMITERS:
        try:
            widths = [len(fields) for _, fields in iter_rows(sample_lines, delimiter)]
        except DataError:
            continue
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


def read_sample_lines(path: Path, encoding: str, max_lines: int) -> list[str]:
    lines: list[str] = []
    with open(path, encoding=encoding, newline="") as handle:
        for line in handle:
            lines.append(line)
            if len(lines) >= max_lines:
                break
    return lines
