"""Small helpers the data tests use to write their own input files."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

IDX_TYPE_CODES = {np.dtype("u1"): 0x08, np.dtype("i1"): 0x09, np.dtype("i2"): 0x0B, np.dtype("i4"): 0x0C,
                  np.dtype("f4"): 0x0D, np.dtype("f8"): 0x0E}


def idx_bytes(array: np.ndarray) -> bytes:
    """An IDX file's bytes: magic (0, 0, type, ndim), big-endian uint32 dimensions, big-endian values."""
    header = bytes([0, 0, IDX_TYPE_CODES[array.dtype], array.ndim])
    dims = np.asarray(array.shape, dtype=">u4").tobytes()
    return header + dims + array.astype(array.dtype.newbyteorder(">")).tobytes()


def write_idx(path: Path, array: np.ndarray, *, gzipped: bool = False) -> Path:
    data = idx_bytes(array)
    path.write_bytes(gzip.compress(data, compresslevel=1) if gzipped else data)
    return path


def write_text(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path
