"""`pip install .` ships the whole app: every module of core/ and studio/, every file under resources/ (icons,
example projects, the desktop entry) and both launchers. Builds the wheel from a copy of the source tree, so
the repository's own build/ folder (and its stale files) can't leak in.

The build is isolated, as `pip install .` does for a user: pip fetches the build backend that pyproject's
[build-system] asks for (setuptools>=77, which understands `license = "MIT"`) instead of using whatever old
setuptools the test venv happens to hold (a Python 3.11 venv ships 65.5, which rejects the SPDX license)."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHIPPED = ("core", "studio", "resources")


def source_files(folder: str) -> set[str]:
    return {path.relative_to(REPO).as_posix() for path in (REPO / folder).rglob("*")
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    for folder in SHIPPED:
        shutil.copytree(REPO / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                             "--wheel-dir", str(out), str(source)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    (built,) = out.glob("backprop_studio-*.whl")
    with zipfile.ZipFile(built) as archive:
        yield archive


def test_every_resource_file_is_in_the_wheel(wheel):
    resources = source_files("resources")
    assert {"resources/backprop-studio.desktop", "resources/icons/backprop-studio.svg",
            "resources/icons/backprop-studio-256.png", "resources/examples/xor.bps"} <= resources
    missing = resources - set(wheel.namelist())
    assert not missing, f"pyproject's package-data leaves these out of the wheel: {sorted(missing)}"


def test_every_module_is_in_the_wheel_and_nothing_else(wheel):
    python_files = {name for folder in ("core", "studio") for name in source_files(folder) if name.endswith(".py")}
    names = set(wheel.namelist())
    assert python_files <= names, sorted(python_files - names)
    top_level = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
    assert top_level == set(SHIPPED)  # no tests/, benchmarks/ or packaging/ in site-packages


def test_both_launchers_are_declared(wheel):
    (entry_points,) = [name for name in wheel.namelist() if name.endswith(".dist-info/entry_points.txt")]
    parser = configparser.ConfigParser()
    parser.read_string(wheel.read(entry_points).decode())
    assert parser["gui_scripts"]["backprop-studio"] == "studio.app:main"
    assert parser["console_scripts"]["backprop-studio-cli"] == "core.cli.main:main"
