"""Every optimizer lowers the loss of a fixed softmax-regression problem (float32, the studio's default)."""

from __future__ import annotations

import numpy as np
import pytest

from core.optimizers import LBFGS, OPTIMIZER_CLASSES, Lookahead, Optimizer
from tests.core.test_optim_problem import dataset, initial_params, loss_and_grad

STEPS = 200
# rates that suit this problem; every other setting is the catalogue's default
LEARNING_RATES = {"sgd": 0.5, "momentum": 0.1, "nesterov": 0.1, "rmsprop": 0.01, "adagrad": 0.5,
                  "adadelta": 1.0, "adam": 0.05, "adamw": 0.05, "adamax": 0.05, "nadam": 0.05}


@pytest.mark.parametrize("name", sorted(LEARNING_RATES))
def test_optimizer_lowers_the_loss(name: str) -> None:
    x, labels = dataset()
    params = initial_params(np.float32)
    start = loss_and_grad(params, x, labels)[0]
    optimizer = Optimizer.from_config(params, {"name": name, "lr": LEARNING_RATES[name]})
    for _ in range(STEPS):
        optimizer.step(loss_and_grad(params, x, labels)[1])
    end = loss_and_grad(params, x, labels)[0]
    assert params.dtype == np.float32 and np.all(np.isfinite(params))
    assert end < 0.6 * start, f"{name}: loss {start:.4f} → {end:.4f}"


def test_lookahead_lowers_the_loss() -> None:
    x, labels = dataset()
    params = initial_params(np.float32)
    start = loss_and_grad(params, x, labels)[0]
    optimizer = Lookahead(OPTIMIZER_CLASSES["adam"](params, lr=0.05))
    for _ in range(STEPS):
        optimizer.step(loss_and_grad(params, x, labels)[1])
    assert loss_and_grad(params, x, labels)[0] < 0.6 * start


@pytest.mark.parametrize("line_search", ["strong_wolfe", "none"])
def test_lbfgs_lowers_the_loss(line_search: str) -> None:
    x, labels = dataset()
    params = initial_params(np.float32)
    start = loss_and_grad(params, x, labels)[0]
    optimizer = LBFGS(params, line_search=line_search, lr=1.0 if line_search == "strong_wolfe" else 0.3)
    for _ in range(5):
        optimizer.step(lambda: loss_and_grad(params, x, labels))
    assert loss_and_grad(params, x, labels)[0] < 0.6 * start
