"""`race` and `landscape` on the command line: the race's exact JSON keys and types, its table, the landscape's
.npz arrays and .png picture, and one-line refusals with exit code 2 (nothing written)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core.cli.main import main
from core.spec.catalogue import OPTIMIZERS
from tests.core.test_cli_diagnostics import project, run  # noqa: F401 (project: a 3-epoch circles fixture)

RACE_KEYS = ["optimizer", "final_loss", "best_val_loss", "epochs", "seconds"]


def test_race_json_is_one_object_per_optimizer_with_exact_keys_and_types(project, capsys):
    before = project.read_bytes()
    code, out, err = run(capsys, "race", str(project), "--optimizers", "adam", "sgd", "momentum", "rmsprop",
                         "--epochs", "4", "--json")
    assert code == 0, err
    racers = json.loads(out)
    assert sorted(r["optimizer"] for r in racers) == ["adam", "momentum", "rmsprop", "sgd"]
    for racer in racers:
        assert list(racer) == RACE_KEYS
        assert isinstance(racer["optimizer"], str)
        assert type(racer["final_loss"]) is float and type(racer["best_val_loss"]) is float  # circles has a val set
        assert type(racer["epochs"]) is int and racer["epochs"] == 4
        assert type(racer["seconds"]) is float and racer["seconds"] > 0
    assert project.read_bytes() == before  # a race changes no file


def test_race_table_ranks_best_first_and_takes_optimizer_settings(project, capsys):
    code, out, err = run(capsys, "race", str(project), "--optimizers", "sgd:lr=0.0001", "adam:lr=0.05")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "circles.bps: 2 optimizers from one start (seed 0, fused path)"
    assert lines[1].split()[:4] == ["rank", "optimizer", "loss@3", "epochs"]
    assert lines[2].split()[:2] == ["1", "adam:lr=0.05"] and lines[3].split()[:2] == ["2", "sgd:lr=0.0001"]


def test_momentum_is_the_catalogues_sgd_with_momentum_and_the_help_says_so(project, capsys):
    momentum = OPTIMIZERS["momentum"].defaults()
    assert momentum["momentum"] == 0.9 and momentum["lr"] == 0.01  # what --help promises
    assert OPTIMIZERS["sgd"].defaults()["momentum"] == 0.0
    assert main(["race", "--help"]) == 0
    help_text = " ".join(capsys.readouterr().out.split())
    assert "'momentum' is the catalogue's own 'SGD with momentum' (momentum 0.9, learning rate 0.01)" in help_text


@pytest.mark.parametrize("argv, words", [
    (["--optimizers", "adam"], "--optimizers: a race needs 2 to 8 racers, got 1"),
    (["--optimizers", "adam", "nosuch"], "--optimizers: racer nosuch:"),
    (["--optimizers", "adam", "sgd:lr"], "--optimizers sgd:lr: write NAME:FIELD=VALUE"),
    (["--optimizers", "adam", "sgd", "--epochs", "0"], "--epochs must be at least 1"),
])
def test_race_refusals_are_one_line_with_exit_2(project, capsys, argv, words):
    code, out, err = run(capsys, "race", str(project), *argv)
    assert code == 2 and out == ""
    assert words in err and len(err.strip().splitlines()) == 1


def test_landscape_npz_holds_the_grid_directions_and_racers_paths(project, tmp_path, capsys):
    out_path = tmp_path / "slice.npz"
    code, out, err = run(capsys, "landscape", str(project), "--runs", "adam", "sgd", "--epochs", "5", "--grid",
                         "7", "--out", str(out_path))
    assert code == 0, err
    assert out.startswith(f"wrote {out_path}: 7×7 losses around adam's final weights, directions PCA")
    with np.load(out_path, allow_pickle=False) as arrays:
        assert arrays["alpha"].shape == (7,) and arrays["beta"].shape == (7,) and arrays["loss"].shape == (7, 7)
        assert str(arrays["directions_kind"]) == "PCA of the trajectories"
        assert str(arrays["centre"]) == "adam's final weights"
        assert list(arrays["path_names"]) == ["adam", "sgd"] and list(arrays["path_lengths"]) == [6, 6]
        paths = arrays["paths"]
        assert paths.shape == (2, 6, 2)
        np.testing.assert_allclose(paths[0, 0], paths[1, 0], atol=1e-9)  # one shared start
        np.testing.assert_allclose(paths[0, -1], [0, 0], atol=1e-6)  # adam ends at the centre
        assert np.isfinite(arrays["loss"]).all() and 0 < arrays["explained"].sum() <= 1 + 1e-9


def test_landscape_png_without_runs_uses_random_directions(project, tmp_path, capsys):
    out_path = tmp_path / "slice.png"
    code, out, err = run(capsys, "landscape", str(project), "--grid", "9", "--out", str(out_path))
    assert code == 0, err
    assert "around the initial weights, directions filter-normalised random, 0 paths" in out
    data = out_path.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 10_000


@pytest.mark.parametrize("argv, words", [
    (["--out", "slice.svg"], "--out slice.svg: write a .png picture or .npz arrays"),
    (["--out", "slice.npz", "--directions", "pca"], "--directions pca needs --runs"),
    (["--out", "slice.npz", "--grid", "1"], "2 to 401 points"),
    (["--out", "slice.npz", "--runs", "adam"], "--optimizers: a race needs 2 to 8 racers, got 1"),
])
def test_landscape_refusals_write_nothing(project, tmp_path, capsys, monkeypatch, argv, words):
    monkeypatch.chdir(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    code, out, err = run(capsys, "landscape", str(project), *argv)
    assert code == 2 and out == ""
    assert words in err and len(err.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_landscape_into_a_missing_folder_fails_in_one_line(project, tmp_path, capsys):
    code, out, err = run(capsys, "landscape", str(project), "--grid", "3", "--out",
                         str(tmp_path / "no" / "such" / "slice.npz"))
    assert code == 2 and "No such file or directory" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "no").exists()


def test_landscape_png_without_matplotlib_says_to_write_npz(project, tmp_path, capsys, monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)  # as in the desktop bundle, which excludes it
    out_path = tmp_path / "slice.png"
    code, out, err = run(capsys, "landscape", str(project), "--grid", "3", "--out", str(out_path))
    assert code == 2 and "a .png needs matplotlib" in err and "write .npz arrays instead" in err
    assert len(err.strip().splitlines()) == 1 and not out_path.exists()


def test_each_racer_is_a_run_of_kind_race_from_one_shared_start(project, capsys):
    from core.runs import RunStore, store_path_for
    code, out, err = run(capsys, "race", str(project), "--optimizers", "adam", "sgd", "--epochs", "3", "--json")
    assert code == 0, err
    with RunStore.open(store_path_for(project)) as store:
        runs = store.list_runs()
        records = [store.load_run(summary.id) for summary in runs]
    assert [(r.name, r.kind, r.status, r.epochs) for r in runs] == [("adam", "race", "finished", 3),
                                                                    ("sgd", "race", "finished", 3)]
    assert [r.spec["training"]["optimizer"]["name"] for r in runs] == ["adam", "sgd"]
    first_losses = [record.batch_losses[0] for record in records]
    assert records[0].batch_steps[0] == records[1].batch_steps[0] == 1
    assert first_losses[0] == first_losses[1]  # the shared start: the first batch's loss is identical
    np.testing.assert_array_equal(records[0].initial_weights["params"], records[1].initial_weights["params"])
    by_name = {racer["optimizer"]: racer for racer in json.loads(out)}
    assert [by_name[r.name]["final_loss"] for r in runs] == [r.final["train_loss"] for r in runs]


def test_race_no_record_leaves_no_store(project, capsys):
    from core.runs import store_path_for
    code, _out, err = run(capsys, "race", str(project), "--optimizers", "adam", "sgd", "--epochs", "2",
                          "--no-record")
    assert code == 0, err
    assert not store_path_for(project).exists()
