"""The one error type for every bad data input: a file, an array, or a data-source reference.

A `DataError` message is a full sentence a user can act on. It names the file, the line or row and the column
when they are known, e.g. ``iris.csv, line 12, column 'petal_width': 'abc' is not a number``.
"""

from __future__ import annotations

import os
from typing import Literal


class DataError(ValueError):
    """Raised for any input the data layer refuses; never a half-loaded data set.

    Attributes:
        path: the file concerned (full path as given), or None for arrays and source dicts.
        row: 1-based line (text files) or row (arrays) number, or None.
        column: column name, or 1-based column number when the file has no names, or None.
        reason: the message without the location prefix.
    """

    def __init__(
        self,
        reason: str,
        *,
        path: str | os.PathLike[str] | None = None,
        row: int | None = None,
        column: str | int | None = None,
        row_label: Literal["line", "row"] = "line",
    ) -> None:
        self.path = os.fspath(path) if path is not None else None
        self.row = row
        self.column = column
        self.reason = reason
        self.row_label = row_label
        super().__init__(self._sentence())

    def _sentence(self) -> str:
        where: list[str] = []
        if self.path is not None:
            where.append(os.path.basename(self.path) or self.path)
        if self.row is not None:
            where.append(f"{self.row_label} {self.row}")
        if self.column is not None:
            where.append(describe_column(self.column))
        return f"{', '.join(where)}: {self.reason}" if where else self.reason


def describe_column(column: str | int) -> str:
    """``column 'name'`` for named columns, ``column 3`` for numbered (1-based) ones."""
    return f"column {column}" if isinstance(column, int) else f"column {column!r}"
