"""`backprop-studio-cli train` on projects whose data file is hostile, run as the user runs it: a fresh process.

Each case exits non-zero with one line on stderr naming the data file, shows no traceback and writes nothing
(the project file keeps its bytes, no file appears). Under an address-space limit (RLIMIT_AS) well below the
machine's memory, a bomb is refused by the memory budget instead of the process being killed or raising
MemoryError: the limit is set from what a normal load of the same kind was measured to need.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from core.project import save_project
from core.spec import default_spec
from tests.core.data.files import ZipMember, deflated_member, npy_bytes, npy_header, npz_bomb, zip_bytes

REPO = Path(__file__).resolve().parents[3]
# Runs the CLI in-process after setting RLIMIT_AS (argv[1] bytes, 0 for none); writes VmPeak (bytes) to argv[2].
_LIMITED_CLI = """
import resource, sys
limit, peak_file = int(sys.argv[1]), sys.argv[2]
if limit:
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from core.cli.main import main
code = main(sys.argv[3:])
with open('/proc/self/status') as status:
    peak = next(int(line.split()[1]) * 1024 for line in status if line.startswith('VmPeak:'))
with open(peak_file, 'w') as out:
    out.write(str(peak))
sys.exit(code)
"""


def _project(folder: Path, data: Path, data_format: str, inputs: int = 2) -> Path:
    spec = default_spec(input_size=inputs).to_json()
    spec["training"]["epochs"] = 2
    source = {"kind": "file", "format": data_format, "path": str(data)}
    config = {"source": source, "val_fraction": 0.2, "test_fraction": 0.0, "scaling": "standard",
              "feature_transform": []}
    path = folder / "project.bps"
    save_project(path, spec, config, None, [], {"description": "hostile data"})
    return path


def _run(args: list[str], limit: int = 0, peak_file: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO), OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1",
               NUMBA_NUM_THREADS="1")
    env.pop("BACKPROP_STUDIO_MEMORY_BUDGET", None)
    command = [sys.executable, "-c", _LIMITED_CLI, str(limit), str(peak_file or os.devnull), *args]
    return subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)


def _assert_refused_cleanly(result, folder: Path, before: dict[str, bytes], *words: str) -> None:
    assert result.returncode == 2, result.stderr  # bad input (core.cli.errors)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert lines[0].startswith("backprop-studio: error: project.bps: can't load its data: ")
    for word in words:
        assert word in lines[0], lines[0]
    assert _snapshot(folder) == before  # Nothing written, nothing changed.


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in folder.iterdir() if path.is_file()}


def _fifo(folder: Path) -> Path:
    os.mkfifo(folder / "data.csv")
    return folder / "data.csv"


def _dev_zero_link(folder: Path) -> Path:
    (folder / "data.csv").symlink_to("/dev/zero")
    return folder / "data.csv"


def _infinite_csv(folder: Path) -> Path:
    path = folder / "data.csv"
    path.write_text("a,b,y\n1,2,0\n3,1e999,1\n5,6,0\n")
    return path


def _wide_csv(folder: Path) -> Path:
    path = folder / "data.csv"
    path.write_text(",".join(f"c{i}" for i in range(200_000)) + "\n" + "1," * 199_999 + "0\n")
    return path


def _bomb(folder: Path) -> Path:
    return npz_bomb(folder / "data.npz", 3008)


CASES = {
    "named pipe": (_fifo, "csv", ("data.csv: is not a regular file (a named pipe)",)),
    "symlink to /dev/zero": (_dev_zero_link, "csv", ("data.csv: is not a regular file (a character device)",)),
    "infinity": (_infinite_csv, "csv", ("data.csv, line 3, column 'b'", "infinite")),
    "200,000 columns": (_wide_csv, "csv", ("has 200,000 columns",)),
    "zip bomb": (_bomb, "npz", ("data.npz: array 'x' would inflate", "zip bomb")),
}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX")
@pytest.mark.parametrize("case", CASES)
def test_train_refuses_a_hostile_data_file_in_one_line(tmp_path, case):
    make, data_format, words = CASES[case]
    project = _project(tmp_path, make(tmp_path), data_format)
    before = _snapshot(tmp_path)
    _assert_refused_cleanly(_run(["train", str(project), "--quiet"]), tmp_path, before, *words)


def test_train_reads_a_latin1_csv(tmp_path):
    data = tmp_path / "data.csv"
    rows = "".join(f"{i % 7},{i % 5},{('été', 'hiver')[i % 2]}\n" for i in range(40))
    data.write_bytes(("größe,länge,saison\n" + rows).encode("latin-1"))
    project = _project(tmp_path, data, "csv")
    result = _run(["train", str(project), "--quiet"])
    assert result.returncode == 0 and "Saved" in result.stdout, result.stderr


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS and /proc are Linux's")
def test_under_an_address_space_limit_bombs_are_refused_not_killed(tmp_path):
    """Measure a normal NPZ training run's peak address space, allow 512 MiB more, then feed it data claiming
    2 GiB (refused by the budget, which the limit lowers) and a 3 GiB zip bomb (refused from its directory)."""
    normal = tmp_path / "normal"
    normal.mkdir()
    np.savez(normal / "data.npz", x=np.random.default_rng(0).normal(size=(200, 2)), y=np.arange(200) % 2)
    peak_file = tmp_path / "peak"
    measured = _run(["train", str(_project(normal, normal / "data.npz", "npz")), "--quiet"], 0, peak_file)
    assert measured.returncode == 0, measured.stderr
    limit = int(peak_file.read_text()) + 512 * 1024**2

    claims = tmp_path / "claims"
    claims.mkdir()
    header = npy_header((2**28, 1), "<f8")  # 2 GiB of features, as the zip directory also claims.
    x = ZipMember("x.npy", deflated_member("x.npy", header).deflated, len(header) + 2**31)
    (claims / "data.npz").write_bytes(zip_bytes([x, deflated_member("y.npy", npy_bytes(np.arange(4) % 2))]))
    bomb = tmp_path / "bomb"
    bomb.mkdir()
    for folder, words in ((claims, ("over the memory budget of", "GiB (set BACKPROP_STUDIO_MEMORY_BUDGET")),
                          (bomb, ("data.npz: array 'x'",))):  # The budget or the ratio: both refuse it.
        if folder is bomb:
            npz_bomb(folder / "data.npz", 3008)
        project = _project(folder, folder / "data.npz", "npz", inputs=1 if folder is claims else 4)
        before = _snapshot(folder)
        _assert_refused_cleanly(_run(["train", str(project), "--quiet"], limit), folder, before, *words)
