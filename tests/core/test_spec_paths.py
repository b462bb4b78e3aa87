"""core.spec.paths: one dotted path per setting: parsing, reading, the governing Field, edits, diffs, live paths."""

import copy
import json
from pathlib import Path

import pytest

from core.project import load_project
from core.spec import (
    LAYER_FIELDS, OPTIMIZERS, SpecError, changed_paths, check_setting, default_spec, expand_path, field_for,
    format_path, get_setting, live_paths, parse_path, setting_paths, validate_spec, with_changes,
)
from core.spec.paths import _leaves

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "resources" / "examples").glob("*.bps"))


@pytest.fixture(scope="module", params=EXAMPLES, ids=lambda p: p.stem)
def example_spec(request):
    return load_project(request.param).spec


@pytest.mark.parametrize("path, parts", [
    ("input_size", ("input_size",)),
    ("training.optimizer.lr", ("training", "optimizer", "lr")),
    ("training.clipping.value", ("training", "clipping", "value")),
    ("layers[2].dropout", ("layers", 2, "dropout")),
    ("layers[10].units", ("layers", 10, "units")),
    ("layers[*].dropout", ("layers", "*", "dropout")),
])
def test_a_valid_path_parses_and_formats_back(path, parts):
    assert parse_path(path) == parts and format_path(parts) == path


@pytest.mark.parametrize("path", ["", "training.", ".lr", "training..lr", "layers[-1].units", "layers[01].units",
                                  "layers[x].units", "layers[2]units", "layers[].units", "training optimizer",
                                  "training.optimizer.lr=0.1", "2layers", "layers[1][2].units", None, 3])
def test_a_malformed_path_is_refused_naming_it(path):
    with pytest.raises(SpecError) as info:
        parse_path(path)
    assert str(path) in str(info.value) and info.value.where == str(path)
    assert "\n" not in str(info.value)


def test_get_setting_reads_any_setting_or_section():
    spec = default_spec()
    assert get_setting(spec, "training.optimizer.lr") == 0.01
    assert get_setting(spec, "layers[1].units") == 8 and get_setting(spec, "input_size") == 2
    assert get_setting(spec, "training.clipping") == {"mode": "none", "value": 1.0}
    for bad in ("layers[3].units", "training.optimizer.momentum", "training.nothing"):
        with pytest.raises(SpecError, match="no such setting"):
            get_setting(spec, bad)
    with pytest.raises(SpecError, match=r"\[\*\] stands for several"):
        get_setting(spec, "layers[*].units")


def test_field_for_gives_the_catalogues_field():
    spec = default_spec()
    lr = field_for(spec, "training.optimizer.lr")
    assert lr is next(f for f in OPTIMIZERS["adam"].fields if f.name == "lr")
    assert lr.live and lr.label == "Learning rate" and lr.minimum == 0.0
    assert field_for(spec, "layers[0].dropout") is next(f for f in LAYER_FIELDS if f.name == "dropout")
    assert field_for(spec, "layers[*].units").name == "units"
    assert field_for(spec, "training.clipping.value").live
    assert not field_for(spec, "training.epochs").live
    assert field_for(spec, "training.optimizer.name").choices == tuple(OPTIMIZERS)
    assert field_for(spec, "input_size").minimum == 1
    with pytest.raises(SpecError, match="optimizer adam: unknown setting 'momentum'"):
        field_for(spec, "training.optimizer.momentum")
    with pytest.raises(SpecError, match="there is no layer 4; the network has 3 layers"):
        field_for(spec, "layers[3].units")
    with pytest.raises(SpecError, match="names no setting"):
        field_for(spec, "version")


def test_check_setting_converts_and_refuses_with_the_path():
    spec = default_spec()
    assert check_setting(spec, "training.epochs", 5.0) == 5 and isinstance(check_setting(spec, "training.epochs",
                                                                                        5.0), int)
    with pytest.raises(SpecError, match="optimizer adam: lr must be > 0, got -1") as info:
        check_setting(spec, "training.optimizer.lr", -1)
    assert info.value.where == "training.optimizer.lr"


def test_with_changes_returns_a_new_valid_spec_and_leaves_its_input_alone():
    spec = default_spec()
    before = json.dumps(spec, sort_keys=True)
    new = with_changes(spec, {"training.optimizer.lr": 0.05, "layers[0].units": 16, "training.clipping.mode": "norm"})
    assert json.dumps(spec, sort_keys=True) == before
    assert new == validate_spec(new)
    assert changed_paths(spec, new) == {"layers[0].units": (8, 16), "training.optimizer.lr": (0.01, 0.05),
                                        "training.clipping.mode": ("none", "norm")}


def test_with_changes_validates_the_whole_result_naming_the_path():
    spec = default_spec()
    with pytest.raises(SpecError, match="units must be ≥ 1") as info:
        with_changes(spec, {"layers[0].units": 0})
    assert info.value.where == "layers[0].units"
    with pytest.raises(SpecError, match="softmax is allowed only on the output layer"):
        with_changes(spec, {"layers[0].activation": "softmax"})
    with pytest.raises(SpecError, match="unknown setting 'colour'"):
        with_changes(spec, {"layers[0].colour": "red"})
    with pytest.raises(SpecError, match="not a setting path"):
        with_changes(spec, {"layers[0]..units": 3})


def test_a_new_optimizer_starts_from_its_defaults_and_takes_the_other_changes():
    spec = default_spec()
    new = with_changes(spec, {"training.optimizer.momentum": 0.5, "training.optimizer.name": "sgd"})
    assert new["training"]["optimizer"] == {**{"name": "sgd"}, **OPTIMIZERS["sgd"].defaults(), "momentum": 0.5}
    same = with_changes(spec, {"training.optimizer.name": "adam"})  # the same choice keeps its settings
    assert same == spec
    with pytest.raises(SpecError, match="name must be one of"):
        with_changes(spec, {"training.optimizer.name": "newton"})


def test_layers_star_expands_to_every_hidden_layer_not_the_output():
    spec = default_spec(hidden=(8, 8, 8))
    assert expand_path(spec, "layers[*].dropout") == ["layers[0].dropout", "layers[1].dropout", "layers[2].dropout"]
    new = with_changes(spec, {"layers[*].dropout": 0.25})
    assert [layer["dropout"] for layer in new["layers"]] == [0.25, 0.25, 0.25, 0.0]
    assert expand_path(spec, "training.epochs") == ["training.epochs"]
    with pytest.raises(SpecError, match="only for the hidden layers"):
        expand_path(spec, "training[*].epochs")


def test_changed_paths_names_leaves_on_both_sides():
    spec = default_spec(hidden=(8,))
    deeper = default_spec(hidden=(8, 4))
    diff = changed_paths(spec, deeper)
    assert diff["layers[1].units"] == (2, 4) and diff["layers[2].units"] == (None, 2)
    assert changed_paths(spec, copy.deepcopy(spec)) == {}


def test_live_paths_follow_the_catalogues_live_flags():
    spec = default_spec()
    assert live_paths(spec) == ("training.l1", "training.l2", "training.decoupled_weight_decay",
                                "training.optimizer.lr", "training.optimizer.weight_decay", "training.clipping.value")
    sgd = with_changes(spec, {"training.optimizer.name": "sgd"})
    assert "training.optimizer.momentum" in live_paths(sgd)


def test_every_example_round_trips_through_paths(example_spec):
    spec = example_spec
    leaves = {format_path(parts): value for parts, value in _leaves(spec)}
    assert all(get_setting(spec, path) == value for path, value in leaves.items())
    settings = setting_paths(spec)
    assert set(leaves) - set(settings) == {"version"} | {f"layers[{i}].type" for i in range(len(spec["layers"]))}
    for path, field in settings.items():
        assert field_for(spec, path) is field and field.name == parse_path(path)[-1]
    assert with_changes(spec, {}) == spec
    # Every setting set to its own value: nothing differs. A changed one: exactly it differs, and back again.
    settable = {path: get_setting(spec, path) for path in settings}
    assert changed_paths(spec, with_changes(spec, settable)) == {}
    lr = spec["training"]["optimizer"]["lr"]
    changed = with_changes(spec, {"training.optimizer.lr": lr * 2, "layers[0].units": spec["layers"][0]["units"] + 1,
                                  "training.epochs": 7})
    diff = changed_paths(spec, changed)
    assert set(diff) == {"training.optimizer.lr", "layers[0].units", "training.epochs"}
    assert with_changes(changed, {path: a for path, (a, _) in diff.items()}) == spec
    assert all(field_for(spec, path).live for path in live_paths(spec))
