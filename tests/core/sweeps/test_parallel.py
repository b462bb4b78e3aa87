"""Trials in parallel, never lost nor duplicated: two local worker processes on the journal file, a Dask
LocalCluster, and `sweep-worker` processes sharing one study on a journal file or (when Debian's postgresql is
installed) a throwaway PostgreSQL server: Optuna's many-machines pattern."""

from __future__ import annotations

import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from core.runs import store_path_for
from core.spec import default_spec
from core.sweeps import SweepPlan, load_trials, parse_param, run_sweep
from tests.core.sweeps.sweep_helpers import tiny_project

ROOT = Path(__file__).resolve().parents[3]
SPEC = default_spec(2, 2)
PARAMS = (parse_param("training.optimizer.lr=log:1e-3:0.3", SPEC), parse_param("layers[*].dropout=lin:0:0.3", SPEC))


def assert_whole(trials, count):
    """`count` ended trials numbered 0..count-1, each with its own values: none lost, none run twice."""
    assert sorted(t.number for t in trials) == list(range(count))
    assert all(t.state in ("complete", "pruned") for t in trials), [t.state for t in trials]
    assert len({tuple(sorted(t.params.items())) for t in trials}) == count


@pytest.mark.parametrize("sampler", ["random", "grid"])
def test_two_worker_processes_share_the_journal_file(tmp_path, sampler):
    project = tiny_project(tmp_path)
    outcome = run_sweep(SweepPlan(project, PARAMS, sampler=sampler, trials=10, workers=2))
    assert_whole(outcome.trials, 10)
    assert load_trials(outcome.storage, outcome.study_name) == list(outcome.trials)
    assert outcome.storage.endswith(".sweeps.journal")
    # both processes recorded their trials into the one run store, and left it whole
    connection = sqlite3.connect(store_path_for(project))
    try:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        runs = dict(connection.execute("SELECT id, status FROM runs").fetchall())
    finally:
        connection.close()
    assert sorted(runs) == sorted(t.run_id for t in outcome.trials)
    assert set(runs.values()) <= {"finished", "interrupted"}  # (a pruned trial's run is "interrupted")


@pytest.mark.slow  # worker processes start (a few seconds each on a busy machine)
def test_a_dask_local_cluster_finishes_a_study(tmp_path):
    distributed = pytest.importorskip("distributed")
    project = tiny_project(tmp_path)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=40) as cluster:
        outcome = run_sweep(SweepPlan(project, PARAMS, sampler="tpe", trials=6, dask=cluster.scheduler_address))
    assert_whole(outcome.trials, 6)


def cli(*args: str, env_extra: dict | None = None) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), **(env_extra or {})}
    return subprocess.Popen([sys.executable, "-m", "core.cli", *args], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def two_sweep_workers(project: Path, storage: str) -> list:
    """A sweep makes the study (and runs its one trial); then two `sweep-worker` processes run 3 trials each."""
    run_sweep(SweepPlan(project, PARAMS, sampler="random", trials=1, workers=1, storage=storage,
                        study_name="shared"))
    workers = [cli("sweep-worker", str(project), "--storage", storage, "--study", "shared", "--trials", "3",
                   "--json") for _ in range(2)]
    lines = []
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
        lines += [json.loads(line) for line in out.splitlines()]
        assert set(lines[-1]) == {"best", "value"}  # each worker ends with the study's best
        lines.pop()
    return lines


@pytest.mark.slow  # worker processes start (a few seconds each on a busy machine)
def test_sweep_workers_share_a_journal_file(tmp_path):
    project = tiny_project(tmp_path)
    storage = str(tmp_path / "shared.journal")
    two_sweep_workers(project, storage)
    assert_whole(load_trials(storage, "shared"), 7)


# --- PostgreSQL ---------------------------------------------------------------------------------------------------
def _postgres_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return found[-1].parent if found else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def postgres_url():
    """A throwaway PostgreSQL server on a free port (run as the postgres user when we are root), stopped after."""
    bin_dir = _postgres_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL is not installed: apt install postgresql to run this test")
    pytest.importorskip("psycopg2")
    folder = Path(tempfile.mkdtemp(prefix="bps-postgres-"))  # not under tmp_path: postgres must reach it
    data, port = folder / "data", _free_port()
    as_user: list[str] = []
    if os.geteuid() == 0:  # initdb refuses root
        as_user = ["runuser", "-u", "postgres", "--"]
        os.chmod(folder, 0o755)
        shutil.chown(folder, "postgres")
    run = lambda *cmd: subprocess.run([*as_user, *cmd], check=True, capture_output=True, timeout=120)
    try:
        run(str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "--no-sync")
        run(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(folder / "log"), "-w", "-o",
            f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off", "start")
        yield f"postgresql+psycopg2://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_user, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True, timeout=60)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.slow  # worker processes start (a few seconds each on a busy machine)
def test_sweep_workers_share_a_postgresql_study(tmp_path, postgres_url):
    project = tiny_project(tmp_path)
    lines = two_sweep_workers(project, postgres_url)
    assert sorted(line["number"] for line in lines) == list(range(1, 7))  # the workers' trials, after sweep's #0
    assert_whole(load_trials(postgres_url, "shared"), 7)
