"""core.kernel_cache: which folder Numba caches kernels in, and the warm stamp that says the cache is complete."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import core.kernel_cache as kernel_cache
from core.kernel_cache import (CACHE_ENV, choose_cache_dir, configure_kernel_cache, is_cache_warm, mark_cache_warm,
                               stamp_path, user_kernel_cache_dir)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def user_cache(tmp_path, monkeypatch) -> Path:
    """platformdirs' user cache folder moved into tmp_path (XDG on Linux, HOME-based elsewhere)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "localappdata"))
    return user_kernel_cache_dir()


def test_user_cache_folder_is_the_apps_own(user_cache, tmp_path):
    assert user_cache.parts[-2:] == ("backprop-studio", "numba")
    assert tmp_path in user_cache.parents


def test_a_user_set_numba_cache_dir_always_wins(tmp_path):
    mine = str(tmp_path / "my-cache")
    assert choose_cache_dir({CACHE_ENV: mine}, frozen=True) == mine
    assert choose_cache_dir({CACHE_ENV: mine}, frozen=False, kernels_dir=tmp_path / "missing") == mine
    environ = {CACHE_ENV: mine}
    assert configure_kernel_cache(environ) == mine and environ[CACHE_ENV] == mine


def test_a_frozen_app_caches_in_the_user_folder(user_cache):
    assert choose_cache_dir({}, frozen=True) == str(user_cache)


def test_read_only_sources_send_the_cache_to_the_user_folder(user_cache, tmp_path, monkeypatch):
    kernels = tmp_path / "site-packages" / "core" / "kernels"
    (kernels / "__pycache__").mkdir(parents=True)
    assert choose_cache_dir({}, frozen=False, kernels_dir=kernels) is None  # writable: Numba's default

    def read_only(path, mode):  # as root every folder is writable, so the read-only install is simulated
        return not (mode & os.W_OK)
    monkeypatch.setattr(kernel_cache.os, "access", read_only)
    assert choose_cache_dir({}, frozen=False, kernels_dir=kernels) == str(user_cache)
    assert choose_cache_dir({}, frozen=False, kernels_dir=tmp_path / "no-such-folder") == str(user_cache)


def test_configure_sets_the_variable_only_when_needed(user_cache, monkeypatch):
    environ: dict[str, str] = {}
    monkeypatch.setattr(kernel_cache, "is_frozen", lambda: True)
    assert configure_kernel_cache(environ) == str(user_cache)
    assert environ == {CACHE_ENV: str(user_cache)}
    monkeypatch.setattr(kernel_cache, "is_frozen", lambda: False)
    untouched: dict[str, str] = {}
    assert configure_kernel_cache(untouched) is None and untouched == {}  # a writable checkout keeps the default


def test_the_stamp_lives_in_the_cache_folder_in_use(tmp_path):
    assert stamp_path({CACHE_ENV: str(tmp_path)}) == tmp_path / kernel_cache.STAMP_NAME


def test_warm_only_after_the_stamp_for_these_sources(tmp_path, monkeypatch):
    environ = {CACHE_ENV: str(tmp_path / "cache")}
    assert not is_cache_warm(environ)
    path = mark_cache_warm(3.5, environ)
    assert path.parent == tmp_path / "cache" and is_cache_warm(environ)
    assert json.loads(path.read_text())["warmup_seconds"] == 3.5
    assert [p.name for p in path.parent.iterdir()] == [kernel_cache.STAMP_NAME]  # no temporary file left behind

    monkeypatch.setattr(kernel_cache, "kernel_fingerprint", lambda: "an edited kernel or a new numba")
    assert not is_cache_warm(environ)


def test_a_damaged_stamp_means_cold(tmp_path):
    environ = {CACHE_ENV: str(tmp_path)}
    for text in ("", "{not json", "[1, 2]", '{"fingerprint": 42}'):
        (tmp_path / kernel_cache.STAMP_NAME).write_text(text)
        assert not is_cache_warm(environ), text


def test_the_fingerprint_follows_the_engine_sources():
    first = kernel_cache.kernel_fingerprint()
    assert first == kernel_cache.kernel_fingerprint() and len(first) == 64


def test_editing_a_kernels_contents_changes_the_fingerprint_and_cools_the_cache(tmp_path, monkeypatch):
    """The fingerprint must read the sources' bytes: the edit below keeps the file's name, size and modification
    time, so a fingerprint of names, sizes or mtimes alone would call the stale cache warm."""
    engine = tmp_path / "core"
    (engine / "kernels").mkdir(parents=True)
    kernel = engine / "kernels" / "scale.py"
    kernel.write_text("def scale(x):\n    return x * 2.0\n", encoding="utf-8")
    (engine / "network.py").write_text("LAYERS = 1\n", encoding="utf-8")
    monkeypatch.setattr(kernel_cache, "CORE_DIR", engine)
    environ = {CACHE_ENV: str(tmp_path / "cache")}
    mark_cache_warm(1.0, environ)
    before = kernel_cache.kernel_fingerprint()
    assert is_cache_warm(environ)

    times = kernel.stat()
    kernel.write_text("def scale(x):\n    return x * 3.0\n", encoding="utf-8")  # same length
    os.utime(kernel, ns=(times.st_atime_ns, times.st_mtime_ns))
    assert kernel.stat().st_size == times.st_size and kernel.stat().st_mtime_ns == times.st_mtime_ns
    assert kernel_cache.kernel_fingerprint() != before
    assert not is_cache_warm(environ)

    kernel.write_text("def scale(x):\n    return x * 2.0\n", encoding="utf-8")  # the edit undone: warm again
    assert kernel_cache.kernel_fingerprint() == before and is_cache_warm(environ)
    (engine / "kernels" / "shift.py").write_text("", encoding="utf-8")  # a new (even empty) source file
    assert kernel_cache.kernel_fingerprint() != before


@pytest.mark.slow
def test_the_cli_sets_the_cache_folder_before_numba_is_imported(tmp_path):
    """A read-only installation: `backprop-studio-cli train` compiles its kernels into the user cache folder."""
    env = {k: v for k, v in os.environ.items() if k != CACHE_ENV}
    env.update(XDG_CACHE_HOME=str(tmp_path / "xdg"), HOME=str(tmp_path / "home"), PYTHONPATH=str(ROOT))
    program = (
        "import sys\n"
        "import core.kernel_cache as kc\n"
        "kc.source_dir_writable = lambda *a, **k: False\n"  # as if installed into a read-only site-packages
        "from core.cli.main import main\n"
        "assert 'numba' not in sys.modules\n"
        f"code = main(['train', 'xor', '--epochs', '1', '--quiet', '--output', {str(tmp_path / 'xor.bps')!r}])\n"
        "import numba\n"
        "print('CACHE_DIR=' + numba.config.CACHE_DIR)\n"
        "sys.exit(code)\n")
    result = subprocess.run([sys.executable, "-c", program], env=env, cwd=tmp_path, capture_output=True, text=True,
                            timeout=240)
    assert result.returncode == 0, result.stderr
    expected = tmp_path / "xdg" / "backprop-studio" / "numba"
    assert f"CACHE_DIR={expected}" in result.stdout
    assert list(expected.rglob("*.nbi")), "no compiled kernel was written to the user cache folder"


def test_an_unwritable_cache_dir_falls_back_to_a_temporary_one_with_one_warning(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    environ = {CACHE_ENV: str(blocker / "numba")}  # a folder inside a regular file: unwritable even as root
    chosen = configure_kernel_cache(environ)
    assert chosen is not None and chosen != str(blocker / "numba") and environ[CACHE_ENV] == chosen
    assert os.access(chosen, os.W_OK) and Path(chosen).is_dir()
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("warning:") and str(blocker / "numba") in lines[0]
    configure_kernel_cache(environ)  # the fallback is writable: no second warning
    assert capsys.readouterr().err == ""


def test_cli_runs_with_an_unwritable_numba_cache_dir(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    env = {**os.environ, CACHE_ENV: str(blocker / "numba"), "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-m", "core.cli", "examples"], capture_output=True, text=True,
                            env=env, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and result.stderr.count("warning:") == 1


def test_cached_engine_kernels_are_dropped_when_any_engine_source_changes(tmp_path, monkeypatch):
    """Numba re-checks only a kernel's own file; a kernel inlining another file's code would keep that file's old
    arithmetic. So a change to any engine source drops every cached engine kernel, and only those."""
    from core import kernel_cache

    cache = tmp_path / "numba"
    engine = kernel_cache.engine_cache_folders(str(cache))
    assert any(folder.name.startswith("kernels_") for folder in engine)
    for folder in engine[:3]:
        folder.mkdir(parents=True)
        (folder / "fused_dense.train_chunk-1.py311.nbi").write_bytes(b"index")
        (folder / "fused_dense.train_chunk-1.py311.1.nbc").write_bytes(b"code")
    other_project = cache / "elsewhere_0123"
    other_project.mkdir()
    (other_project / "theirs.f-1.py311.nbi").write_bytes(b"index")

    monkeypatch.setattr(kernel_cache, "kernel_fingerprint", lambda: "sources-1")
    assert kernel_cache.drop_stale_kernels(str(cache)) == 6  # no stamp yet: nothing cached can be trusted
    for folder in engine[:3]:
        folder.joinpath("again.f-2.py311.nbi").write_bytes(b"index")
    assert kernel_cache.drop_stale_kernels(str(cache)) == 0  # the same sources: the cache stays
    monkeypatch.setattr(kernel_cache, "kernel_fingerprint", lambda: "sources-2")
    assert kernel_cache.drop_stale_kernels(str(cache)) == 3  # an engine file changed: its kernels go
    assert all(not list(folder.glob("*.nb?")) for folder in engine[:3])
    assert (other_project / "theirs.f-1.py311.nbi").exists()  # another program's kernels are left alone


def test_the_fingerprint_is_remembered_only_for_settled_sources(tmp_path, monkeypatch):
    engine = tmp_path / "core"
    engine.mkdir()
    source = engine / "kernel.py"
    source.write_text("X = 1\n", encoding="utf-8")
    monkeypatch.setattr(kernel_cache, "CORE_DIR", engine)
    monkeypatch.setattr(kernel_cache, "_remembered", None)
    reads = []
    real_read = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: reads.append(self) or real_read(self))

    first = kernel_cache.kernel_fingerprint()  # just written: not settled, so read every time
    assert kernel_cache.kernel_fingerprint() == first and len(reads) == 2

    monkeypatch.setattr(kernel_cache, "SETTLED_SECONDS", 0.0)  # as if the sources were old
    assert kernel_cache.kernel_fingerprint() == first and len(reads) == 3
    assert kernel_cache.kernel_fingerprint() == first and len(reads) == 3  # remembered: no read
    source.write_text("X = 12\n", encoding="utf-8")  # an edit: another size and change time
    assert kernel_cache.kernel_fingerprint() != first and len(reads) == 4
