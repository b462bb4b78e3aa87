"""Checks every file loader runs before reading: the file exists, fits in memory, and (for text) is text.

Refusing early is what keeps a bad file from leaving a half-loaded data set or exhausting memory.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from core.data.errors import DataError
from core.memory_budget import MemoryBudgetError, check_allocation

_TEXT_PROBE_BYTES = 64 * 1024


def require_file(path: str | os.PathLike[str]) -> Path:
    """The path as a `Path`, or a DataError if it is missing, unreadable, not a regular file, or empty.

    The target of a symlink is what counts, so a link to /dev/zero is refused like /dev/zero itself. Nothing is
    read from a FIFO, device or socket: opening one can block forever or never reach the end.
    """
    file = Path(path)
    try:
        info = os.stat(file)
    except FileNotFoundError:
        raise DataError("file not found", path=file) from None
    except (OSError, ValueError) as error:  # ValueError: a path with a zero byte.
        raise DataError(f"cannot be opened: {_os_reason(error)}", path=file) from None
    if not stat.S_ISREG(info.st_mode):
        raise DataError(f"is not a regular file ({_file_kind(info.st_mode)}); choose a data file", path=file)
    try:  # Opening tells "permission denied" apart from a damaged file before any loader reads it.
        os.close(os.open(file, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)))
    except OSError as error:
        raise DataError(f"cannot be opened: {_os_reason(error)}", path=file) from None
    if info.st_size == 0:
        raise DataError("the file is empty", path=file)
    return file


def ensure_fits_in_memory(path: Path | None, needed_bytes: int, max_bytes: int | None,
                          what: str = "loading it") -> None:
    """Refuse, before reading, a load needing more than `max_bytes` (default: the memory budget)."""
    if max_bytes is not None and (isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 0):
        raise DataError(f"max_bytes must be a whole number of bytes or None, got {max_bytes!r}", path=path)
    if max_bytes is None:
        try:
            check_allocation(what, needed_bytes)
        except MemoryBudgetError as error:
            raise DataError(str(error), path=path) from None
    elif needed_bytes > max_bytes:
        raise DataError(f"{what} needs about {_human(needed_bytes)}, over the limit of {_human(max_bytes)} "
                        "(max_bytes); use a smaller file", path=path)


def _file_kind(mode: int) -> str:
    kinds = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe"), (stat.S_ISCHR, "a character device"),
             (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))
    return next((name for test, name in kinds if test(mode)), "a special file")


def _os_reason(error: OSError | ValueError) -> str:
    return (getattr(error, "strerror", None) or str(error)).lower()


def ensure_text(path: Path) -> str:
    """The encoding to read `path` with ("utf-8-sig" or "latin-1"); DataError if it is not a text file."""
    with open(path, "rb") as handle:
        probe = handle.read(_TEXT_PROBE_BYTES)
    if b"\x00" in probe:
        offset = probe.index(b"\x00")
        raise DataError(f"is not a text file (a zero byte at offset {offset}); expected CSV or TSV text", path=path)
    try:
        # A multi-byte character may be cut at the end of the probe; that alone is not a decoding error.
        probe.decode("utf-8-sig")
        return "utf-8-sig"
    except UnicodeDecodeError as error:
        if error.start < len(probe) - 4:
            controls = sum(byte < 32 and byte not in b"\t\r\n\f" for byte in probe)
            if controls > len(probe) // 100:
                raise DataError(
                    f"is not a text file (byte 0x{probe[error.start]:02x} at offset {error.start})", path=path
                ) from None
            return "latin-1"  # Legacy single-byte text, e.g. a spreadsheet's European export.
        return "utf-8-sig"


def undecodable_text_error(path: Path, encoding: str) -> DataError:
    """A DataError naming the first line that is not `encoding` text (found by re-reading, on the error path)."""
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                raw.decode(encoding)
            except UnicodeDecodeError as error:
                return DataError(f"is not a text file: byte 0x{raw[error.start]:02x} cannot be decoded",
                                 path=path, row=number)
    return DataError("is not a text file: it cannot be decoded", path=path)


def _human(num_bytes: int) -> str:
    size = float(num_bytes)
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} TB"
