"""Where a study lives: Optuna storages from a URL or a journal file, and the default beside the project.

The default is a journal file beside the project (`digits.bps` → `digits.bps.sweeps.journal`; a bundled example
or an unwritable folder uses the per-user data folder, as the run store does). Why a journal file and not the
SQLite file the issue first names: several worker processes write one study at once, and Optuna's RDB storage on
SQLite then fails with "database is locked" under contention (Optuna's docs recommend JournalStorage with a file
backend for multi-process work on one machine: appends guarded by a lock file, every process replays the log).
A `sqlite:///…` URL is still accepted (fine for one worker).

A storage string is either an Optuna RDB URL (`postgresql://…`, `mysql+pymysql://…`, `sqlite:///…`) or a path to
a journal file (anything without `://`). Opening one never executes its content: a journal is JSON lines.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

from core.runs.store_file import STORE_SUFFIX, store_path_for
from core.sweeps.errors import SweepError

JOURNAL_SUFFIX = ".sweeps.journal"
MAX_JOURNAL_BYTES = 2 * 1024**3  # ~10⁶ trials of a few parameters and epochs; past that a file is not ours
_RDB_SCHEMES = ("sqlite", "postgresql", "postgres", "mysql", "oracle", "mssql")


def default_storage(project_path: str | os.PathLike[str]) -> str:
    """The journal file of the project's sweeps (see the module docstring), as a storage string."""
    runs = str(store_path_for(project_path))
    return runs[:-len(STORE_SUFFIX)] + JOURNAL_SUFFIX


def default_study_name(project_path: str | os.PathLike[str]) -> str:
    """The project's file name without its suffix (`digits.bps` → "digits"): one study per project by default."""
    return Path(project_path).stem or "sweep"


def open_storage(storage: str) -> Any:
    """The Optuna storage for `storage` (a URL or a journal file path); SweepError naming it when unusable."""
    import optuna
    if not isinstance(storage, str) or not storage.strip():
        raise SweepError(f"storage must be an Optuna storage URL or a journal file path, got {storage!r}")
    if "://" in storage:
        scheme = storage.split("://", 1)[0].split("+", 1)[0].lower()
        if scheme not in _RDB_SCHEMES:
            raise SweepError(f"storage {_shown(storage)}: {scheme}:// is not a database Optuna stores studies in; "
                             f"use postgresql://, mysql://, sqlite:/// or a journal file path")
        try:
            with warnings.catch_warnings():  # heartbeats are "experimental" in Optuna 5.1; they are what fails the
                warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)  # trials of a dead worker
                return optuna.storages.RDBStorage(storage, heartbeat_interval=60, grace_period=180)
        except Exception as error:  # SQLAlchemy's and the driver's errors have no common base to name
            raise SweepError(f"storage {_shown(storage)}: can't be opened: {_first_line(error)}") from None
    path = Path(storage)
    if path.exists() and not path.is_file():
        raise SweepError(f"storage {storage}: is not a regular file; a journal storage is a file")
    if path.is_file() and path.stat().st_size > MAX_JOURNAL_BYTES:  # every process replays it whole into memory
        raise SweepError(f"storage {storage}: {path.stat().st_size / 1024**3:.1f} GiB is more than a sweep's "
                         f"journal holds ({MAX_JOURNAL_BYTES // 1024**3} GiB); move it away or use a database")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        from optuna.storages.journal import JournalFileBackend, JournalFileOpenLock
        # The open(O_EXCL) lock works where symlinks don't (Windows, some network file systems).
        backend = JournalFileBackend(str(path), lock_obj=JournalFileOpenLock(str(path)))
        return optuna.storages.JournalStorage(backend)
    except (OSError, ValueError) as error:
        raise SweepError(f"storage {storage}: can't be opened: {_first_line(error)}") from None


def _shown(url: str) -> str:
    """The URL without its password, for messages."""
    scheme, _, rest = url.partition("://")
    if "@" in rest.split("/", 1)[0]:
        credentials, _, host = rest.partition("@")
        rest = f"{credentials.split(':', 1)[0]}:***@{host}"
    return f"{scheme}://{rest}"


def _first_line(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0][:300]
