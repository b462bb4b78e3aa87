"""Every optimizer PyTorch has, 20 steps on the same problem from the same weights: parameters match to 1e-5.

The NumPy side uses analytic gradients (tests/core/test_optim_problem.py), the torch side autograd, float64.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from core.optimizers import LBFGS, Optimizer
from tests.core.test_optim_problem import N_CLASSES, N_INPUTS, dataset, initial_params, loss_and_grad

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch

STEPS = 20
TOLERANCE = 1e-5

# (our catalogue config, the torch class name, torch keyword arguments)
CASES: list[tuple[dict[str, Any], str, dict[str, Any]]] = [
    ({"name": "sgd", "lr": 0.1}, "SGD", {"lr": 0.1}),
    ({"name": "sgd", "lr": 0.1, "weight_decay": 0.05}, "SGD", {"lr": 0.1, "weight_decay": 0.05}),
    ({"name": "sgd", "lr": 0.1, "momentum": 0.8, "dampening": 0.3}, "SGD",
     {"lr": 0.1, "momentum": 0.8, "dampening": 0.3}),
    ({"name": "momentum", "lr": 0.05}, "SGD", {"lr": 0.05, "momentum": 0.9}),
    ({"name": "momentum", "lr": 0.05, "weight_decay": 0.01}, "SGD",
     {"lr": 0.05, "momentum": 0.9, "weight_decay": 0.01}),
    ({"name": "nesterov", "lr": 0.05}, "SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    ({"name": "sgd", "lr": 0.05, "momentum": 0.5, "nesterov": True, "weight_decay": 0.02}, "SGD",
     {"lr": 0.05, "momentum": 0.5, "nesterov": True, "weight_decay": 0.02}),
    ({"name": "rmsprop"}, "RMSprop", {}),
    ({"name": "rmsprop", "centered": True}, "RMSprop", {"centered": True}),
    ({"name": "rmsprop", "momentum": 0.7, "weight_decay": 0.01}, "RMSprop", {"momentum": 0.7, "weight_decay": 0.01}),
    ({"name": "rmsprop", "centered": True, "momentum": 0.5, "alpha": 0.9}, "RMSprop",
     {"centered": True, "momentum": 0.5, "alpha": 0.9}),
    ({"name": "adagrad", "lr": 0.1}, "Adagrad", {"lr": 0.1}),
    ({"name": "adagrad", "lr": 0.1, "lr_decay": 0.05, "initial_accumulator_value": 0.2, "weight_decay": 0.01},
     "Adagrad", {"lr": 0.1, "lr_decay": 0.05, "initial_accumulator_value": 0.2, "weight_decay": 0.01}),
    ({"name": "adadelta"}, "Adadelta", {}),
    ({"name": "adadelta", "rho": 0.8, "weight_decay": 0.05}, "Adadelta", {"rho": 0.8, "weight_decay": 0.05}),
    ({"name": "adam", "lr": 0.05}, "Adam", {"lr": 0.05}),
    ({"name": "adam", "lr": 0.05, "amsgrad": True, "weight_decay": 0.03}, "Adam",
     {"lr": 0.05, "amsgrad": True, "weight_decay": 0.03}),
    ({"name": "adamw", "lr": 0.05}, "AdamW", {"lr": 0.05}),
    ({"name": "adamw", "lr": 0.05, "weight_decay": 0.2, "amsgrad": True, "beta2": 0.9}, "AdamW",
     {"lr": 0.05, "weight_decay": 0.2, "amsgrad": True, "betas": (0.9, 0.9)}),
    ({"name": "adamax"}, "Adamax", {}),
    ({"name": "adamax", "lr": 0.05, "weight_decay": 0.02, "beta1": 0.8}, "Adamax",
     {"lr": 0.05, "weight_decay": 0.02, "betas": (0.8, 0.999)}),
    ({"name": "nadam"}, "NAdam", {}),
    ({"name": "nadam", "lr": 0.01, "weight_decay": 0.02, "momentum_decay": 0.01}, "NAdam",
     {"lr": 0.01, "weight_decay": 0.02, "momentum_decay": 0.01}),
]


def _case_id(case: tuple[dict[str, Any], str, dict[str, Any]]) -> str:
    config = case[0]
    return "-".join([config["name"]] + [f"{k}={v}" for k, v in config.items() if k != "name"])


def _torch_loss(w: Any, x: Any, labels: Any) -> Any:
    weights = w[: N_INPUTS * N_CLASSES].reshape(N_INPUTS, N_CLASSES)
    logits = x @ weights + w[N_INPUTS * N_CLASSES:]
    return torch.nn.functional.cross_entropy(logits, labels)


@pytest.fixture(scope="module")
def problem() -> tuple[np.ndarray, np.ndarray, Any, Any]:
    x, labels = dataset()
    return x, labels, torch.tensor(x), torch.tensor(labels)


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_twenty_steps_match_torch(case: tuple[dict[str, Any], str, dict[str, Any]], problem: tuple) -> None:
    config, torch_name, torch_kwargs = case
    x, labels, tx, tlabels = problem
    params = initial_params()
    optimizer = Optimizer.from_config(params, config)
    w = torch.tensor(initial_params(), requires_grad=True)
    reference = getattr(torch.optim, torch_name)([w], **torch_kwargs)
    for step in range(STEPS):
        _, grads = loss_and_grad(params, x, labels)
        optimizer.step(grads)
        reference.zero_grad()
        _torch_loss(w, tx, tlabels).backward()
        reference.step()
        np.testing.assert_allclose(params, w.detach().numpy(), rtol=0, atol=TOLERANCE,
                                   err_msg=f"{torch_name} differs after step {step + 1}")
    assert not np.allclose(params, initial_params())  # it moved


def test_live_learning_rate_and_momentum_changes_match_torch(problem: tuple) -> None:
    """The Trainer edits hyper["lr"] / ["momentum"] between steps; torch's equivalent is the param group."""
    x, labels, tx, tlabels = problem
    params = initial_params()
    optimizer = Optimizer.from_config(params, {"name": "momentum", "lr": 0.1})
    w = torch.tensor(initial_params(), requires_grad=True)
    reference = torch.optim.SGD([w], lr=0.1, momentum=0.9)
    for step in range(STEPS):
        if step == 8:
            optimizer.hyper["lr"] = 0.02
            optimizer.hyper["momentum"] = 0.5
            reference.param_groups[0]["lr"] = 0.02
            reference.param_groups[0]["momentum"] = 0.5
        optimizer.step(loss_and_grad(params, x, labels)[1])
        reference.zero_grad()
        _torch_loss(w, tx, tlabels).backward()
        reference.step()
    np.testing.assert_allclose(params, w.detach().numpy(), rtol=0, atol=TOLERANCE)


@pytest.mark.parametrize("line_search", ["strong_wolfe", "none"])
def test_lbfgs_matches_torch(line_search: str, problem: tuple) -> None:
    x, labels, tx, tlabels = problem
    params = initial_params()
    # a small history and few iterations per step exercise the history's rotation and the state across steps
    settings = {"lr": 1.0 if line_search == "strong_wolfe" else 0.5, "max_iter": 4, "history_size": 3}
    optimizer = LBFGS(params, line_search=line_search, **settings)
    w = torch.tensor(initial_params(), requires_grad=True)
    reference = torch.optim.LBFGS([w], line_search_fn=None if line_search == "none" else line_search, **settings)

    def closure() -> tuple[float, np.ndarray]:
        return loss_and_grad(params, x, labels)

    def torch_closure() -> Any:
        reference.zero_grad()
        loss = _torch_loss(w, tx, tlabels)
        loss.backward()
        return loss

    first_loss = loss_and_grad(params, x, labels)[0]
    for step in range(STEPS):
        ours = optimizer.step(closure)
        theirs = float(reference.step(torch_closure).detach())
        assert ours == pytest.approx(theirs, abs=TOLERANCE)
        np.testing.assert_allclose(params, w.detach().numpy(), rtol=0, atol=TOLERANCE,
                                   err_msg=f"L-BFGS ({line_search}) differs after step {step + 1}")
    assert loss_and_grad(params, x, labels)[0] < 0.5 * first_loss
    assert optimizer.func_evals == reference.state[w]["func_evals"]


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_float32_buffers_track_torch_float32(case: tuple[dict[str, Any], str, dict[str, Any]],
                                             problem: tuple) -> None:
    """The studio trains in float32: the kernels then compute in float32, as torch does (looser tolerance)."""
    config, torch_name, torch_kwargs = case
    x, labels, _, tlabels = problem
    params = initial_params(np.float32)
    optimizer = Optimizer.from_config(params, config)
    w = torch.tensor(initial_params(np.float32), requires_grad=True)
    reference = getattr(torch.optim, torch_name)([w], **torch_kwargs)
    tx = torch.tensor(x, dtype=torch.float32)
    for _ in range(STEPS):
        optimizer.step(loss_and_grad(params, x, labels)[1])
        reference.zero_grad()
        _torch_loss(w, tx, tlabels).backward()
        reference.step()
    assert params.dtype == np.float32
    np.testing.assert_allclose(params, w.detach().numpy(), rtol=0, atol=1e-4)
