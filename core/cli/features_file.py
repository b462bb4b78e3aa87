"""Reading the raw rows to predict from a CSV or NPZ file, matched to the raw columns the model was trained on.

CSV: read by `core.data`'s own CSV reader (`core.data.raw_rows`: the same encodings, delimiters and quoting as
`load_file`), then encoded by the model's column rules (`core.export.raw_columns`): with a header row, columns are
picked by name (extra columns such as the target are ignored); without one, rows must hold exactly the model's
columns in order. Text categories are one-hot encoded and gaps filled as in training; an unknown category, or a gap
where training had no fill rule, is refused naming the line and column. NPZ (numeric columns only): the array "x"
or "features", or the only array, with NaN for gaps.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

from core.cli.errors import CliError
from core.export.raw_columns import RawColumn


def read_features(path: str | Path, columns: Sequence[RawColumn],
                  file_columns: Sequence[str] | None = None) -> np.ndarray:
    """The encoded float32 features (before any feature transform or scaling) of the rows in `path`."""
    from core.data import DataError
    from core.export.raw_columns import encode_csv_file, encode_matrix
    source = Path(path)
    if not source.exists():
        raise CliError(f"{source}: no such data file")
    try:
        if source.suffix.lower() == ".npz":
            x = encode_matrix(_read_npz(source, len(columns)), columns, source)
        else:
            x = encode_csv_file(source, columns, file_columns=file_columns)
    except DataError as error:
        raise CliError(str(error)) from None
    if len(x) == 0:
        raise CliError(f"{source}: no rows to predict")
    return x


def _read_npz(source: Path, width: int) -> np.ndarray:
    if not source.is_file():
        raise CliError(f"{source}: is not a regular file")
    try:
        with np.load(source, allow_pickle=False) as arrays:
            names = arrays.files
            key = next((k for k in ("x", "features", "X") if k in names), names[0] if len(names) == 1 else None)
            if key is None:
                raise CliError(f"{source}: holds arrays {names}; name the features array 'x' or 'features'")
            x = np.asarray(arrays[key])
    except (ValueError, OSError) as error:
        raise CliError(f"{source}: can't read it as .npz ({error})") from error
    if x.ndim == 1:
        x = x.reshape(-1, 1) if width == 1 else x.reshape(1, -1)
    return x
