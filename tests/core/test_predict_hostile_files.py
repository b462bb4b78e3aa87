"""`backprop-studio-cli predict` on hostile data files, run as the user runs it: a fresh process per case.

The data file is generated per case (zip bombs, .npy headers that lie, object arrays, many members, a bad CRC,
named pipes, a link to a device, a non-zip; CSV text that is empty, binary, ragged or names other columns): each
exits 1 with one line on stderr naming the data file, shows no traceback and writes nothing (no output file
appears, the project keeps its bytes). Under an address-space limit set from a normal predict's measured peak, a
bomb is refused by the checks instead of the process being killed.
"""

from __future__ import annotations

import os
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from core.cli import run_cli
from core.project import save_project
from core.spec import default_spec
from tests.core.data.files import deflated_member, npy_bytes, npy_header, npz_bomb, zip_bytes
from tests.core.data.test_cli_datafiles import _run as run_limited_cli, _snapshot as snapshot

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX special files")

_FEATURES = 4  # the bomb's array is (n, 4) float32, so the model takes four numeric columns


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A briefly trained project on four numeric features from an .npz (so predict takes .npz rows)."""
    folder = tmp_path_factory.mktemp("trained")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(120, _FEATURES))
    np.savez(folder / "train.npz", x=x, y=(x[:, 0] > 0).astype(np.int64))
    spec = default_spec(input_size=_FEATURES).to_json()
    spec["training"]["epochs"] = 2
    source = {"kind": "file", "format": "npz", "path": str(folder / "train.npz")}
    config = {"source": source, "val_fraction": 0.25, "test_fraction": 0.0, "scaling": "standard",
              "feature_transform": []}
    save_project(folder / "project.bps", spec, config, None, [], {})
    assert run_cli(["train", str(folder / "project.bps"), "--quiet"]) == 0
    return folder / "project.bps"


# A bomb is refused by its inflation ratio, or first by the memory budget where that is below its 3 GiB.
_BOMB_REFUSED = ("zip bomb", "over the memory budget")


def _zip_bomb(folder: Path) -> Path:
    return npz_bomb(folder / "data.npz", 3008)  # 3 GiB of zeros from 3 MB


def _lying_header(folder: Path) -> Path:
    member = deflated_member("x.npy", npy_header((10**6, 10**6), "<f8") + bytes(64))  # 8 TB claimed in 64 bytes
    (folder / "data.npz").write_bytes(zip_bytes([member]))
    return folder / "data.npz"


def _object_array(folder: Path) -> Path:
    np.savez(folder / "data.npz", x=np.array([[{"a": 1}, 2, 3, 4]], dtype=object))  # unpickling would run code
    return folder / "data.npz"


def _many_members(folder: Path) -> Path:
    with zipfile.ZipFile(folder / "data.npz", "w") as archive:
        archive.writestr("x.npy", npy_bytes(np.zeros((2, _FEATURES))))
        for number in range(1500):
            archive.writestr(f"pad{number}.npy", b"")
    return folder / "data.npz"


def _not_a_zip(folder: Path) -> Path:
    (folder / "data.npz").write_text("a,b,c,d\n1,2,3,4\n")
    return folder / "data.npz"


def _damaged_member(folder: Path) -> Path:
    np.savez(folder / "data.npz", x=np.full((4, _FEATURES), 7.0))
    seven = np.float64(7.0).tobytes()
    data = (folder / "data.npz").read_bytes()
    (folder / "data.npz").write_bytes(data.replace(seven, seven[:-1] + b"\x41", 1))  # 7.0 → 34.0: bad CRC
    return folder / "data.npz"


def _fifo(name: str):
    def make(folder: Path) -> Path:
        os.mkfifo(folder / name)
        return folder / name
    return make


def _dev_zero_link(folder: Path) -> Path:
    (folder / "data.npz").symlink_to("/dev/zero")
    return folder / "data.npz"


def _csv(text: bytes):
    def make(folder: Path) -> Path:
        (folder / "data.csv").write_bytes(text)
        return folder / "data.csv"
    return make


CASES = {
    "zip bomb": (_zip_bomb, ("data.npz: array 'x' ", _BOMB_REFUSED)),
    "header claiming 10**12 values": (_lying_header, ("data.npz: array 'x' claims shape (1000000, 1000000)",)),
    "object array": (_object_array, ("data.npz: array 'x' must hold numbers", "object")),
    "1,501 members": (_many_members, ("data.npz: lists 1,501 members",)),
    "not a zip": (_not_a_zip, ("data.npz: is not a .npz archive",)),
    "damaged member": (_damaged_member, ("data.npz: is damaged and cannot be read",)),
    "named pipe .npz": (_fifo("data.npz"), ("data.npz: is not a regular file (a named pipe)",)),
    "named pipe .csv": (_fifo("data.csv"), ("data.csv: is not a regular file (a named pipe)",)),
    "symlink to /dev/zero": (_dev_zero_link, ("data.npz: is not a regular file (a character device)",)),
    "empty .csv": (_csv(b""), ("data.csv: the file is empty",)),
    "binary .csv": (_csv(b"x0,x1,x2,x3\n1,2,3,4\n\x00\x01\x02\n"), ("data.csv: is not a text file",)),
    "ragged .csv": (_csv(b"x0,x1,x2,x3\n1,2,3,4\n1,2\n"), ("data.csv, line 3: has 2 fields",)),
    "unknown column": (_csv(b"a,b,c,d\n1,2,3,4\n"), ("data.csv, line 1: the header has no column named 'x0'",)),
}


def _assert_refused_cleanly(result, folders: list[Path], before: list[dict[str, bytes]], *words) -> None:
    """`words`: texts the error line holds, or tuples of which it holds one."""
    assert result.returncode == 2, result.stderr  # bad input (core.cli.errors)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert lines[0].startswith("backprop-studio: error: "), lines[0]
    for word in words:
        assert any(choice in lines[0] for choice in ((word,) if isinstance(word, str) else word)), lines[0]
    assert result.stdout == ""
    assert [snapshot(folder) for folder in folders] == before  # nothing written, nothing changed


@pytest.mark.parametrize("case", CASES)
def test_predict_refuses_a_hostile_data_file_in_one_line(project, tmp_path, case):
    make, words = CASES[case]
    data = make(tmp_path)
    folders = [tmp_path, project.parent]
    before = [snapshot(folder) for folder in folders]
    result = run_limited_cli(["predict", str(project), str(data), "-o", str(tmp_path / "out.csv")])
    _assert_refused_cleanly(result, folders, before, *words)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS and /proc are Linux's")
def test_under_an_address_space_limit_a_bomb_is_refused_not_killed(project, tmp_path):
    """Measure a normal .npz predict's peak address space, allow 512 MiB more, then predict from a 3 GiB bomb."""
    np.savez(tmp_path / "normal.npz", x=np.random.default_rng(1).normal(size=(50, _FEATURES)))
    peak_file = tmp_path / "peak"
    normal = run_limited_cli(["predict", str(project), str(tmp_path / "normal.npz")], 0, peak_file)
    assert normal.returncode == 0 and len(normal.stdout.splitlines()) == 51, normal.stderr
    limit = int(peak_file.read_text()) + 512 * 1024**2
    bomb = tmp_path / "bomb"
    bomb.mkdir()
    data = _zip_bomb(bomb)
    before = [snapshot(bomb), snapshot(project.parent)]
    result = run_limited_cli(["predict", str(project), str(data), "-o", str(bomb / "out.csv")], limit)
    _assert_refused_cleanly(result, [bomb, project.parent], before, "data.npz: array 'x' ", _BOMB_REFUSED)
