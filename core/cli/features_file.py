"""Reading the raw rows to predict from a CSV or NPZ file, matched to the raw columns the model was trained on.

CSV: read by `core.data`'s own CSV reader (`core.data.csv_rows`: the same encodings, delimiters and quoting as
`load_file`), then encoded by the model's column rules (`core.export.raw_columns`): with a header row, columns are
picked by name (extra columns such as the target are ignored); without one, rows must hold exactly the model's
columns in order. Text categories are one-hot encoded and gaps filled as in training; an unknown category, or a gap
where training had no fill rule, is refused naming the line and column. NPZ (numeric columns only): the array "x"
or "features", or the only array, with NaN for gaps.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Sequence

import numpy as np

from core.cli.errors import CliError
from core.data.errors import DataError
from core.data.file_checks import ensure_fits_in_memory, require_file
from core.data.npz_members import DAMAGED_ARCHIVE_ERRORS, check_central_directory, read_member_header
from core.export.raw_columns import RawColumn

_FEATURE_ARRAYS = ("x", "features", "X")
_NUMERIC_KINDS = "biuf"  # what `encode_matrix` takes; objects would need unpickling


def read_features(path: str | Path, columns: Sequence[RawColumn],
                  file_columns: Sequence[str] | None = None) -> np.ndarray:
    """The encoded float32 features (before any feature transform or scaling) of the rows in `path`."""
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
    """The features array of an .npz, read only after the checks `load_npz` runs (`core.data.npz_members`): the zip
    directory, the member's inflated size against the budget and a zip bomb's ratio, its .npy header against the
    member, a numeric type, and the memory the encoding will take. DataError naming the file otherwise."""
    file = require_file(source)
    if not zipfile.is_zipfile(file):
        raise DataError("is not a .npz archive (it is not a zip file)", path=file)
    check_central_directory(file)
    try:
        with zipfile.ZipFile(file) as archive:
            members = {info.filename[:-4]: info for info in archive.infolist() if info.filename.endswith(".npy")}
            key = _features_key(list(members), file)
            header = read_member_header(archive, members[key], file)
            if header.dtype.hasobject or header.dtype.kind not in _NUMERIC_KINDS:
                raise DataError(f"array {key!r} must hold numbers, but its dtype is {header.dtype}", path=file)
            # The array as stored, its float64 working copy and the float32 features exist together.
            ensure_fits_in_memory(file, header.nbytes + header.count * 12, None, f"reading array {key!r}")
            with archive.open(members[key]) as handle:  # the member just checked, as `np.load` would read it
                x = np.lib.format.read_array(handle, allow_pickle=False)
    except DataError:
        raise
    except DAMAGED_ARCHIVE_ERRORS as error:
        raise DataError(f"is damaged and cannot be read ({error})", path=file) from None
    if x.ndim == 1:
        x = x.reshape(-1, 1) if width == 1 else x.reshape(1, -1)
    return x


def _features_key(names: list[str], file: Path) -> str:
    """The array holding the features: "x", "features" or "X", else the only array."""
    key = next((k for k in _FEATURE_ARRAYS if k in names), names[0] if len(names) == 1 else None)
    if key is None:
        raise DataError(f"holds arrays {names}; name the features array 'x' or 'features'" if names
                        else "holds no arrays", path=file)
    return key
