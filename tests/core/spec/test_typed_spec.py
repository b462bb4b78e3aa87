"""The typed, immutable Spec: declared from the catalogue, read by attribute or as a read-only dict, changed only
into a new Spec, equal and hashed by value, pickled and written as JSON exactly as the plain dict was."""

from __future__ import annotations

import copy
import dataclasses
import json
import pickle

import pytest

from core.spec import (
    CLIPPING_FIELDS, EARLY_STOPPING_FIELDS, LAYER_FIELDS, LOOKAHEAD_FIELDS, OPTIMIZER_SPECS, OPTIMIZERS,
    SCHEDULE_SPECS, SCHEDULES, TRAINING_FIELDS, ClippingSpec, EarlyStoppingSpec, FrozenList, LayerSpec,
    LookaheadSpec, OptimizerSpec, ScheduleSpec, Spec, SpecError, TrainingSpec, default_spec, get_setting,
    validate_spec, with_changes,
)


def _field_names(cls: type) -> list[str]:
    return [f.name for f in dataclasses.fields(cls)]


def test_every_class_takes_its_fields_from_the_catalogue_in_its_order():
    assert _field_names(LayerSpec) == ["type", "name"] + [f.name for f in LAYER_FIELDS]
    assert _field_names(TrainingSpec) == [f.name for f in TRAINING_FIELDS] + [
        "optimizer", "schedule", "lookahead", "early_stopping", "clipping"]
    for cls, fields in ((LookaheadSpec, LOOKAHEAD_FIELDS), (EarlyStoppingSpec, EARLY_STOPPING_FIELDS),
                        (ClippingSpec, CLIPPING_FIELDS)):
        assert _field_names(cls) == [f.name for f in fields]
    assert set(OPTIMIZER_SPECS) == set(OPTIMIZERS) and set(SCHEDULE_SPECS) == set(SCHEDULES)
    for name, choice in OPTIMIZERS.items():
        assert issubclass(OPTIMIZER_SPECS[name], OptimizerSpec)
        assert _field_names(OPTIMIZER_SPECS[name]) == ["name"] + [f.name for f in choice.fields]
    for name, choice in SCHEDULES.items():
        assert issubclass(SCHEDULE_SPECS[name], ScheduleSpec)
        assert _field_names(SCHEDULE_SPECS[name]) == ["name"] + [f.name for f in choice.fields]


def test_a_validated_spec_is_typed_and_reads_by_attribute_and_by_key():
    spec = with_changes(default_spec(), {"training.optimizer.lr": 0.05, "layers[1].dropout": 0.25})
    assert isinstance(spec, Spec) and isinstance(spec.training, TrainingSpec)
    assert isinstance(spec.layers, FrozenList) and all(isinstance(layer, LayerSpec) for layer in spec.layers)
    assert type(spec.training.optimizer).__name__ == "AdamOptimizerSpec"
    assert spec.training.optimizer.lr == spec["training"]["optimizer"]["lr"] == 0.05
    assert spec.layers[1].dropout == spec["layers"][1]["dropout"] == get_setting(spec, "layers[1].dropout") == 0.25
    assert spec.training.optimizer.hyper == {k: v for k, v in spec.to_json()["training"]["optimizer"].items()
                                             if k != "name"}
    assert spec.layers[0].name is None and "name" not in spec.layers[0]  # an absent optional name stays absent


@pytest.mark.parametrize("change", [
    lambda s: s.__setitem__("input_size", 3),
    lambda s: s["training"].__setitem__("epochs", 3),
    lambda s: s["training"]["optimizer"].update(lr=1.0),
    lambda s: s["layers"][0].__setitem__("units", 3),
    lambda s: s["layers"].append(s["layers"][0]),
    lambda s: s["layers"].__delitem__(0),
    lambda s: s["training"].pop("l2"),
    lambda s: s["training"].clear(),
], ids=["spec item", "training item", "optimizer update", "layer item", "append a layer", "delete a layer",
        "pop", "clear"])
def test_item_changes_raise_and_leave_the_spec_as_it_was(change):
    spec = default_spec()
    before = spec.to_json()
    with pytest.raises(TypeError, match="read-only.*with_changes"):
        change(spec)
    assert spec.to_json() == before


def test_attribute_assignment_raises():
    spec = default_spec()
    for target, name in ((spec, "input_size"), (spec.training, "epochs"), (spec.training.optimizer, "lr"),
                         (spec.layers[0], "units")):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(target, name, 1)


def test_with_changes_returns_a_new_spec_and_keeps_the_old_one():
    spec = default_spec()
    changed = with_changes(spec, {"training.optimizer.lr": 0.5})
    assert changed.training.optimizer.lr == 0.5 and spec.training.optimizer.lr == 0.01
    assert changed != spec and changed.layers == spec.layers


def test_equal_specs_are_equal_and_hash_alike_so_a_spec_can_be_a_dict_key():
    a = default_spec()
    b = validate_spec(json.loads(json.dumps(a.to_json())))
    assert a == b and hash(a) == hash(b) and a is not b
    other = with_changes(a, {"training.seed": 1})
    assert a != other
    runs = {a: "first", other: "second"}
    assert runs[b] == "first" and len({a, b, other}) == 2
    assert a == a.to_json()  # compares with a plain dict of the same content, as the plain spec did


def test_json_round_trip_is_exact():
    spec = with_changes(default_spec(), {"training.schedule.name": "multistep"})
    text = json.dumps(spec.to_json(), indent=1)
    assert json.dumps(spec, indent=1) == text  # a spec is also written directly, as the plain dict was
    again = validate_spec(json.loads(text))
    assert again == spec and json.dumps(again.to_json(), indent=1) == text
    assert isinstance(spec.training.schedule.milestones, FrozenList)
    assert type(spec.to_json()["training"]["schedule"]["milestones"]) is list


def test_to_json_is_a_plain_mutable_copy():
    spec = default_spec()
    plain = spec.to_json()
    assert type(plain) is dict and type(plain["layers"]) is list and type(plain["layers"][0]) is dict
    plain["layers"][0]["units"] = 99
    assert spec.layers[0].units == 8


@pytest.mark.parametrize("protocol", range(2, pickle.HIGHEST_PROTOCOL + 1))
def test_pickle_round_trip_keeps_types_and_value(protocol):
    """The sweeps send specs to worker processes: pickled and rebuilt, a spec is the same."""
    spec = with_changes(default_spec(), {"training.optimizer.name": "sgd", "training.schedule.name": "multistep",
                                         "layers[0].dropout": 0.1})
    again = pickle.loads(pickle.dumps(spec, protocol=protocol))
    assert again == spec and hash(again) == hash(spec)
    assert type(again.training.optimizer) is OPTIMIZER_SPECS["sgd"]
    assert type(again.training.schedule) is SCHEDULE_SPECS["multistep"]
    assert isinstance(again.layers, FrozenList) and isinstance(again.layers[0], LayerSpec)
    with pytest.raises(TypeError):
        again["training"]["epochs"] = 1


def test_copies_are_the_object_itself():
    spec = default_spec()
    assert copy.copy(spec) is spec and copy.deepcopy(spec) is spec
    assert copy.deepcopy({"spec": spec})["spec"] is spec


def test_validating_a_spec_again_costs_nothing_and_a_bad_dict_is_still_refused():
    spec = default_spec()
    assert validate_spec(spec) is spec
    bad = spec.to_json()
    bad["layers"][0]["units"] = 0
    with pytest.raises(SpecError, match="units must be ≥ 1"):
        validate_spec(bad)


def test_a_layer_name_is_kept_in_the_json_only_when_given():
    plain = default_spec().to_json()
    plain["layers"][0]["name"] = "encoder"
    spec = validate_spec(plain)
    assert spec.layers[0].name == "encoder" and spec.to_json() == plain
