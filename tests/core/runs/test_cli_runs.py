"""`train` records its run into the project's store (unless --no-record); `runs` lists them (text, --json with
what differs) and exports one as CSV or TensorBoard events; a store that is not ours is one error line."""

from __future__ import annotations

import json

import pytest

from core.cli import run_cli
from core.runs import RunStore, store_path_for
from tests.core.test_cli import write_project

JSON_KEYS = {"id", "name", "created", "kind", "parent", "parent_epoch", "status", "stop_reason", "starred",
             "epochs", "metric", "final", "best", "settings"}


def runs_json(project, capsys, *options) -> list[dict]:
    capsys.readouterr()
    assert run_cli(["runs", str(project), "--json", *options]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_train_records_each_run_and_runs_lists_what_differs(tmp_path, capsys):
    project = write_project(tmp_path / "c.bps", epochs=6)
    assert run_cli(["train", str(project), "--quiet"]) == 0
    assert run_cli(["train", str(project), "--quiet", "--set", "training.optimizer.lr=0.05", "--epochs", "4"]) == 0
    first, second = runs_json(project, capsys)
    assert set(first) == JSON_KEYS
    assert (first["kind"], first["status"], first["stop_reason"], first["epochs"]) == ("train", "finished",
                                                                                       "completed", 6)
    assert first["settings"] == {}
    assert second["settings"] == {"training.optimizer.lr": 0.05, "training.epochs": 4}
    assert set(first["final"]) == {"train_loss", "train_metric", "val_loss", "val_metric", "test_loss",
                                   "test_metric"}
    assert all(isinstance(first["final"][k], float) for k in first["final"]) and first["metric"] == "accuracy"
    assert first["best"]["val_loss"] <= first["final"]["val_loss"]
    # against the second run, the first differs the other way
    assert runs_json(project, capsys, "--against", str(second["id"]))[0]["settings"] == {
        "training.optimizer.lr": first_lr(project, first["id"]), "training.epochs": 6}
    with RunStore.open(store_path_for(project)) as store:
        record = store.load_run(first["id"])
        assert len(record.epochs) == 6 and record.initial_weights is not None and record.final_weights is not None
        assert record.seed is not None and record.data_hash and record.data_ref["source"]["name"] == "circles"
        assert record.epochs[-1].test_loss == pytest.approx(first["final"]["test_loss"])
    assert run_cli(["runs", str(project)]) == 0
    table = capsys.readouterr().out.splitlines()
    assert len(table) == 2 and "training.optimizer.lr=0.05" in table[1] and "completed" in table[0]


def first_lr(project, run_id: int) -> float:
    with RunStore.open(store_path_for(project)) as store:
        return store.summary(run_id).spec["training"]["optimizer"]["lr"]


def test_no_record_leaves_no_store_and_runs_says_so(tmp_path, capsys):
    project = write_project(tmp_path / "c.bps", epochs=2)
    assert run_cli(["train", str(project), "--quiet", "--no-record"]) == 0
    assert not store_path_for(project).exists()
    capsys.readouterr()
    assert run_cli(["runs", str(project), "--json"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and "no runs recorded" in captured.err


def test_the_store_goes_beside_the_output_project(tmp_path):
    project = write_project(tmp_path / "c.bps", epochs=2)
    output = tmp_path / "out" / "trained.bps"
    output.parent.mkdir()
    assert run_cli(["train", str(project), "--quiet", "--output", str(output)]) == 0
    assert store_path_for(output).exists() and not store_path_for(project).exists()


def test_a_foreign_store_file_stops_train_before_training(tmp_path, capsys):
    project = write_project(tmp_path / "c.bps", epochs=2)
    store_path_for(project).write_text("my notes, not a database\n")
    capsys.readouterr()
    assert run_cli(["train", str(project), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--no-record" in err and "not an SQLite file" in err
    assert store_path_for(project).read_text() == "my notes, not a database\n"


def test_hostile_names_survive_the_json_listing(tmp_path, capsys):
    project = write_project(tmp_path / "c.bps", epochs=1)
    assert run_cli(["train", str(project), "--quiet"]) == 0
    name = '"}, {"injected": true} \' ; DROP TABLE runs; -- ✓'
    with RunStore.open(store_path_for(project)) as store:
        store.rename(store.list_runs()[0].id, name)
    (listed,) = runs_json(project, capsys)
    assert listed["name"] == name and "injected" not in listed


def test_runs_exports_csv_and_tensorboard(tmp_path, capsys):
    project = write_project(tmp_path / "c.bps", epochs=3)
    assert run_cli(["train", str(project), "--quiet"]) == 0
    (run,) = runs_json(project, capsys)
    out_csv, out_tb = tmp_path / "r.csv", tmp_path / "tb"
    assert run_cli(["runs", str(project), "--export-csv", str(run["id"]), str(out_csv)]) == 0
    assert len(out_csv.read_text().splitlines()) == 1 + 3
    assert run_cli(["runs", str(project), "--export-tensorboard", str(run["id"]), str(out_tb)]) == 0
    assert len(list(out_tb.glob("events.out.tfevents.*"))) == 1
    capsys.readouterr()
    assert run_cli(["runs", str(project), "--export-csv", "99", str(out_csv)]) == 2
    assert "no run 99" in capsys.readouterr().err


def test_runs_renames_stars_and_deletes(tmp_path, capsys):
    project = write_project(tmp_path / "c.bps", epochs=1)
    for _ in range(2):
        assert run_cli(["train", str(project), "--quiet"]) == 0
    first, second = (run["id"] for run in runs_json(project, capsys))
    name = "wide ' net; DROP TABLE runs"
    assert run_cli(["runs", str(project), "--rename", str(first), name]) == 0
    assert run_cli(["runs", str(project), "--star", str(second)]) == 0
    listed = runs_json(project, capsys)
    assert [(run["name"], run["starred"]) for run in listed] == [(name, False), (f"run {second}", True)]
    assert run_cli(["runs", str(project), "--unstar", str(second)]) == 0
    assert run_cli(["runs", str(project), "--delete", str(first)]) == 0
    assert [(run["id"], run["starred"]) for run in runs_json(project, capsys)] == [(second, False)]
    assert run_cli(["runs", str(project), "--rename", str(second), "two\nlines"]) == 2
    assert "control characters" in capsys.readouterr().err
    assert run_cli(["runs", str(project), "--delete", str(first)]) == 2
    assert f"no run {first}" in capsys.readouterr().err


def test_the_table_shows_invisible_characters_of_a_name_as_escapes(tmp_path, capsys):
    project = write_project(tmp_path / "c.bps", epochs=1)
    assert run_cli(["train", str(project), "--quiet"]) == 0
    with RunStore.open(store_path_for(project)) as store:
        store.rename(store.list_runs()[0].id, "abc\u202edef")
    capsys.readouterr()
    assert run_cli(["runs", str(project)]) == 0
    line = capsys.readouterr().out
    assert "abc\\u202edef" in line and "\u202e" not in line
