"""One exit code per kind of trouble, the same in every command (`core.cli.errors`, listed in --help): 2 for bad
input (an unknown option, a missing or damaged project, an untrained project where weights are needed), 1 only
for a command that ran and failed (gradcheck's wrong gradient, train's diverged run), 0 for done."""

from __future__ import annotations

import pytest

from core.cli import run_cli
from core.cli.errors import EXIT_FAILURE, EXIT_USAGE
from core.cli.main import COMMANDS, build_parser
from core.project import save_project
from core.spec import default_spec, with_changes

DATA_CONFIG = {"source": {"kind": "playground", "name": "circles", "num_points": 200, "noise": 0.1, "seed": 0},
               "val_fraction": 0.2, "test_fraction": 0.0, "scaling": "standard", "feature_transform": []}


def argv_for(command: str, project: str, data: str) -> list[str]:
    """A complete command line for `command` on `project` (every command in COMMANDS must have one here)."""
    lines = {"train": ["train", project, "-q", "-o", project + ".out.bps"], "predict": ["predict", project, data],
             "export": ["export", project, "-f", "npz", "-o", project + ".npz"], "doctor": ["doctor", project],
             "lr-find": ["lr-find", project], "gradcheck": ["gradcheck", project], "examples": ["examples"],
             "race": ["race", project, "--optimizers", "adam", "sgd"],
             "landscape": ["landscape", project, "--out", project + ".npz"], "runs": ["runs", project],
             "sweep": ["sweep", project, "--param", "training.optimizer.lr=log:1e-3:0.1", "--trials", "1", "-q"],
             "sweep-worker": ["sweep-worker", project, "--storage", project + ".journal", "--study", "s"]}
    return lines[command]


def _one_error_line(capsys) -> str:
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("backprop-studio: error: "), captured.err
    return lines[0]


@pytest.mark.parametrize("command", COMMANDS)
def test_an_unknown_option_exits_2_in_every_command(command, tmp_path, capsys):
    assert run_cli([*argv_for(command, str(tmp_path / "p.bps"), str(tmp_path / "d.csv")), "--no-such-option"]) \
        == EXIT_USAGE
    assert "unrecognized arguments: --no-such-option" in capsys.readouterr().err


@pytest.mark.parametrize("command", [c for c in COMMANDS if c != "examples"])
def test_a_missing_or_damaged_project_exits_2_in_every_command(command, tmp_path, capsys):
    data = tmp_path / "d.csv"
    data.write_text("x0,x1\n0.1,0.2\n")
    missing = tmp_path / "missing.bps"
    assert run_cli(argv_for(command, str(missing), str(data))) == EXIT_USAGE
    assert "missing.bps: no such project file" in _one_error_line(capsys)
    if command == "runs":
        return  # `runs` reads only the run store beside the project: a damaged project's runs stay listable
    damaged = tmp_path / "damaged.bps"
    damaged.write_bytes(b"PK\x03\x04 cut off")
    assert run_cli(argv_for(command, str(damaged), str(data))) == EXIT_USAGE
    assert "damaged.bps" in _one_error_line(capsys)
    assert not (tmp_path / "damaged.bps.out.bps").exists() and not (tmp_path / "damaged.bps.npz").exists()


@pytest.mark.parametrize("command", ["predict", "export"])
def test_an_untrained_project_where_weights_are_needed_exits_2(command, tmp_path, capsys):
    project = tmp_path / "untrained.bps"
    save_project(project, default_spec(2, 2), DATA_CONFIG, None, [], {})
    data = tmp_path / "d.csv"
    data.write_text("x0,x1\n0.1,0.2\n")
    assert run_cli(argv_for(command, str(project), str(data))) == EXIT_USAGE
    assert "no trained weights" in _one_error_line(capsys)


def test_a_diverged_run_exits_1_and_saves_nothing(tmp_path, capsys):
    project = tmp_path / "hot.bps"
    spec = with_changes(default_spec(2, 2), {"training.optimizer.name": "sgd", "training.optimizer.lr": 1e30,
                                             "training.epochs": 3})
    save_project(project, spec, DATA_CONFIG, None, [], {})
    before = project.read_bytes()
    assert run_cli(["train", str(project), "-q"]) == EXIT_FAILURE
    assert "training diverged" in _one_error_line(capsys)
    assert project.read_bytes() == before


def test_the_help_lists_the_exit_codes():
    text = build_parser().format_help()
    assert "exit codes (every command):" in text
    for line in ("  0    done", "  1    the command ran and failed", "  2    bad input", "  130  interrupted"):
        assert line in text
