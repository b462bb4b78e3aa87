"""Reading a project file's bytes without trusting it: a regular file only, zip members checked before reading.

A FIFO named ``x.bps`` would block `open()` forever and a symlink to /dev/zero would never end, so the path is
opened with O_NONBLOCK and refused unless fstat says it is a regular file. A zip member's declared size and
compression ratio are checked BEFORE it is decompressed (a 1 MB file can claim a 1 GiB manifest), and reading
stops at the declared size whatever the compressed stream holds.
"""

from __future__ import annotations

import os
import stat
import struct
import zipfile
import zlib
from pathlib import Path
from typing import BinaryIO

from core.memory_budget import MemoryBudgetError, check_allocation, format_gib
from core.project_errors import ProjectError

MAX_MANIFEST_BYTES = 64 * 1024**2  # a manifest is a spec, a data reference and a run history: a few MB at most
MAX_MEMBERS = 16  # a project holds two members; more means it is not one of ours
# Deflate cannot compress better than about 1032:1; a member claiming more lies about its size (a zip bomb).
MAX_COMPRESSION_RATIO = 1100
_ZIP_MAGIC = b"PK\x03\x04"
_LOCAL_HEADER_SIZE = 30  # a zip local file header's fixed part; the member's name follows it
PROJECT_MEMBERS = ("project.json", "weights.npz")
_CHUNK = 1024**2
_FILE_KINDS = ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
               (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def open_regular_file(path: Path) -> BinaryIO:
    """The file opened for binary reading, or ProjectError if it is missing, unreadable or not a regular file."""
    try:
        _refuse_unless_regular(os.stat(path), path)
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise ProjectError(f"{path} does not exist", path) from None
    except OSError as error:
        raise ProjectError(f"can't read {path}: {_reason(error)}", path) from None
    try:
        _refuse_unless_regular(os.fstat(descriptor), path)  # it may have been swapped since the stat above
    except BaseException:
        os.close(descriptor)
        raise
    return os.fdopen(descriptor, "rb")


def open_archive(handle: BinaryIO, path: Path) -> zipfile.ZipFile:
    """The zip archive in `handle`, or ProjectError: not a project, damaged (truncated), or too many members."""
    head = handle.read(_LOCAL_HEADER_SIZE + max(len(name) for name in PROJECT_MEMBERS))
    handle.seek(0)
    try:
        archive = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError) as error:
        if _starts_like_a_project(head):  # it began as one of our zips but its directory at the end is gone
            raise ProjectError(f"{path.name} is a damaged (truncated) Backprop Studio project: the end of the file "
                               f"is missing; restore it from a backup or save it again", path) from error
        raise ProjectError(not_a_project(path), path) from error
    if len(archive.infolist()) > MAX_MEMBERS:
        archive.close()
        raise ProjectError(f"{path.name} is not a Backprop Studio project: it holds {len(archive.infolist())} "
                           f"files, a project holds at most {MAX_MEMBERS}", path)
    return archive


def read_member(archive: zipfile.ZipFile, name: str, path: Path, max_bytes: int | None = None) -> bytes:
    """A member's bytes after checking its declared size (against `max_bytes` and the memory budget) and its
    compression ratio; reading never goes past the declared size."""
    info = archive.getinfo(name)
    if max_bytes is not None and info.file_size > max_bytes:
        raise ProjectError(f"{path.name} is damaged: its {name} claims {format_gib(info.file_size)} when "
                           f"uncompressed, more than the {format_gib(max_bytes)} allowed", path)
    ratio = info.file_size / max(info.compress_size, 1)
    if ratio > MAX_COMPRESSION_RATIO:
        raise ProjectError(f"{path.name} is damaged: its {name} claims to expand {ratio:.0f} times, more than "
                           f"compression allows (a zip bomb?); nothing was decompressed", path)
    try:
        check_allocation(f"its {name}", info.file_size)
    except MemoryBudgetError as error:
        raise ProjectError(f"{path.name}: {error}", path) from None
    chunks, received = [], 0
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(min(_CHUNK, info.file_size + 1 - received)):
                received += len(chunk)
                chunks.append(chunk)
                if received > info.file_size:
                    raise ProjectError(f"{path.name} is damaged: its {name} is longer than its size says", path)
    except ProjectError:
        raise
    except (zipfile.BadZipFile, EOFError, zlib.error, ValueError) as error:
        raise ProjectError(f"{path.name} is damaged: its {name} can't be decompressed ({error})", path) from None
    except (RuntimeError, NotImplementedError) as error:  # encrypted, or an unknown compression method
        raise ProjectError(f"{path.name} is not a Backprop Studio project: its {name} {error}", path) from None
    except OSError as error:
        raise ProjectError(f"can't read {path}: {_reason(error)}", path) from None
    return b"".join(chunks)


def _starts_like_a_project(head: bytes) -> bool:
    """True when `head` is a zip local header for one of a project's own members, or a zip start cut off before
    the member's name (what a truncated project keeps)."""
    if not head.startswith(_ZIP_MAGIC):
        return False
    if len(head) < _LOCAL_HEADER_SIZE:
        return True
    name_length = struct.unpack_from("<H", head, 26)[0]
    name = head[_LOCAL_HEADER_SIZE:_LOCAL_HEADER_SIZE + name_length]
    return len(name) < name_length or name.decode("latin-1") in PROJECT_MEMBERS


def not_a_project(path: Path) -> str:
    return f"{path.name} is not a Backprop Studio project file (expected a .bps project saved by Backprop Studio)"


def _refuse_unless_regular(status: os.stat_result, path: Path) -> None:
    if stat.S_ISDIR(status.st_mode):
        raise ProjectError(f"{path} is a folder, not a project file", path)
    if not stat.S_ISREG(status.st_mode):
        kind = next((name for test, name in _FILE_KINDS if test(status.st_mode)), "something other than a regular file")
        raise ProjectError(f"{path} is {kind}, not a project file; nothing was read from it", path)


def _reason(error: OSError) -> str:
    """"permission denied", "no such device"...: the system's reason without the path it already names."""
    text = error.strerror or str(error)
    return text[:1].lower() + text[1:]
