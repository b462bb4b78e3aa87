"""A spec is validated once, where it comes in; code handed a built Network trusts the network's spec.

The counter wraps `core.spec.validate.validate_spec` under every name a module imported it as, so a call from
anywhere in core counts."""

import contextlib
import json
import sys
from pathlib import Path

import pytest

from core.data import playground, prepare
from core.network import Network
from core.project import load_project
from core.spec import SpecError, default_spec, validate_spec
from core.spec import validate as validate_module
from core.training import Trainer, fit

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "resources" / "examples").glob("*.bps"))


@contextlib.contextmanager
def counted_validations():
    original = validate_module.validate_spec
    calls: list[dict] = []

    def counting(spec):
        calls.append(spec)
        return original(spec)

    modules = [m for m in list(sys.modules.values()) if getattr(m, "validate_spec", None) is original]
    for module in modules:
        module.validate_spec = counting
    try:
        yield calls
    finally:
        for module in modules:
            module.validate_spec = original


@pytest.fixture(scope="module")
def xor():
    return prepare(playground("xor", num_points=100, noise=0.0, seed=0), val_fraction=0.2)


def small_spec():
    spec = default_spec(2, 2, hidden=(6,), activation="tanh").to_json()
    spec["training"].update({"epochs": 1, "batch_mode": "mini", "batch_size": 32})
    return spec


def test_fit_validates_its_spec_once(xor):
    spec = small_spec()
    with counted_validations() as calls:
        fit(spec, xor)
    assert len(calls) == 1


def test_a_trainer_trusts_the_networks_spec(xor):
    network = Network.from_spec(small_spec())
    with counted_validations() as calls:
        trainer = Trainer(network, xor)
    assert calls == []
    assert trainer.spec is network.spec  # immutable, so shared: a live change makes a new spec, the run's own
    assert trainer.training is trainer.spec["training"]


def test_a_trainers_own_training_settings_are_still_checked(xor):
    network = Network.from_spec(small_spec())
    training = {**network.spec["training"], "epochs": 0}
    with counted_validations() as calls, pytest.raises(SpecError, match="epochs"):
        Trainer(network, xor, training=training)
    assert len(calls) == 1


def test_a_networks_seed_override_is_checked_like_the_specs_seed():
    with pytest.raises(SpecError, match="seed"):
        Network.from_spec(small_spec(), seed=2**32)
    assert Network.from_spec(small_spec(), seed=2**32 - 1).spec["training"]["seed"] == 2**32 - 1


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_validation_is_idempotent_so_a_validated_spec_needs_no_second_check(path):
    # What the Trainer now takes as it is equals what validating it again would give, key order included.
    network = Network.from_spec(load_project(path).spec)
    for spec in (network.spec, Network.from_spec(network.spec, seed=3, dtype="float64").spec):
        again = validate_spec(spec)
        assert json.dumps(again) == json.dumps(spec)
