"""Where a project's run store lives, and the checks a store file passes before SQLite opens it.

Where: ONE file per project, beside it: `digits.bps` → `digits.bps.runs.sqlite` (with `-wal`/`-shm` companions
while open). Beside the project, so the runs travel with it and two projects never mix; named after the whole
file name, so `a.bps` and a CSV `a.csv` in one folder can't share one. A project that has no file yet (unsaved),
whose folder can't be written, or that is one of the app's bundled examples opened in place, records into the
per-user data folder (platformdirs, or $BACKPROP_STUDIO_DATA_DIR as for autosave):
`<data>/runs/untitled.runs.sqlite`, or `<data>/runs/<stem>-<hash of the folder>.runs.sqlite` for the others.

Checks (`check_store_file`): an existing store must be a regular file (the target of a symlink counts), at most
MAX_STORE_BYTES; SQLite itself then checks its header when the store connects (never a plain open() here: see
check_store_file), and foreign SQLite files are refused by their application id.
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys
from pathlib import Path

STORE_SUFFIX = ".runs.sqlite"
MAX_STORE_BYTES = 16 * 1024**3  # a store past 16 GiB is not ours (checkpoints are capped far below this)
DATA_DIR_VARIABLE = "BACKPROP_STUDIO_DATA_DIR"


class RunStoreError(Exception):
    """A run store that can't be opened or written, or a request it refuses; the message is one line."""


def user_runs_folder() -> Path:
    """<user data folder>/runs: the studio's autosave folder (studio.settings) with a "runs" subfolder."""
    from platformdirs import user_data_dir
    return Path(os.environ.get(DATA_DIR_VARIABLE) or user_data_dir("backprop-studio", appauthor=False)) / "runs"


def store_path_for(project_path: str | os.PathLike[str] | None) -> Path:
    """The run store of the project saved at `project_path` (None: an unsaved project)."""
    if project_path is None:
        return user_runs_folder() / f"untitled{STORE_SUFFIX}"
    project = Path(project_path).absolute()
    if os.access(project.parent, os.W_OK | os.X_OK) and not _is_bundled(project):
        return project.with_name(project.name + STORE_SUFFIX)
    folder_hash = hashlib.sha256(os.fsencode(project.parent)).hexdigest()[:12]
    return user_runs_folder() / f"{project.stem}-{folder_hash}{STORE_SUFFIX}"


def _is_bundled(project: Path) -> bool:
    """Whether the project is one of the app's own resources (an example opened in place): its runs never go
    into the installation, even where it can be written (a source checkout). The resources folder is found as
    core.cli.resources.resources_dir finds it (core.runs sits below the CLI and can't import it)."""
    bundle = getattr(sys, "_MEIPASS", None)
    roots = [Path(__file__).resolve().parents[2] / "resources"] + ([Path(bundle) / "resources"] if bundle else [])
    resolved = project.resolve()
    return any(root in resolved.parents for root in roots)


def check_store_file(path: Path) -> bool:
    """True when `path` holds a store-sized SQLite file, False when it is absent or empty (a new store);
    RunStoreError (one line naming the file) for anything else."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return False
    except (OSError, ValueError) as error:
        raise RunStoreError(f"{path}: can't be opened: {getattr(error, 'strerror', None) or error}") from None
    if not stat.S_ISREG(info.st_mode):
        raise RunStoreError(f"{path}: is not a regular file; a run store is a file")
    if info.st_size > MAX_STORE_BYTES:
        raise RunStoreError(f"{path}: {info.st_size / 1024**3:.1f} GiB is more than a run store holds "
                            f"({MAX_STORE_BYTES // 1024**3} GiB); move it away")
    # Its header is checked by SQLite itself when the store connects (core.runs.connection.connect), never by a
    # plain open(): closing any descriptor of the file drops every POSIX lock this process holds on it, including
    # those of a connection still open here, and another process may then delete the WAL in use (SQLite's "How To
    # Corrupt An SQLite Database File", 2.2; tests/core/runs/test_store_locks.py).
    return info.st_size > 0
