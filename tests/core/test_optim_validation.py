"""Invalid hyperparameters and buffers raise errors that name the optimizer, the field and the bad value."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from core.optimizers import LBFGS, SGD, Adam, Lookahead, Optimizer, make_optimizer
from core.spec import default_spec, with_changes

BAD_SETTINGS = [
    ("sgd", {"lr": 0.0}, r"optimizer sgd: lr must be > 0, got 0.0"),
    ("sgd", {"momentum": 1.0}, r"optimizer sgd: momentum must be < 1, got 1.0"),
    ("momentum", {"dampening": -0.1}, r"optimizer momentum: dampening must be ≥ 0, got -0.1"),
    ("rmsprop", {"alpha": 1.5}, r"optimizer rmsprop: alpha must be < 1, got 1.5"),
    ("rmsprop", {"centered": "yes"}, r"optimizer rmsprop: centered must be true or false, got 'yes'"),
    ("adagrad", {"eps": 0.0}, r"optimizer adagrad: eps must be > 0, got 0.0"),
    ("adadelta", {"rho": -0.5}, r"optimizer adadelta: rho must be ≥ 0, got -0.5"),
    ("adam", {"beta2": 1.0}, r"optimizer adam: beta2 must be < 1, got 1.0"),
    ("adam", {"weight_decay": -1}, r"optimizer adam: weight_decay must be ≥ 0, got -1"),
    ("adamw", {"lr": float("nan")}, r"optimizer adamw: lr must be a finite number"),
    ("adamax", {"beta1": "0.9"}, r"optimizer adamax: beta1 must be a number, got '0.9'"),
    ("nadam", {"momentum_decay": -1.0}, r"optimizer nadam: momentum_decay must be ≥ 0"),
    ("lbfgs", {"max_iter": 0}, r"optimizer lbfgs: max_iter must be ≥ 1, got 0"),
    ("lbfgs", {"line_search": "armijo"}, r"optimizer lbfgs: line_search must be one of strong_wolfe, none"),
    ("adam", {"momentum": 0.9}, r"optimizer adam: unknown setting 'momentum'"),
]


@pytest.mark.parametrize("name, settings, message", BAD_SETTINGS,
                         ids=[f"{n}-{next(iter(s))}" for n, s, _ in BAD_SETTINGS])
def test_bad_hyperparameter_is_named(name: str, settings: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Optimizer.from_config(np.zeros(3), {"name": name, **settings})


def test_nesterov_needs_momentum() -> None:
    with pytest.raises(ValueError, match="nesterov needs momentum > 0"):
        SGD(np.zeros(3), nesterov=True)


@pytest.mark.parametrize("params, message", [
    (np.zeros((2, 3)), "contiguous 1-D buffer"),
    (np.zeros(6)[::2], "contiguous 1-D buffer"),
    (np.zeros(3, dtype=np.int64), "float32 or float64"),
    ([0.0, 1.0], "must be a NumPy array"),
])
def test_bad_parameter_buffer(params: object, message: str) -> None:
    with pytest.raises((ValueError, TypeError), match=message):
        Adam(params)


def test_gradient_must_match_the_parameters() -> None:
    optimizer = Adam(np.zeros(3, dtype=np.float32))
    with pytest.raises(ValueError, match="grads must match params"):
        optimizer.step(np.zeros(3, dtype=np.float64))
    with pytest.raises(ValueError, match="grads must match params"):
        optimizer.step(np.zeros(4, dtype=np.float32))


def test_lookahead_refuses_lbfgs_and_bad_settings() -> None:
    with pytest.raises(ValueError, match="turn Lookahead off for L-BFGS"):
        Lookahead(LBFGS(np.zeros(3)))
    with pytest.raises(ValueError, match="lookahead: alpha must be > 0, got 0"):
        Lookahead(Adam(np.zeros(3)), alpha=0)
    valid = with_changes(default_spec(), {"training.optimizer.name": "lbfgs", "training.batch_mode": "full"})
    # validation refuses L-BFGS with Lookahead; settings put together by hand are refused by the factory too
    training = replace(valid.training, lookahead=replace(valid.training.lookahead, enabled=True))
    with pytest.raises(ValueError, match="Lookahead cannot wrap L-BFGS"):
        make_optimizer(training, np.zeros(3))
