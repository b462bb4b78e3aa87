"""The fast path for an all-numeric CSV/TSV file: pandas' C parser over the file's bytes.

It answers only when it can answer exactly as the careful cell-by-cell parser would, and otherwise returns None
so the careful parser runs and names the line and column of whatever is wrong. To be sure of that, the bytes
after the header may hold nothing but digits, signs, decimal points, exponents, the delimiter, quotes, spaces
and line breaks: no letters means no "NaN", "inf", "NA" or "True" that pandas would read differently, and
plain ASCII reads the same in every encoding the loader accepts. Ragged rows, empty cells and stray signs make
pandas fail, and a failure is a None too.

pandas is imported on the first call (it takes a few tenths of a second), so the studio starts without it.
"""

from __future__ import annotations

import io

import numpy as np

from core.data.csv_format import WHITESPACE
from core.data.csv_preview import CsvLayout

_UTF8_BOM = b"\xef\xbb\xbf"
_NUMBER_BYTES = b"0123456789.+-eE"
_SPACING_BYTES = b" \t\r\n"


def read_numeric_table(layout: CsvLayout) -> np.ndarray | None:
    """The data rows as a float64 (rows, columns) array, or None if the file is not plainly numeric."""
    body = _numeric_body(layout)
    if body is None:
        return None
    import pandas

    options: dict = {"sep": r"\s+"} if layout.delimiter == WHITESPACE else {"sep": layout.delimiter,
                                                                           "quotechar": '"'}
    if int(pandas.__version__.split(".")[0]) < 3:  # pandas 3 rounds exactly by default; 2.x needs asking.
        options["float_precision"] = "round_trip"
    try:
        frame = pandas.read_csv(io.BytesIO(body), header=None, dtype=np.float64, na_filter=False, engine="c",
                                skip_blank_lines=True, **options)
    except ValueError:  # Ragged rows, empty cells, "1-2", "+", no rows at all: the careful parser explains.
        return None
    del body
    table = frame.to_numpy(dtype=np.float64, copy=False)
    if table.shape[1] != len(layout.column_names) or not len(table) or not np.isfinite(table).all():
        return None  # e.g. 1e999 overflows to infinity, which the careful parser refuses by line and column.
    return table


def _numeric_body(layout: CsvLayout) -> bytes | None:
    """The bytes after the header if they hold only number characters and separators, else None."""
    data = layout.path.read_bytes()
    if layout.encoding == "utf-8-sig" and data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM):]
    if data.count(b"\r") != data.count(b"\r\n"):
        return None  # Lone carriage returns end lines for Python but not for the header count below.
    header_lines = layout.sample_rows[0][0] - 1  # Physical lines before the first data row (header, blanks).
    start = 0
    for _ in range(header_lines):
        start = data.find(b"\n", start) + 1
        if start == 0:
            return None
    body = data[start:]
    del data
    allowed = _NUMBER_BYTES + _SPACING_BYTES
    if layout.delimiter != WHITESPACE:
        if not layout.delimiter.isascii():
            return None
        allowed += layout.delimiter.encode("ascii") + b'"'
    if body.translate(None, allowed):
        return None  # Some letter or symbol: text, a missing-value marker or an odd encoding.
    return body
