"""Load IDX files as used by MNIST: an images file and a labels file, each plain or gzipped.

An IDX file is a 4-byte magic number (0, 0, type code, number of dimensions), one big-endian uint32 per
dimension, then the values. The header's sizes are checked against memory before the data is read, and the data
is read straight into one buffer and converted to float32 once, so a 60,000 × 784 set is held as float32 once.
"""

from __future__ import annotations

import gzip
import math
import os
import zlib
from pathlib import Path
from typing import BinaryIO

import numpy as np

from core.data.array_checks import check_finite
from core.data.dataset import Dataset
from core.data.errors import DataError
from core.data.file_checks import ensure_fits_in_memory, require_file
from core.data.labels import check_max_classes, encode_classes

# IDX type code -> big-endian NumPy dtype.
_TYPES = {0x08: np.dtype(">u1"), 0x09: np.dtype(">i1"), 0x0B: np.dtype(">i2"), 0x0C: np.dtype(">i4"),
          0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}
_GZIP_MAGIC = b"\x1f\x8b"
# Deflate cannot inflate more than 1032-fold; a header declaring more than that is refused before reading.
MAX_GZIP_RATIO = 1032


def load_idx(
    images_path: str | os.PathLike[str],
    labels_path: str | os.PathLike[str],
    *,
    max_classes: int | None = None,
    max_bytes: int | None = None,
) -> Dataset:
    """Images (n, ...) flattened to (n, d) float32 with their raw values (e.g. 0-255), and integer class labels."""
    images_file, labels_file = require_file(images_path), require_file(labels_path)
    check_max_classes(max_classes, path=labels_file)
    image_header = _read_header(images_file)
    label_header = _read_header(labels_file)
    image_shape, image_dtype = image_header
    label_shape, label_dtype = label_header
    if image_shape[0] == 0 or 0 in image_shape[1:]:
        raise DataError(f"holds no data: its header declares shape {image_shape}", path=images_file)
    if image_shape[0] != label_shape[0]:
        raise DataError(f"holds {image_shape[0]} images but {labels_file.name} holds {label_shape[0]} labels",
                        path=images_file)
    if len(label_shape) != 1 or label_dtype.kind not in "iu":
        raise DataError(f"is not a labels file: expected one integer per sample, found {label_dtype} values of "
                        f"shape {label_shape}", path=labels_file)
    num_values = math.prod(image_shape)  # Python ints: dimensions of 2³² - 1 cannot overflow past this check.
    # The raw buffer and the float32 result exist together for a moment; each feature name takes ~100 bytes.
    needed = num_values * (image_dtype.itemsize + 4) + label_shape[0] * 8 + 100 * (num_values // image_shape[0])
    ensure_fits_in_memory(images_file, needed, max_bytes)
    _check_data_size(images_file, image_header)
    _check_data_size(labels_file, label_header)

    raw_images = _read_values(images_file, image_header)
    with np.errstate(over="ignore"):  # float64 values past float32's range become infinity, refused below.
        x = raw_images.reshape(image_shape[0], -1).astype(np.float32)  # The one float32 copy.
    del raw_images
    check_finite(x, images_file, "the images file")  # In chunks: no full-size boolean temporary.
    labels = _read_values(labels_file, label_header)
    y, class_names = encode_classes(labels, max_classes=max_classes, path=labels_file)

    pixel_grid = image_shape[1:]
    if len(pixel_grid) == 2:
        feature_names = [f"pixel[{r},{c}]" for r in range(pixel_grid[0]) for c in range(pixel_grid[1])]
    else:
        feature_names = [f"x{i}" for i in range(x.shape[1])]
    source = {"kind": "file", "format": "idx", "path": os.path.abspath(images_file),
              "labels_path": os.path.abspath(labels_file), "max_classes": max_classes}
    return Dataset(name=images_file.name, x=x, y=y, task="classification", feature_names=feature_names,
                   class_names=class_names, target_names=["label"], source=source)


def _is_gzipped(file: Path) -> bool:
    """Detected by content, not by name."""
    with open(file, "rb") as handle:
        return handle.read(2) == _GZIP_MAGIC


def _open(file: Path) -> BinaryIO:
    """The file's bytes, decompressed on the fly if it is gzipped; a read never inflates more than it asks for."""
    return gzip.open(file, "rb") if _is_gzipped(file) else open(file, "rb")  # type: ignore[return-value]


def _read_header(file: Path) -> tuple[tuple[int, ...], np.dtype]:
    """(shape, dtype) declared by the header; DataError for a bad magic number."""
    try:
        with _open(file) as stream:
            magic = stream.read(4)
            if len(magic) < 4 or magic[0] != 0 or magic[1] != 0 or magic[2] not in _TYPES or magic[3] == 0:
                raise DataError(f"is not an IDX file: bad magic number {magic.hex() or '(none)'} "
                                "(expected 00 00, a type code 08-0e and the number of dimensions)", path=file)
            dims = stream.read(4 * magic[3])
    except (OSError, EOFError, zlib.error) as error:
        raise DataError(f"is damaged: {_gzip_problem(error)}", path=file) from None
    if len(dims) < 4 * magic[3]:
        raise DataError(f"is truncated: its header declares {magic[3]} dimensions but ends early", path=file)
    shape = tuple(int(v) for v in np.frombuffer(dims, dtype=">u4"))
    return shape, _TYPES[magic[2]]


def _check_data_size(file: Path, header: tuple[tuple[int, ...], np.dtype]) -> None:
    """Refuse, before allocating, a header declaring more data than the file can hold: all of a plain file after
    its header, at most MAX_GZIP_RATIO times the compressed size of a gzipped one."""
    shape, dtype = header
    declared = math.prod(shape) * dtype.itemsize
    size = file.stat().st_size
    gzipped = _is_gzipped(file)
    room = size * MAX_GZIP_RATIO if gzipped else size - 4 - 4 * len(shape)
    if declared > room:
        holds = (f"the file holds fewer: {size:,} gzipped bytes inflate to at most {room:,}" if gzipped
                 else f"the file holds fewer data bytes ({room:,})")
        raise DataError(f"has the wrong size: its header declares shape {shape} ({declared:,} bytes of data) but "
                        f"{holds}", path=file)


def _read_values(file: Path, header: tuple[tuple[int, ...], np.dtype]) -> np.ndarray:
    """The values as a native-endian array of the declared shape; DataError if there are more or fewer."""
    shape, dtype = header
    expected = math.prod(shape) * dtype.itemsize
    buffer = np.empty(expected, dtype=np.uint8)
    try:
        with _open(file) as stream:
            stream.read(4 + 4 * len(shape))
            received = _read_into(stream, memoryview(buffer))
            extra = len(stream.read(1)) if received == expected else 0
    except (OSError, EOFError, zlib.error) as error:
        raise DataError(f"is damaged: {_gzip_problem(error)}", path=file) from None
    if received != expected or extra:
        size = "fewer" if received < expected else "more"
        raise DataError(f"has the wrong size: its header declares shape {shape} ({expected} bytes of data) "
                        f"but the file holds {size} data bytes ({received}{'+' if extra else ''})", path=file)
    values = buffer.view(dtype)
    return values.astype(dtype.newbyteorder("="), copy=False) if dtype.itemsize > 1 else values


def _read_into(stream: BinaryIO, target: memoryview) -> int:
    received = 0
    while received < len(target):
        count = stream.readinto(target[received:])  # type: ignore[attr-defined]
        if not count:
            break
        received += count
    return received


def _gzip_problem(error: BaseException) -> str:
    if isinstance(error, EOFError):
        return "the gzip stream ends early (truncated download?)"
    return f"it cannot be decompressed ({error})"

