"""Crash consistency and concurrent writers, with real processes: a recorder killed mid-run (SIGKILL) leaves a
consistent store whose run is marked "interrupted" on the next open (while it lived, it stayed "running"); two
processes recording into one store at once both keep every row."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from core.runs import FINISHED, INTERRUPTED, RUNNING, RunStore

REPO = Path(__file__).resolve().parents[3]


def recorder_process(store: Path, epochs: int, seconds: float, name: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, "-m", "tests.core.runs.record_script", str(store), str(epochs),
                             str(seconds), name], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=REPO, env=env)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_killed_recorder_leaves_its_run_interrupted_and_consistent(tmp_path):
    store_path = tmp_path / "p.bps.runs.sqlite"
    process = recorder_process(store_path, epochs=1000, seconds=0.05, name="doomed")
    try:
        run_line = process.stdout.readline()
        assert run_line.startswith("run "), process.stderr.read()
        while process.stdout.readline().strip() != "epoch 5":
            pass
        with RunStore.open(store_path) as store:  # its recorder lives: the run is left running
            assert [run.status for run in store.list_runs()] == [RUNNING]
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        process.stdout.close()
        process.stderr.close()
    with RunStore.open(store_path) as store:
        (run,) = store.list_runs()
        assert (run.name, run.status, run.stop_reason) == ("doomed", INTERRUPTED, "interrupted")
        record = store.load_run(run.id)
        epochs = [row.epoch for row in record.epochs]
        assert len(epochs) >= 5 and epochs == list(range(1, len(epochs) + 1))  # a prefix of the run, no gap
        assert run.epochs == len(epochs)  # the summary agrees with the rows (written in the same transaction)
        assert record.initial_weights is not None and record.final_weights is None
        assert all(c.epoch <= len(epochs) for c in record.checkpoints)
        assert record.batch_steps[-1] <= 4 * len(epochs)
        # a new run in the same store works as before
        run_id = store.start_run({"version": 1}, {}, "h", 1, None)
        store.finish(run_id, "completed")
        assert store.summary(run_id).status == FINISHED


def test_two_processes_record_into_one_store_at_once(tmp_path):
    store_path = tmp_path / "shared.runs.sqlite"
    RunStore.open(store_path).close()  # (both would also create it; this keeps the test about writing)
    # a commit per epoch and a short pause: each process writes for ~1 s, so their transactions interleave
    processes = [recorder_process(store_path, epochs=300, seconds=0.003, name=name) for name in ("left", "right")]
    outputs = [process.communicate(timeout=120) for process in processes]
    for process, (out, err) in zip(processes, outputs):
        assert process.returncode == 0 and out.strip().splitlines()[-1] == "done", err
    with RunStore.open(store_path) as store:
        runs = store.list_runs()
        assert sorted(run.name for run in runs) == ["left", "right"]
        for run in runs:
            record = store.load_run(run.id)
            assert run.status == FINISHED and run.epochs == 300
            assert [row.epoch for row in record.epochs] == list(range(1, 301))
            assert len(record.batch_steps) == 1200 and record.final_weights is not None
