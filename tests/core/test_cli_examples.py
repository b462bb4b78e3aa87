"""The example projects in resources/examples: each opens, says what it shows and what it reaches, and (slow)
trains headless to the accuracy or R² its description states."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from core.cli import run_cli
from core.cli.resources import example_paths
from core.project_parts import network_with_weights, prepare_from_config
from core.project import load_project

EXPECTED = {"xor", "spiral", "circles_vanishing", "iris", "digits", "regression_bumps"}
FOLDER = Path(__file__).resolve().parents[2] / "resources" / "examples"


def generator_examples() -> dict:
    spec = importlib.util.spec_from_file_location("make_examples", FOLDER / "make_examples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.examples()


def test_every_example_ships_untrained_with_a_description_and_target():
    examples = example_paths()
    assert set(examples) == EXPECTED
    for name, path in examples.items():
        project = load_project(path)
        target = project.extra["target"]
        assert project.weights is None, name
        assert target["metric"] in ("accuracy", "r2") and target["split"] == "test"
        bound = target.get("at_least", target.get("at_most"))
        # The description states the same figure the test checks.
        assert re.search(rf"[≥≤] {bound}\b", project.extra["description"]), name


def test_committed_examples_match_their_generator():
    for name, (spec, config, extra) in generator_examples().items():
        project = load_project(FOLDER / f"{name}.bps")
        assert project.spec == spec, name
        assert project.data_config["source"] == config["source"], name
        assert project.extra["description"] == extra["description"]


def test_examples_are_listed_and_open_by_name(capsys):
    assert run_cli(["examples"]) == 0
    listing = capsys.readouterr().out
    assert all(name in listing for name in EXPECTED) and "Vanishing gradients" in listing


def test_training_an_example_without_output_is_refused(capsys):
    assert run_cli(["train", "xor", "-q"]) == 2
    assert "give --output PATH" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_trains_headless_to_its_stated_target(name, tmp_path):
    output = tmp_path / f"{name}.bps"
    assert run_cli(["train", name, "--quiet", "--output", str(output)]) == 0
    project = load_project(output)
    prepared = prepare_from_config(project.data_config, project.spec)
    network = network_with_weights(project.spec, project.weights)
    _, metric = network.evaluate(prepared.x_test, prepared.y_test)
    target = project.extra["target"]
    if "at_least" in target:
        assert metric >= target["at_least"], f"{name}: test {target['metric']} {metric:.3f}"
    else:
        assert metric <= target["at_most"], f"{name}: test {target['metric']} {metric:.3f}"
