"""Hangs: every data entry point refuses what is not a regular file BEFORE reading it (issue 12, class 3).

Named pipes, devices, folders, sockets and symlinks to them are generated for each file kind the loaders take
(.csv, .npz, IDX) and each entry point (`load_file`, the loaders, the CSV preview, the raw-row reader). A hang
guard turns a loader that blocks on a pipe into a failure instead of a stuck test run.
"""

from __future__ import annotations

import os
import signal
import socket
from pathlib import Path
from typing import Callable

import pytest

from core.data import DataError, load_csv, load_file, load_idx, load_npz, preview_csv
from core.data.csv_rows import read_raw_rows
from tests.core.data.files import write_idx

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX special files")

NAMES = ("data.csv", "data.npz", "train-images-idx3-ubyte", "train-images-idx3-ubyte.gz")
ENTRY_POINTS: dict[str, Callable[[Path], object]] = {
    "load_file": lambda path: load_file(path, labels_path=os.fspath(path)) if "idx" in path.name else load_file(path),
    "load_csv": load_csv,
    "load_npz": load_npz,
    "load_idx": lambda path: load_idx(path, path),
    "preview_csv": preview_csv,
    "read_raw_rows": read_raw_rows,
}


@pytest.fixture()
def hang_guard():
    """Fail (not hang) if an entry point blocks: opening a pipe with no writer waits forever."""
    def on_alarm(signum, frame):
        raise TimeoutError("the loader blocked on a special file")
    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(30)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def _fifo(folder: Path, name: str) -> Path:
    os.mkfifo(folder / name)
    return folder / name


def _symlink_to_dev_zero(folder: Path, name: str) -> Path:
    (folder / name).symlink_to("/dev/zero")
    return folder / name


def _folder(folder: Path, name: str) -> Path:
    (folder / name).mkdir()
    return folder / name


def _socket(folder: Path, name: str) -> Path:
    path = folder / name
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(os.fspath(path))
    except OSError as error:  # A path too long for AF_UNIX: nothing to test here.
        pytest.skip(f"cannot make a socket: {error}")
    finally:
        server.close()
    return path


MAKERS = {"named pipe": _fifo, "symlink to /dev/zero": _symlink_to_dev_zero, "folder": _folder,
          "socket": _socket}
KIND_WORDS = {"named pipe": "a named pipe", "symlink to /dev/zero": "a character device", "folder": "a folder",
              "socket": "a socket"}


@pytest.mark.parametrize("entry", ENTRY_POINTS)
@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("kind", MAKERS)
def test_special_files_are_refused_without_reading(tmp_path, hang_guard, kind, name, entry):
    path = MAKERS[kind](tmp_path, name)
    with pytest.raises(DataError) as caught:
        ENTRY_POINTS[entry](path)
    message = str(caught.value)
    assert message == f"{name}: is not a regular file ({KIND_WORDS[kind]}); choose a data file"
    assert "\n" not in message


@pytest.mark.parametrize("entry", ["load_csv", "preview_csv", "read_raw_rows"])
def test_dev_zero_itself_is_refused(entry):
    with pytest.raises(DataError, match=r"^zero: is not a regular file \(a character device\)"):
        ENTRY_POINTS[entry](Path("/dev/zero"))


def test_an_idx_labels_file_that_is_a_pipe_is_refused(tmp_path, hang_guard):
    import numpy as np
    images = write_idx(tmp_path / "a-idx3-ubyte", np.zeros((2, 2, 2), dtype=np.uint8))
    labels = _fifo(tmp_path, "a-idx1-ubyte")
    with pytest.raises(DataError, match=r"^a-idx1-ubyte: is not a regular file \(a named pipe\)"):
        load_idx(images, labels)


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads files without permission")
@pytest.mark.parametrize("name", NAMES[:3])
def test_unreadable_file_says_permission_denied(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"a,b\n1,2\n")
    path.chmod(0)
    with pytest.raises(DataError, match=r"cannot be opened: permission denied"):
        ENTRY_POINTS["load_file"](path)


def test_a_symlink_to_a_regular_file_still_loads(tmp_path):
    target = tmp_path / "real.csv"
    target.write_text("a,b,y\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n")
    (tmp_path / "link.csv").symlink_to(target)
    assert load_file(tmp_path / "link.csv").x.shape == (4, 2)
