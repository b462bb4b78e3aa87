"""get_config()/from_config() round trips for every optimizer and Lookahead; make_optimizer from a spec."""

from __future__ import annotations

import numpy as np
import pytest

from core.optimizers import OPTIMIZER_CLASSES, SGD, Adam, Lookahead, Optimizer, make_optimizer
from core.spec import OPTIMIZERS, default_spec, with_changes

NON_DEFAULT = {"lr": 0.123, "weight_decay": 0.01, "momentum": 0.3, "beta1": 0.8, "eps": 1e-7, "centered": True,
               "amsgrad": True, "rho": 0.7, "lr_decay": 0.01, "history_size": 7, "line_search": "none"}


def _non_default_config(name: str) -> dict:
    config = {"name": name, **OPTIMIZERS[name].defaults()}
    config.update({k: v for k, v in NON_DEFAULT.items() if k in config})
    return config


def test_every_catalogue_optimizer_has_a_class() -> None:
    assert set(OPTIMIZER_CLASSES) == set(OPTIMIZERS)


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_config_round_trip(name: str) -> None:
    config = _non_default_config(name)
    optimizer = Optimizer.from_config(np.zeros(4), config)
    assert optimizer.get_config() == config
    rebuilt = type(optimizer).from_config(np.zeros(4), optimizer.get_config())
    assert type(rebuilt) is type(optimizer) and rebuilt.get_config() == config


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_defaults_are_the_catalogue_ones(name: str) -> None:
    optimizer = OPTIMIZER_CLASSES[name](np.zeros(3))
    assert optimizer.get_config() == {"name": name, **OPTIMIZERS[name].defaults()}


def test_from_config_on_a_subclass_refuses_another_optimizer() -> None:
    with pytest.raises(ValueError, match="not a SGD"):
        SGD.from_config(np.zeros(2), {"name": "adam"})
    with pytest.raises(ValueError, match="name must be one of"):
        Optimizer.from_config(np.zeros(2), {"name": "adamm"})


def test_lookahead_config_round_trip() -> None:
    wrapped = Lookahead(Adam(np.zeros(3), lr=0.01), k=3, alpha=0.25)
    config = wrapped.get_config()
    assert config == {"name": "lookahead", "optimizer": {**Adam(np.zeros(1), lr=0.01).get_config()},
                      "k": 3, "alpha": 0.25}
    assert Lookahead.from_config(np.zeros(3), config).get_config() == config


def test_make_optimizer_from_the_default_spec() -> None:
    training = default_spec()["training"]
    optimizer = make_optimizer(training, np.zeros(5, dtype=np.float32))
    assert optimizer.get_config() == training["optimizer"]
    training = with_changes(default_spec(), {"training.lookahead.enabled": True, "training.lookahead.k": 4}).training
    wrapped = make_optimizer(training, np.zeros(5, dtype=np.float32))
    assert isinstance(wrapped, Lookahead) and wrapped.k == 4
    assert wrapped.hyper is wrapped.inner.hyper
