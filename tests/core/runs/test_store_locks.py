"""A second open of a store in one process must not drop SQLite's locks on it.

POSIX advisory locks belong to a process, and closing ANY descriptor of a file releases all of them (SQLite's
"How To Corrupt An SQLite Database File", §2.2). The store's file check once read the header with a plain
`open()`/`close()` while another connection of the same process held the file: its shared lock on the database
vanished, so another process closing its own connection believed itself the last, checkpointed and deleted the
WAL under the first process, whose next commits went to a deleted file and were lost (seen as "database disk
image is malformed" when a sweep's worker processes recorded trials into one store).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from core.runs import RunStore

REPO = Path(__file__).resolve().parents[3]

_OTHER_PROCESS = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("SELECT count(*) FROM sqlite_master").fetchall()
connection.close()  # the last connection anywhere checkpoints and deletes the WAL
"""


def test_opening_a_store_again_in_one_process_keeps_the_wal_from_other_processes(tmp_path):
    store_path = tmp_path / "p.bps.runs.sqlite"
    first = RunStore.open(store_path)
    try:
        first_run = first.start_run({"version": 1}, {}, "h", 1, None, name="first")
        second = RunStore.open(store_path)  # the check of the file happens while `first` holds it
        second.close()
        subprocess.run([sys.executable, "-c", _OTHER_PROCESS, str(store_path)], check=True, cwd=REPO, timeout=60)
        assert store_path.with_name(store_path.name + "-wal").exists(), "another process deleted the WAL in use"
        later_run = first.start_run({"version": 1}, {}, "h", 2, None, name="later")
        first.finish(first_run, "completed")
        first.finish(later_run, "completed")
    finally:
        first.close()
    with RunStore.open(store_path) as store:
        assert sorted(run.name for run in store.list_runs()) == ["first", "later"]
        assert store._connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
