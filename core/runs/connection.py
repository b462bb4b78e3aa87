"""A connection to a run store, and its explicit transactions (shared by the store and its writer thread).

Autocommit mode (Python's sqlite3 opens no hidden transactions): every write is inside `Transaction`, which
takes the write lock at BEGIN (IMMEDIATE), so two processes recording into one store take turns instead of
failing halfway; the busy timeout is how long one waits for the other.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from core.runs.store_file import RunStoreError

BUSY_TIMEOUT_SECONDS = 30.0


def connect(path: Path) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), WAL, foreign keys on, busy timeout set."""
    try:
        connection = sqlite3.connect(os.fspath(path), timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None,
                                     check_same_thread=False)
        try:
            connection.execute("PRAGMA schema_version").fetchone()  # reads the header: is it an SQLite file?
        except sqlite3.DatabaseError:
            connection.close()
            raise RunStoreError(f"{path}: is not a Backprop Studio run store (not an SQLite file); move it away"
                                ) from None
        connection.execute("PRAGMA foreign_keys = ON")
        # In WAL mode NORMAL never corrupts the file; a power cut may lose the last commits, never half of one.
        connection.execute("PRAGMA synchronous = NORMAL")
        return connection
    except sqlite3.Error as error:
        raise RunStoreError(f"{path}: can't be opened as a run store: {error}") from None


class Transaction:
    """`with Transaction(connection):` BEGIN IMMEDIATE … COMMIT (ROLLBACK on an exception)."""

    def __init__(self, connection: sqlite3.Connection):
        self.connection = connection

    def __enter__(self) -> sqlite3.Connection:
        self.connection.execute("BEGIN IMMEDIATE")
        return self.connection

    def __exit__(self, kind, value, traceback) -> None:
        self.connection.execute("COMMIT" if kind is None else "ROLLBACK")
