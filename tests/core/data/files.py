"""Small helpers the data tests use to write their own input files."""

from __future__ import annotations

import gzip
import io
import struct
import zlib
from dataclasses import dataclass
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


def npy_header(shape: tuple[int, ...], dtype: str) -> bytes:
    """The bytes of a .npy file before its data: magic, version 1.0 and a header claiming `shape` and `dtype`."""
    stream = io.BytesIO()
    np.lib.format.write_array_header_1_0(stream, {"descr": np.dtype(dtype).str, "fortran_order": False,
                                                  "shape": shape})
    return stream.getvalue()


def npy_bytes(array: np.ndarray) -> bytes:
    stream = io.BytesIO()
    np.save(stream, array, allow_pickle=False)
    return stream.getvalue()


@dataclass(frozen=True)
class ZipMember:
    """One deflated member of a hand-built zip; the sizes and CRC are what the directory claims."""

    name: str
    deflated: bytes
    file_size: int
    crc: int = 0


def deflated_member(name: str, data: bytes) -> ZipMember:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    return ZipMember(name, compressor.compress(data) + compressor.flush(), len(data), zlib.crc32(data))


def zero_bomb_stream(prefix: bytes, zero_mib: int, wbits: int = -15) -> bytes:
    """Deflate data inflating to `prefix` and `zero_mib` MiB of zeros, about 1 KB per MiB, built in milliseconds:
    after a full flush deflate forgets its history, so every MiB of zeros deflates to the same bytes.
    wbits -15: a raw stream (zip members); 31: a gzip file (whose trailer's CRC is then left wrong)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, wbits)
    head = compressor.compress(prefix) + compressor.flush(zlib.Z_FULL_FLUSH)
    chunk = compressor.compress(bytes(1 << 20)) + compressor.flush(zlib.Z_FULL_FLUSH)
    return head + chunk * zero_mib + compressor.flush()


def zero_bomb_member(name: str, prefix: bytes, zero_mib: int) -> ZipMember:
    crc = 0  # Past 64 MiB the CRC is left wrong: computing it takes seconds, and loaders must refuse long before.
    if zero_mib <= 64:
        crc = zlib.crc32(bytes(zero_mib << 20), zlib.crc32(prefix))
    return ZipMember(name, zero_bomb_stream(prefix, zero_mib), len(prefix) + (zero_mib << 20), crc)


def zip_bytes(members: list[ZipMember]) -> bytes:
    """A zip archive (no zip64, sizes below 4 GiB) of deflated members, written by hand so that the directory
    may claim whatever sizes a test wants."""
    body, directory = b"", b""
    for member in members:
        name = member.name.encode()
        sizes = (member.crc, len(member.deflated), member.file_size, len(name))
        directory += struct.pack("<4s6H3I5H2I", b"PK\x01\x02", 20, 20, 0, 8, 0, 0x21, *sizes, 0, 0, 0, 0, 0,
                                 len(body)) + name
        body += struct.pack("<4s5H3I2H", b"PK\x03\x04", 20, 0, 8, 0, 0x21, *sizes, 0) + name + member.deflated
    end = struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, len(members), len(members), len(directory), len(body), 0)
    return body + directory + end


def npz_bomb(path: Path, zero_mib: int) -> Path:
    """An .npz whose 'x' is a real zero bomb: (n, 4) float32 zeros filling `zero_mib` MiB (a multiple of 16) from
    about a KB per MiB, and 'y' n uint8 zero labels, deflated the same way."""
    rows = (zero_mib << 20) // 16
    x = zero_bomb_member("x.npy", npy_header((rows, 4), "<f4"), zero_mib)
    y = zero_bomb_member("y.npy", npy_header((rows,), "|u1"), zero_mib // 16)
    path.write_bytes(zip_bytes([x, y]))
    return path
