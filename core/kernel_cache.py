"""Where Numba keeps the compiled kernels on disk, and whether that cache is warm (no kernel left to compile).

Numba's `cache=True` writes next to the sources (`__pycache__`) unless `NUMBA_CACHE_DIR` says otherwise, and it
reads that variable when numba is first imported. `configure_kernel_cache()` must therefore run before anything
imports numba; the app (studio.app.main), the command line (core.cli.main) and the PyInstaller runtime hook call it
first thing. A user's own `NUMBA_CACHE_DIR` always wins; a frozen app, or an installation whose sources can't be
written, gets the per-user cache folder (e.g. ~/.cache/backprop-studio/numba). A chosen folder that can't be
written (a read-only or bogus NUMBA_CACHE_DIR) is replaced by a private temporary one, with one warning line:
Numba would otherwise fail on the first cached kernel.

Warmth is a stamp file in the cache folder, written by `core.warmup` after it has compiled every kernel.
The stamp holds a fingerprint of the numba version and the engine's sources, so an upgrade or an edited kernel
makes the cache cold again. Nothing here imports numba: the check costs milliseconds at start-up.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import MutableMapping
from pathlib import Path

CACHE_ENV = "NUMBA_CACHE_DIR"
STAMP_NAME = "backprop-studio-kernels.json"
SOURCES_STAMP_NAME = "backprop-studio-sources.json"  # the sources the cached kernels were compiled from
CORE_DIR = Path(__file__).resolve().parent
KERNELS_DIR = CORE_DIR / "kernels"


def user_kernel_cache_dir() -> Path:
    """The per-user folder for compiled kernels: <user cache>/backprop-studio/numba."""
    from platformdirs import user_cache_dir
    return Path(user_cache_dir("backprop-studio", appauthor=False)) / "numba"


def is_frozen() -> bool:
    """True inside a PyInstaller (or similar) bundle."""
    return bool(getattr(sys, "frozen", False))


def source_dir_writable(kernels_dir: Path = KERNELS_DIR) -> bool:
    """Can Numba write its cache beside the kernel sources (`<kernels>/__pycache__`)?"""
    pycache = kernels_dir / "__pycache__"
    if pycache.is_dir():
        return os.access(pycache, os.W_OK | os.X_OK)
    return kernels_dir.is_dir() and os.access(kernels_dir, os.W_OK | os.X_OK)


def choose_cache_dir(environ: MutableMapping[str, str] | None = None, *, frozen: bool | None = None,
                     kernels_dir: Path = KERNELS_DIR) -> str | None:
    """The NUMBA_CACHE_DIR to use: the user's own, else the user cache folder when frozen or when the sources
    are read-only; None means Numba's default beside the sources."""
    environ = os.environ if environ is None else environ
    if environ.get(CACHE_ENV):
        return environ[CACHE_ENV]
    if (is_frozen() if frozen is None else frozen) or not source_dir_writable(kernels_dir):
        return str(user_kernel_cache_dir())
    return None


def configure_kernel_cache(environ: MutableMapping[str, str] | None = None) -> str | None:
    """Set NUMBA_CACHE_DIR (if needed) before numba is imported; returns the cache folder in use (None: default).

    Safe to call more than once. If numba was already imported, its configuration is reloaded so the folder
    still takes effect for kernels compiled from now on.
    """
    environ = os.environ if environ is None else environ
    chosen = choose_cache_dir(environ)
    if chosen is not None and (problem := _unwritable(Path(chosen))) is not None:
        fallback = temporary_cache_dir()
        print(f"warning: the kernel cache folder {chosen} can't be written ({problem}); compiled kernels go to "
              f"{fallback} instead (set {CACHE_ENV} to a writable folder to keep them)", file=sys.stderr)
        chosen = str(fallback)
    if chosen is not None and environ.get(CACHE_ENV) != chosen:
        environ[CACHE_ENV] = chosen
        if environ is os.environ and "numba" in sys.modules:
            from numba.core import config
            config.reload_config()
    drop_stale_kernels(chosen)
    return chosen


def engine_cache_folders(cache_dir: str | None) -> list[Path]:
    """The folders where Numba keeps the engine's compiled kernels: `__pycache__` beside each source folder by
    default; under NUMBA_CACHE_DIR, one folder per source folder named as Numba names it (`<name>_<sha1 of the
    folder's path>`, numba.core.caching's UserProvidedCacheLocator)."""
    folders = sorted({source.parent for source in CORE_DIR.rglob("*.py")})
    if cache_dir is None:
        return [folder / "__pycache__" for folder in folders]
    return [Path(cache_dir) / f"{folder.name}_{hashlib.sha1(str(folder).encode()).hexdigest()}"
            for folder in folders]


def drop_stale_kernels(cache_dir: str | None) -> int:
    """Drop every cached engine kernel when any engine source changed since they were cached; how many files went.

    Numba checks only a cached function's own source file. A kernel that calls into another file (the fused
    training kernel inlines each optimizer's update from core/kernels/fused_update.py) would be loaded from the
    cache after that other file changed, and would compute the OLD arithmetic: seen after an update of a
    checkout, when the fused RMSprop trained unlike the general path. A stamp with the sources' fingerprint sits
    beside the cache; when it differs, the engine's cached kernels are deleted (they compile again on first use).
    A frozen app's sources never change under it: nothing to do there."""
    if is_frozen():
        return 0
    stamp = (Path(cache_dir) if cache_dir else KERNELS_DIR / "__pycache__") / SOURCES_STAMP_NAME
    fingerprint = kernel_fingerprint()
    try:
        if json.loads(stamp.read_text(encoding="utf-8")).get("fingerprint") == fingerprint:
            return 0
    except (OSError, ValueError, AttributeError):
        pass
    removed = 0
    for folder in engine_cache_folders(cache_dir):
        for cached in (*folder.glob("*.nbi"), *folder.glob("*.nbc")):
            try:
                cached.unlink()
                removed += 1
            except OSError:
                pass  # another process took it first, or it can't be removed: Numba then recompiles or reuses it
    try:
        stamp.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".sources-", dir=stamp.parent)
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(json.dumps({"fingerprint": fingerprint}))
        os.replace(temporary, stamp)
    except OSError:
        pass  # a read-only cache folder: the check simply runs again at the next start
    return removed


def temporary_cache_dir() -> Path:
    """A private kernel cache under the system's temporary folder: the same one for every run of this user when
    it is safely ours (a real folder we own, not a symlink), else a fresh one."""
    shared = Path(tempfile.gettempdir()) / f"backprop-studio-numba-{_user_id()}"
    try:
        shared.mkdir(mode=0o700, exist_ok=True)
        status = os.lstat(shared)
        if (os.path.isdir(shared) and not os.path.islink(shared) and status.st_uid == _user_id()
                and _unwritable(shared) is None):
            return shared
    except OSError:
        pass
    return Path(tempfile.mkdtemp(prefix="backprop-studio-numba-"))


def _unwritable(folder: Path) -> str | None:
    """Why `folder` can't take the cache (created if missing), or None when a file can be written in it."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, probe = tempfile.mkstemp(prefix=".write-probe-", dir=folder)
        os.close(handle)
        os.remove(probe)
    except OSError as error:
        return error.strerror or str(error)
    return None


def _user_id() -> int:
    return os.getuid() if hasattr(os, "getuid") else 0


def stamp_path(environ: MutableMapping[str, str] | None = None) -> Path:
    """Where the warm stamp lives: inside the cache folder in use (beside the kernel sources by default)."""
    environ = os.environ if environ is None else environ
    folder = environ.get(CACHE_ENV) or choose_cache_dir(environ)
    return Path(folder) / STAMP_NAME if folder else KERNELS_DIR / "__pycache__" / STAMP_NAME


def kernel_fingerprint() -> str:
    """A hash of what decides the compiled code: Python, numba and the engine's sources (any core/*.py may
    change which kernel signatures are called). A frozen app has no sources: its executable stands for them.

    The app's start asks twice (the stale-kernel check, then the warm check): the hash is remembered with each
    source's inode, size and change time, and computed again when any of those changed. The change time (ctime)
    moves with every write and every `utime`, and nothing can set it back, so an edit that keeps a file's size
    and modification time is still seen (the bytes are what count, not the mtime). File systems stamp ctime
    from a coarse clock (a few milliseconds), so a hash is only remembered when every source is older than
    `SETTLED_SECONDS`: a later edit then always shows a later ctime."""
    global _remembered
    digest = hashlib.sha256()
    for part in (sys.version, platform.machine(), _numba_version()):
        digest.update(part.encode() + b"\0")
    if is_frozen():
        executable = Path(sys.executable)
        stat = executable.stat()
        digest.update(f"{executable}:{stat.st_size}:{stat.st_mtime_ns}".encode())
        return digest.hexdigest()
    sources = sorted(CORE_DIR.rglob("*.py"))
    stats = [source.stat() for source in sources]
    signature = (digest.hexdigest(), tuple((source, stat.st_ino, stat.st_size, stat.st_ctime_ns)
                                           for source, stat in zip(sources, stats)))
    if _remembered is not None and _remembered[0] == signature:
        return _remembered[1]
    for source in sources:
        digest.update(source.relative_to(CORE_DIR).as_posix().encode() + b"\0")
        digest.update(source.read_bytes())
    fingerprint = digest.hexdigest()
    newest = max((stat.st_ctime_ns for stat in stats), default=0)
    if time.time_ns() - newest > SETTLED_SECONDS * 1e9:
        _remembered = (signature, fingerprint)
    return fingerprint


SETTLED_SECONDS = 2.0
_remembered: tuple[tuple, str] | None = None  # (the sources' signature, their fingerprint)


def is_cache_warm(environ: MutableMapping[str, str] | None = None) -> bool:
    """True when the warm-up finished for exactly these sources and this numba in the cache folder in use."""
    try:
        stamp = json.loads(stamp_path(environ).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(stamp, dict) and stamp.get("fingerprint") == kernel_fingerprint()


def mark_cache_warm(seconds: float, environ: MutableMapping[str, str] | None = None) -> Path:
    """Write the warm stamp (atomically) after a complete warm-up that took `seconds`."""
    path = stamp_path(environ)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = json.dumps({"fingerprint": kernel_fingerprint(), "numba": _numba_version(),
                          "warmup_seconds": round(seconds, 2)}, indent=1)
    handle, temporary = tempfile.mkstemp(prefix=".stamp-", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(payload)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def _numba_version() -> str:
    """numba's version without importing numba (that alone costs a few hundred milliseconds)."""
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version("numba")
    except PackageNotFoundError:  # a frozen bundle may carry no metadata: the executable's stamp covers it
        return "unknown"
