"""state_dict()/load_state_dict(): a resumed optimizer continues exactly where the saved one was."""

from __future__ import annotations

import numpy as np
import pytest

from core.optimizers import LBFGS, OPTIMIZER_CLASSES, Adam, Lookahead, Optimizer
from tests.core.test_optim_problem import dataset, initial_params, loss_and_grad

STEP_BY_GRADIENT = sorted(set(OPTIMIZER_CLASSES) - {"lbfgs"})


def _run(optimizer: Optimizer | Lookahead, params: np.ndarray, steps: int) -> None:
    x, labels = dataset()
    for _ in range(steps):
        optimizer.step(loss_and_grad(params, x, labels)[1])


@pytest.mark.parametrize("name", STEP_BY_GRADIENT + ["lookahead"])
def test_resume_continues_identically(name: str) -> None:
    def build(params: np.ndarray) -> Optimizer | Lookahead:
        if name == "lookahead":
            return Lookahead(Adam(params, lr=0.05), k=3)
        config = {"name": name, "lr": 0.05}
        if name == "adam":
            config["amsgrad"] = True
        return Optimizer.from_config(params, config)

    params = initial_params()
    original = build(params)
    _run(original, params, 4)
    saved_params, saved_state = params.copy(), original.state_dict()
    _run(original, params, 3)

    resumed_params = saved_params.copy()
    resumed = build(resumed_params)
    resumed.load_state_dict(saved_state)
    _run(resumed, resumed_params, 3)
    np.testing.assert_array_equal(resumed_params, params)


def test_lbfgs_resume_continues_identically() -> None:
    x, labels = dataset()
    params = initial_params()
    original = LBFGS(params, max_iter=3, history_size=4)
    for _ in range(2):
        original.step(lambda: loss_and_grad(params, x, labels))
    saved_params, saved_state = params.copy(), original.state_dict()
    original.step(lambda: loss_and_grad(params, x, labels))

    resumed_params = saved_params.copy()
    resumed = LBFGS(resumed_params, max_iter=3, history_size=4)
    resumed.load_state_dict(saved_state)
    resumed.step(lambda: loss_and_grad(resumed_params, x, labels))
    np.testing.assert_array_equal(resumed_params, params)


def test_loading_another_optimizers_state_is_refused() -> None:
    state = Adam(np.zeros(3)).state_dict()
    with pytest.raises(ValueError, match="cannot load the state of optimizer 'adam'"):
        OPTIMIZER_CLASSES["rmsprop"](np.zeros(3)).load_state_dict(state)
    with pytest.raises(ValueError, match="saved exp_avg has shape"):
        Adam(np.zeros(4)).load_state_dict(state)


@pytest.mark.parametrize("steps, max_iter", [(0, 20), (1, 1)])
def test_lbfgs_state_before_any_curvature_pair_round_trips(steps: int, max_iter: int) -> None:
    """Before the first step, and after a first step of max_iter=1, L-BFGS holds no (s, y) pair: its state must
    still save (it raised "cannot reshape array of size 0") and a resumed copy must continue identically."""
    x, labels = dataset()
    params = initial_params()
    original = LBFGS(params, max_iter=max_iter)
    for _ in range(steps):
        original.step(lambda: loss_and_grad(params, x, labels))
    saved_params, saved_state = params.copy(), original.state_dict()
    assert saved_state["state"]["old_dirs"].shape == (0, params.size)
    original.step(lambda: loss_and_grad(params, x, labels))

    resumed_params = saved_params.copy()
    resumed = LBFGS(resumed_params, max_iter=max_iter)
    resumed.load_state_dict(saved_state)
    resumed.step(lambda: loss_and_grad(resumed_params, x, labels))
    np.testing.assert_array_equal(resumed_params, params)
    assert LBFGS(np.zeros(3)).state_dict()["state"]["old_stps"].shape == (0, 3)
