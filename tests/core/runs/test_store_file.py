"""Opening a store: a version-1 file (written here with its own SQL) is migrated; newer, foreign, special, huge
and non-SQLite files are refused with one line naming the file, and nothing is written to them."""

from __future__ import annotations

import os
import sqlite3

import numpy as np
import pytest

from core.runs import RunStore, RunStoreError, store_path_for
from core.runs import store_file
from core.runs.schema import APPLICATION_ID, SCHEMA_VERSION
from tests.core.runs.fake_runs import DATA_REF, SPEC

# The version-1 layout, as a file written by the first version holds it (not imported: the test fixes it).
V1_SQL = """
CREATE TABLE runs (id INTEGER PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, created REAL NOT NULL,
  finished REAL, status TEXT NOT NULL, stop_reason TEXT, parent_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
  parent_epoch INTEGER, spec_json TEXT NOT NULL, data_ref_json TEXT NOT NULL, data_hash TEXT NOT NULL,
  seed INTEGER, metric_name TEXT, owner_host TEXT, owner_pid INTEGER, heartbeat REAL,
  epochs INTEGER NOT NULL DEFAULT 0, final_train_loss REAL, final_train_metric REAL, final_val_loss REAL,
  final_val_metric REAL, final_test_loss REAL, final_test_metric REAL, best_train_loss REAL, best_val_loss REAL,
  best_val_metric REAL, best_epoch INTEGER);
CREATE TABLE epochs (run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, epoch INTEGER NOT NULL,
  train_loss REAL, train_metric REAL, val_loss REAL, val_metric REAL, test_loss REAL, test_metric REAL, lr REAL,
  elapsed REAL, PRIMARY KEY (run_id, epoch)) WITHOUT ROWID;
CREATE TABLE batch_losses (run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, step INTEGER NOT NULL,
  loss REAL, PRIMARY KEY (run_id, step)) WITHOUT ROWID;
CREATE TABLE weights (run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, role TEXT NOT NULL,
  epoch INTEGER NOT NULL, layout_json TEXT NOT NULL, data BLOB NOT NULL, nbytes INTEGER NOT NULL,
  PRIMARY KEY (run_id, role, epoch));
"""


def write_v1_store(path) -> None:
    connection = sqlite3.connect(path)
    connection.executescript(V1_SQL)
    connection.execute(
        "INSERT INTO runs (name, kind, created, finished, status, stop_reason, spec_json, data_ref_json, data_hash, "
        "seed, metric_name, epochs, final_train_loss) VALUES ('old run', 'train', 1.0e9, 1.0e9, 'finished', "
        "'completed', '{\"version\": 1}', '{}', 'h', 3, 'accuracy', 2, 0.5)")
    connection.execute("INSERT INTO epochs (run_id, epoch, train_loss) VALUES (1, 1, 0.9), (1, 2, 0.5)")
    connection.execute("INSERT INTO batch_losses (run_id, step, loss) VALUES (1, 1, 2.0), (1, 3, NULL), (1, 5, 1.0)")
    connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    connection.execute("PRAGMA user_version = 1")
    connection.commit()
    connection.close()


def test_a_version_1_store_is_migrated_and_keeps_its_runs(tmp_path):
    path = tmp_path / "old.runs.sqlite"
    write_v1_store(path)
    with RunStore.open(path) as store:
        (run,) = store.list_runs()
        assert (run.name, run.starred, run.epochs, run.final["train_loss"]) == ("old run", False, 2, 0.5)
        record = store.load_run(run.id)
        assert [row.train_loss for row in record.epochs] == [0.9, 0.5] and record.findings == []
        assert record.batch_steps.tolist() == [1, 3, 5]  # one row per step became one series per run
        assert record.batch_losses[0] == 2.0 and np.isnan(record.batch_losses[1]) and record.batch_losses[2] == 1.0
        store.star(run.id)  # a version-2 column
        new = store.start_run(SPEC, DATA_REF, "h", 1, None)
        store.recorder(new).add_findings([{"epoch": 1, "problem": "plateau", "message": "m"}])  # a version-2 table
    connection = sqlite3.connect(path)
    assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 2
    assert connection.execute("SELECT starred FROM runs WHERE id = 1").fetchone()[0] == 1
    assert connection.execute("SELECT COUNT(*) FROM findings").fetchone()[0] == 1
    assert connection.execute("SELECT stride FROM batch_loss_series WHERE run_id = 1").fetchone()[0] == 2
    assert not connection.execute("SELECT * FROM sqlite_master WHERE name = 'batch_losses'").fetchall()
    connection.close()


def refusal(path) -> str:
    with pytest.raises(RunStoreError) as refused:
        RunStore.open(path)
    message = str(refused.value)
    assert "\n" not in message and str(path) in message
    return message


def test_a_store_from_a_newer_version_is_refused(tmp_path):
    path = tmp_path / "new.runs.sqlite"
    RunStore.open(path).close()
    connection = sqlite3.connect(path)
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    connection.commit()
    connection.close()
    assert "newer Backprop Studio" in refusal(path)


def test_a_foreign_sqlite_file_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "someone-elses.sqlite"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE accounts (id INTEGER, balance REAL)")
    connection.commit()
    connection.close()
    before = path.read_bytes()
    assert "another program" in refusal(path)
    assert path.read_bytes() == before


@pytest.mark.parametrize("content", [b"not a database at all", b"SQLite format 3\x00" + b"\xff" * 200])
def test_a_file_that_is_not_a_store_is_refused(tmp_path, content):
    path = tmp_path / "junk.runs.sqlite"
    path.write_bytes(content)
    message = refusal(path)
    assert "not" in message and path.read_bytes() == content


def test_special_and_oversized_files_are_refused(tmp_path, monkeypatch):
    folder = tmp_path / "a-folder.runs.sqlite"
    folder.mkdir()
    assert "not a regular file" in refusal(folder)
    if hasattr(os, "mkfifo"):
        fifo = tmp_path / "pipe.runs.sqlite"
        os.mkfifo(fifo)
        assert "not a regular file" in refusal(fifo)
    big = tmp_path / "big.runs.sqlite"
    RunStore.open(big).close()
    monkeypatch.setattr(store_file, "MAX_STORE_BYTES", 1000)
    assert "more than a run store holds" in refusal(big)


def test_the_store_lives_beside_the_project_or_in_the_user_data_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("BACKPROP_STUDIO_DATA_DIR", str(tmp_path / "data"))
    assert store_path_for(tmp_path / "digits.bps") == tmp_path / "digits.bps.runs.sqlite"
    assert store_path_for(None) == tmp_path / "data" / "runs" / "untitled.runs.sqlite"
    read_only = tmp_path / "bundled"  # a folder we may not write (as root every folder is writable: pretend)
    real_access = os.access
    monkeypatch.setattr(store_file.os, "access", lambda p, mode: p != read_only and real_access(p, mode))
    path = store_path_for(read_only / "xor.bps")
    assert path.parent == tmp_path / "data" / "runs" and path.name.startswith("xor-")
    assert path != store_path_for(tmp_path / "other" / "xor.bps")  # two folders' xor.bps don't share a store


def test_a_store_that_cannot_be_written_is_one_line_not_a_traceback(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the store's folder should be")
    with pytest.raises(RunStoreError) as refused:
        RunStore.open(blocker / "p.bps.runs.sqlite")
    assert str(blocker) in str(refused.value) and "\n" not in str(refused.value)
    path = tmp_path / "gone.runs.sqlite"
    store = RunStore.open(path)
    store._connection.execute("PRAGMA query_only = ON")  # every write now fails inside SQLite
    with pytest.raises(RunStoreError, match=f"{path}: OperationalError"):
        store.start_run(SPEC, DATA_REF, "h", 1, None)
    store.close()


def test_a_bundled_example_opened_in_place_records_into_the_user_data_folder(tmp_path, monkeypatch):
    from core.cli.resources import examples_dir
    monkeypatch.setenv("BACKPROP_STUDIO_DATA_DIR", str(tmp_path / "data"))
    path = store_path_for(examples_dir() / "xor.bps")
    assert path.parent == tmp_path / "data" / "runs" and path.name.startswith("xor-")
