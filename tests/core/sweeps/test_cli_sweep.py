"""`sweep` and `sweep-worker` on the command line: the --json lines' exact shape, the best trial, exit codes
(2 for a bad --param, an unknown study or storage; 1 when no trial completed), and the study continued."""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from core.cli import run_cli
from core.cli.errors import EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_USAGE
from core.sweeps import default_storage, load_trials
from tests.core.sweeps.sweep_helpers import tiny_project

TRIAL_KEYS = {"number", "params", "value", "state", "run_id", "seconds"}


def json_lines(capsys):
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_json_is_one_object_per_trial_then_the_best(tmp_path, capsys):
    project = tiny_project(tmp_path)
    argv = ["sweep", str(project), "--param", "training.optimizer.lr=log:1e-3:0.3", "--param",
            "layers[*].dropout=lin:0:0.2", "--sampler", "random", "--trials", "3", "--workers", "1",
            "--objective", "val_metric", "--json"]
    assert run_cli(argv) == 0
    lines = json_lines(capsys)
    trials, last = lines[:-1], lines[-1]
    assert [line["number"] for line in trials] == [0, 1, 2]
    for line in trials:
        assert set(line) == TRIAL_KEYS and line["state"] in ("complete", "pruned")
        assert set(line["params"]) == {"training.optimizer.lr", "layers[*].dropout"}
        assert isinstance(line["run_id"], int) and line["seconds"] > 0
    assert set(last) == {"best", "value"}
    complete = [line for line in trials if line["state"] == "complete"]
    assert last["value"] == max(line["value"] for line in complete)
    assert last["best"] == next(line["params"] for line in complete if line["value"] == last["value"])
    # the same command with more trials continues the study: the old trials, then the new ones
    assert run_cli([*argv[:argv.index("--trials") + 1], "5", *argv[argv.index("--trials") + 2:]]) == 0
    assert [line["number"] for line in json_lines(capsys)[:-1]] == [0, 1, 2, 3, 4]


def test_the_summary_names_the_study_and_the_best_trial(tmp_path, capsys):
    project = tiny_project(tmp_path)
    assert run_cli(["sweep", str(project), "--param", "layers[0].units=choice:2,8", "--sampler", "grid", "-q"]) == 0
    out = capsys.readouterr().out
    assert "study tiny in" in out and "2 trials (2 complete)" in out and "best: " in out


def test_a_bad_param_exits_2_with_one_line(tmp_path, capsys):
    project = tiny_project(tmp_path)
    for param in ("training.optimizer.lr=log:0:1", "layers[0].units=lin:1:4", "nothing", "layers[*].dropout=lin:0"):
        assert run_cli(["sweep", str(project), "--param", param, "-q"]) == EXIT_USAGE
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("backprop-studio: error: parameter"), err
    assert not list(tmp_path.glob("*.journal"))  # refused before a study was made


def test_no_completed_trial_exits_1(tmp_path, capsys):
    project = tiny_project(tmp_path, **{"training.optimizer.name": "sgd"})
    assert run_cli(["sweep", str(project), "--param", "training.optimizer.lr=choice:1e30", "--sampler", "grid",
                    "-q"]) == EXIT_FAILURE
    assert "no trial completed" in capsys.readouterr().err


def test_sweep_worker_on_an_unknown_study_or_storage_exits_2(tmp_path, capsys):
    project = tiny_project(tmp_path)
    assert run_cli(["sweep-worker", str(project), "--storage", str(tmp_path / "none.journal"), "--study", "x"]) \
        == EXIT_USAGE
    assert "has no study named 'x'" in capsys.readouterr().err
    assert run_cli(["sweep-worker", str(project), "--storage", "ftp://host/db", "--study", "x"]) == EXIT_USAGE
    assert "is not a database" in capsys.readouterr().err


def test_sweep_worker_runs_trials_of_the_study(tmp_path, capsys):
    project = tiny_project(tmp_path)
    storage = str(tmp_path / "s.journal")
    assert run_cli(["sweep", str(project), "--param", "training.optimizer.lr=log:1e-3:0.3", "--trials", "2",
                    "--storage", storage, "--study", "s", "--workers", "1", "--json"]) == 0
    capsys.readouterr()
    assert run_cli(["sweep-worker", str(project), "--storage", storage, "--study", "s", "--trials", "2",
                    "--json"]) == 0
    assert [line["number"] for line in json_lines(capsys)[:-1]] == [2, 3]


@pytest.mark.slow  # worker processes start (a few seconds each on a busy machine)
@pytest.mark.skipif(os.name != "posix", reason="sends SIGINT to a process group")
def test_ctrl_c_exits_130_keeps_finished_trials_and_the_same_command_continues(tmp_path):
    project = tiny_project(tmp_path, epochs=400)  # a trial lasts long enough for the signal to find it running
    argv = ["sweep", str(project), "--param", "training.optimizer.lr=log:1e-3:0.3", "--trials", "4", "--workers",
            "2", "--sampler", "random", "--no-prune", "--json"]
    root = Path(__file__).resolve().parents[3]
    worker = subprocess.Popen([sys.executable, "-m", "core.cli", *argv], cwd=root, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, start_new_session=True,
                              env={**os.environ, "PYTHONPATH": str(root)})
    first = json.loads(worker.stdout.readline())  # a trial has ended: interrupt as a terminal's Ctrl+C does
    os.killpg(worker.pid, signal.SIGINT)
    out, err = worker.communicate(timeout=120)
    assert worker.returncode == EXIT_INTERRUPTED, err
    assert "interrupted; the finished trials are kept" in err and "Traceback" not in err
    kept = [t for t in load_trials(default_storage(project), "tiny") if t.state == "complete"]
    assert first["number"] in [t.number for t in kept] and len(kept) < 4
    assert run_cli([*argv[:-1], "-q"]) == 0  # the same command: the study goes on to its 4 trials
    assert sum(t.state == "complete" for t in load_trials(default_storage(project), "tiny")) == 4


def test_a_study_whose_settings_are_hostile_is_refused(tmp_path, capsys):
    import optuna

    from core.sweeps.storage import open_storage
    from core.sweeps.study import SETTINGS_ATTR
    project = tiny_project(tmp_path)
    storage = str(tmp_path / "h.journal")
    for name, settings in (("none", None), ("junk", "{not json"), ("code", json.dumps({
            "version": 1, "objective": "val_loss", "epochs": None, "prune": True, "trials": 2,
            "params": [{"path": "__import__('os').system('true')", "kind": "lin", "low": 0, "high": 1,
                        "choices": []}]}))):
        study = optuna.create_study(storage=open_storage(storage), study_name=name)
        if settings is not None:
            study.set_user_attr(SETTINGS_ATTR, settings)
        assert run_cli(["sweep-worker", str(project), "--storage", storage, "--study", name]) == EXIT_USAGE
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and (f"study {name}" in err[0] or "is not a setting path" in err[0]), err
