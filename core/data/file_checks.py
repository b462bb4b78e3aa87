"""Checks every file loader runs before reading: the file exists, fits in memory, and (for text) is text.

Refusing early is what keeps a bad file from leaving a half-loaded data set or exhausting memory.
"""

from __future__ import annotations

import os
from pathlib import Path

from core.data.errors import DataError

_TEXT_PROBE_BYTES = 64 * 1024


def require_file(path: str | os.PathLike[str]) -> Path:
    """The path as a `Path`, or a DataError if it is missing, a folder, or empty."""
    file = Path(path)
    if not file.exists():
        raise DataError("file not found", path=file)
    if not file.is_file():
        raise DataError("is not a file", path=file)
    if file.stat().st_size == 0:
        raise DataError("the file is empty", path=file)
    return file


def available_memory_bytes() -> int | None:
    """Memory the system can give us now (Linux MemAvailable, else free pages), or None if unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None


def ensure_fits_in_memory(path: Path, needed_bytes: int, max_bytes: int | None) -> None:
    """Refuse a load needing more than `max_bytes` (default: the memory available now) before reading it."""
    limit = max_bytes if max_bytes is not None else available_memory_bytes()
    if limit is not None and needed_bytes > limit:
        raise DataError(
            f"loading it needs about {_human(needed_bytes)} but only {_human(limit)} of memory is available; "
            "use a smaller file or free some memory",
            path=path,
        )


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
