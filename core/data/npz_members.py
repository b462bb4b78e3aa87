"""What an .npz archive's members claim, checked before a byte of array data is decompressed.

An .npz is a zip of .npy files, and both layers can lie. The zip directory says how large each member inflates
to; the .npy header says the array's shape and type. A zip bomb inflates a kilobyte to gigabytes; a header can
claim 10¹² values in a tiny file. So: the directory is bounded (members, bytes), each member's inflated size is
checked against the memory budget and against an absurd compression ratio, and the header's shape × item size
(Python integers, no overflow) must fit inside the member. Only then does NumPy read it, and the zip module
never inflates a member past its declared size.
"""

from __future__ import annotations

import math
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.data.errors import DataError
from core.data.file_checks import ensure_fits_in_memory

# Data sets have a handful of arrays; thousands of members only make the zip module build thousands of records.
MAX_MEMBERS = 1000
_MAX_DIRECTORY_BYTES = 4 * 1024 * 1024
# Real arrays seldom deflate more than 10-fold; a member inflating over 200-fold is refused past 16 MiB.
MAX_COMPRESSION_RATIO = 200
_RATIO_CHECKED_FROM_BYTES = 16 * 1024 * 1024
_END_OF_DIRECTORY = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_END_OF_DIRECTORY = b"PK\x06\x06"
# What the zip module and NumPy raise on a damaged archive (a flipped bit can make a member "encrypted" or
# "compressed with method 128"); loaders turn these into "is damaged".
DAMAGED_ARCHIVE_ERRORS = (ValueError, OSError, EOFError, KeyError, zipfile.BadZipFile, zlib.error, struct.error,
                          NotImplementedError, RuntimeError, OverflowError)
_HEADER_READERS = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}


@dataclass(frozen=True)
class ArrayHeader:
    shape: tuple[int, ...]
    dtype: np.dtype

    @property
    def count(self) -> int:
        return math.prod(self.shape)  # Python ints: (2**40, 2**40) cannot overflow to a small number.

    @property
    def nbytes(self) -> int:
        return self.count * self.dtype.itemsize


def check_central_directory(file: Path) -> None:
    """Refuse an archive whose zip directory lists more than MAX_MEMBERS members, before the zip module reads it.

    Reads the end-of-directory record (and its zip64 extension, as the zip module does) from the file's tail.
    """
    with open(file, "rb") as handle:
        handle.seek(0, 2)
        size = handle.tell()
        handle.seek(max(0, size - 22 - 65535))  # The record is 22 bytes plus a comment of up to 64 KiB.
        tail = handle.read()
    at = tail.rfind(_END_OF_DIRECTORY)
    if at < 0 or len(tail) < at + 22:
        raise DataError("is damaged and cannot be read (no zip directory at its end)", path=file)
    members, directory_bytes = struct.unpack("<HI", tail[at + 10:at + 16])
    locator = at - 20
    if locator >= 56 and tail[locator:locator + 4] == _ZIP64_LOCATOR:
        record = tail[locator - 56:locator]
        if record[:4] == _ZIP64_END_OF_DIRECTORY:
            members, directory_bytes = struct.unpack("<QQ", record[32:48])
    if members > MAX_MEMBERS or directory_bytes > _MAX_DIRECTORY_BYTES:
        raise DataError(f"lists {members:,} members in a {directory_bytes:,}-byte zip directory; a data set has "
                        f"at most {MAX_MEMBERS:,} arrays", path=file)


def read_member_header(archive: zipfile.ZipFile, info: zipfile.ZipInfo, file: Path) -> ArrayHeader:
    """The .npy header of one member, after checking its inflated size; DataError when the claims disagree.

    Object arrays (pickles, of no fixed size) are returned as they are for the caller to refuse by name."""
    key = info.filename[:-4]
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise DataError(f"array {key!r} is compressed with zip method {info.compress_type}; .npz archives are "
                        "stored or deflated (np.savez, np.savez_compressed)", path=file)
    ensure_fits_in_memory(file, info.file_size, None, f"array {key!r} ({info.file_size:,} bytes unpacked)")
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > _RATIO_CHECKED_FROM_BYTES and ratio > MAX_COMPRESSION_RATIO:
        raise DataError(f"array {key!r} would inflate {ratio:,.0f}-fold ({info.file_size:,} bytes from "
                        f"{info.compress_size:,}), more than real data compresses: it looks like a zip bomb. "
                        "If it is genuine, save it uncompressed (np.savez).", path=file)
    with archive.open(info) as handle:
        version = np.lib.format.read_magic(handle)
        read_header = _HEADER_READERS.get(version)
        if read_header is None:
            raise ValueError(f"unsupported .npy version {version} for {info.filename!r}")
        shape, _fortran_order, dtype = read_header(handle)
        header_bytes = handle.tell()
    header = ArrayHeader(tuple(int(n) for n in shape), dtype)
    if not dtype.hasobject and header.nbytes > info.file_size - header_bytes:
        raise DataError(f"array {key!r} claims shape {header.shape} of {dtype} ({header.nbytes:,} bytes) but its "
                        f"member holds {max(info.file_size - header_bytes, 0):,} bytes of data: it is damaged",
                        path=file)
    return header
