"""core.spec: defaults are valid, every bad field is refused with a message naming where and what."""

import json

import pytest

from core.spec import (
    OPTIMIZERS, SCHEDULES, SPEC_VERSION, SpecError, default_spec, fit_spec_to_data, resolved_init, validate_spec,
)


def refused(spec) -> SpecError:
    with pytest.raises(SpecError) as info:
        validate_spec(spec)
    return info.value


def test_default_spec_is_the_playground_network_and_survives_json():
    spec = default_spec()
    assert [layer["units"] for layer in spec["layers"]] == [8, 8, 2]
    assert spec["layers"][-1]["activation"] == "softmax"
    assert spec["training"]["loss"] == "cross_entropy"
    assert validate_spec(json.loads(json.dumps(spec))) == spec


def test_validation_fills_every_default_and_does_not_touch_its_input():
    given = {"input_size": 3, "layers": [{"units": 4, "activation": "relu"}, {"units": 1, "activation": "linear"}],
             "training": {"loss": "mse", "optimizer": {"name": "rmsprop"}}}
    before = json.dumps(given, sort_keys=True)
    spec = validate_spec(given)
    assert json.dumps(given, sort_keys=True) == before
    assert spec["version"] == SPEC_VERSION
    assert spec["training"]["optimizer"] == {"name": "rmsprop", **OPTIMIZERS["rmsprop"].defaults()}
    assert spec["training"]["schedule"]["name"] == "constant"
    assert spec["layers"][0]["dropout"] == 0.0 and spec["layers"][0]["init"] == "auto"


@pytest.mark.parametrize("field, value, expected", [
    ("units", 0, "layer 1 (dense): units must be ≥ 1, got 0"),
    ("activation", "swish", "layer 1 (dense): activation must be one of"),
    ("dropout", -0.1, "layer 1 (dense): dropout must be ≥ 0, got -0.1"),
    ("dropout", 1.0, "layer 1 (dense): dropout must be < 1, got 1.0"),
    ("batch_norm", "yes", "layer 1 (dense): batch_norm must be true or false"),
    ("init", "glorot", "layer 1 (dense): init must be one of"),
])
def test_bad_layer_fields_are_named(field, value, expected):
    spec = default_spec().to_json()
    spec["layers"][0][field] = value
    error = refused(spec)
    assert str(error).startswith(expected)
    assert error.where == f"layers[0].{field}"


def test_unknown_layer_setting_is_refused_with_the_allowed_ones():
    spec = default_spec().to_json()
    spec["layers"][1]["widht"] = 3
    assert "layer 2 (dense): unknown setting 'widht'" in str(refused(spec))


def test_output_layer_rules():
    spec = default_spec().to_json()
    spec["layers"][-1]["dropout"] = 0.5
    assert "layer 3 (output): dropout must be 0" in str(refused(spec))
    spec = default_spec().to_json()
    spec["layers"][0]["activation"] = "softmax"
    assert "softmax is allowed only on the output layer" in str(refused(spec))
    spec = default_spec().to_json()
    spec["training"]["loss"] = "mse"
    assert "softmax output layer needs the cross_entropy loss" in str(refused(spec))


def test_residual_needs_equal_width():
    spec = default_spec().to_json()
    spec["layers"][1]["residual"] = True  # 8 → 8: allowed
    validate_spec(spec)
    spec["layers"][0]["residual"] = True  # 2 → 8: not allowed
    error = refused(spec)
    assert "residual skip needs equal input and output width" in str(error) and "2 wide" in str(error)


@pytest.mark.parametrize("path, value, expected", [
    (("optimizer", "lr"), 0.0, "optimizer adam: lr must be > 0, got 0.0"),
    (("optimizer", "beta2"), 1.0, "optimizer adam: beta2 must be < 1"),
    (("optimizer", "name"), "adamx", "training.optimizer: name must be one of"),
    (("schedule", "name"), "linear", "training.schedule: name must be one of"),
    (("epochs",), 0, "training: epochs must be ≥ 1, got 0"),
    (("batch_size",), 2.5, "training: batch_size must be a whole number, got 2.5"),
    (("l2",), float("nan"), "training: l2 must be a finite number"),
    (("clipping", "mode"), "global", "clipping: mode must be one of none, value, norm, agc"),
])
def test_bad_training_fields_are_named(path, value, expected):
    spec = default_spec().to_json()
    target = spec["training"]
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    assert str(refused(spec)).startswith(expected)


def test_lbfgs_needs_full_batch_and_no_lookahead():
    spec = default_spec().to_json()
    spec["training"]["optimizer"] = {"name": "lbfgs"}
    assert "L-BFGS needs full-batch training" in str(refused(spec))
    spec["training"]["batch_mode"] = "full"
    validate_spec(spec)
    spec["training"]["lookahead"] = {"enabled": True}
    assert "cannot wrap L-BFGS" in str(refused(spec))


def test_every_optimizer_and_schedule_validates_with_its_defaults():
    for name in OPTIMIZERS:
        spec = default_spec().to_json()
        spec["training"]["optimizer"] = {"name": name}
        if name == "lbfgs":
            spec["training"]["batch_mode"] = "full"
        assert validate_spec(spec)["training"]["optimizer"]["name"] == name
    for name in SCHEDULES:
        spec = default_spec().to_json()
        spec["training"]["schedule"] = {"name": name}
        assert validate_spec(spec)["training"]["schedule"]["name"] == name


def test_multistep_milestones_must_increase():
    spec = default_spec().to_json()
    spec["training"]["schedule"] = {"name": "multistep", "milestones": [30, 10]}
    assert "milestones must be strictly increasing" in str(refused(spec))


def test_future_version_is_refused_not_guessed():
    spec = default_spec().to_json()
    spec["version"] = SPEC_VERSION + 1
    assert "written by a newer Backprop Studio" in str(refused(spec))


def test_fit_spec_to_data_follows_the_data_and_says_what_changed():
    spec = default_spec()
    fitted, changes = fit_spec_to_data(spec, input_size=4, output_size=3, task="classification")
    assert fitted["input_size"] == 4 and fitted["layers"][-1]["units"] == 3
    assert "input size 2 → 4" in changes and "output units 2 → 3" in changes
    regression, changes = fit_spec_to_data(spec, input_size=10, output_size=1, task="regression")
    assert regression["layers"][-1]["activation"] == "linear" and regression["training"]["loss"] == "mse"
    assert "loss cross_entropy → mse" in changes


def test_fit_spec_switches_off_a_residual_skip_that_no_longer_fits():
    spec = default_spec(input_size=8, hidden=(8,)).to_json()
    spec["layers"][0]["residual"] = True
    spec = validate_spec(spec)
    fitted, changes = fit_spec_to_data(spec, input_size=5, output_size=2, task="classification")
    assert fitted["layers"][0]["residual"] is False
    assert any("residual skip off" in c for c in changes)


def test_auto_initialiser_follows_the_activation():
    assert resolved_init({"init": "auto", "activation": "relu"}) == "he_uniform"
    assert resolved_init({"init": "auto", "activation": "tanh"}) == "xavier_uniform"
    assert resolved_init({"init": "lecun_normal", "activation": "relu"}) == "lecun_normal"
