"""The PyInstaller one-folder bundle builds, holds what it needs (and no PyTorch), and passes its own self-test.

Built from the test environment itself with the spec's explicit excludes (torch, pytest, onnxruntime, ...), not
from a fresh venv, and without --clean: about two minutes on a 2-core machine (build included). packaging/build.sh is the
clean-venv build for releases. Skipped where PyInstaller is not installed (`pip install .[packaging]`).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

pytest.importorskip("PyInstaller", reason="PyInstaller is not installed: pip install '.[packaging]'")

REPO = Path(__file__).resolve().parents[2]
EXE_NAME = "backprop-studio.exe" if sys.platform == "win32" else "backprop-studio"
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]


@pytest.fixture(scope="module")
def scratch() -> Path:
    """A folder of our own rather than pytest's tmp_path: pytest sessions started meanwhile (on a shared machine)
    prune older pytest temp folders, which could delete the bundle while it runs."""
    with tempfile.TemporaryDirectory(prefix="bps-bundle-test-") as folder:
        yield Path(folder)


@pytest.fixture
def home(scratch, request) -> Path:
    folder = scratch / request.node.name
    folder.mkdir()
    return folder


@pytest.fixture(scope="module")
def bundle(scratch) -> Path:
    build = scratch / "build"
    build.mkdir()
    result = subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
                             "--distpath", str(build / "dist"), "--workpath", str(build / "work"),
                             str(REPO / "packaging" / "backprop-studio.spec")],
                            cwd=build, capture_output=True, text=True, timeout=1100)
    assert result.returncode == 0, result.stderr[-4000:]
    return build / "dist" / "backprop-studio"


def run_bundle(bundle: Path, home: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the frozen app with a fresh home and cache folder and no NUMBA_CACHE_DIR of ours."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("NUMBA_CACHE")}
    env.update(QT_QPA_PLATFORM="offscreen", HOME=str(home), XDG_CONFIG_HOME=str(home / "config"),
               XDG_DATA_HOME=str(home / "data"), XDG_CACHE_HOME=str(home / "cache"))
    return subprocess.run([str(bundle / EXE_NAME), *args], cwd=cwd or home, env=env, capture_output=True,
                          text=True, timeout=300)


def cached_kernels(folder: Path) -> dict[str, int]:
    return {str(path): path.stat().st_mtime_ns for path in folder.rglob("*") if path.suffix in (".nbi", ".nbc")}


def test_bundle_holds_resources_and_the_offscreen_plugin_but_no_torch(bundle):
    files = [path.relative_to(bundle).as_posix() for path in bundle.rglob("*") if path.is_file()]
    assert (bundle / EXE_NAME).is_file()
    for resource in ("resources/backprop-studio.desktop", "resources/icons/backprop-studio.svg",
                     "resources/examples/digits.bps"):
        assert any(name.endswith(resource) for name in files), resource
    assert any("platforms/" in name and "qoffscreen" in name for name in files)
    assert not [name for name in files if "/torch/" in name or "libtorch" in name or "onnxruntime" in name
                or "/_pytest/" in name]


def test_bundle_self_test_passes_and_kernels_stay_cached_in_the_user_cache(bundle, home):
    result = run_bundle(bundle, home, "--self-test")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1] == "self-test: self-test passed"
    assert any("with all" in line and "panels" in line for line in lines)
    numba_cache = home / "cache" / "backprop-studio" / "numba"
    compiled = cached_kernels(numba_cache)
    assert compiled, f"no compiled kernels cached in {numba_cache}"
    assert not (home / "cache" / "numba").exists()  # not Numba's own fallback folder

    elsewhere = home / "another folder"
    elsewhere.mkdir()
    again = run_bundle(bundle, home, "--self-test", cwd=elsewhere)
    assert again.returncode == 0, again.stdout + again.stderr
    assert cached_kernels(numba_cache) == compiled  # started from another folder: every kernel came from the cache


def test_bundle_runs_headless_commands(bundle, home):
    listed = run_bundle(bundle, home, "examples")
    assert listed.returncode == 0, listed.stderr
    assert {"xor", "spiral", "iris", "digits"} <= {line.split()[0] for line in listed.stdout.splitlines() if line}
    exported = run_bundle(bundle, home, "export", "xor", "--format", "onnx", "--allow-untrained",
                          "-o", str(home / "xor.onnx"))
    assert exported.returncode == 0, exported.stderr
    assert (home / "xor.onnx").stat().st_size > 0
