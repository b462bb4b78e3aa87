"""The kernel contract of each fused optimizer (core.kernels.fused_update): what the fused dense kernel reads of an
optimizer is public, hands over the optimizer's own state, and is what the optimizer's own step computes."""

import math

import numpy as np
import pytest

from core.kernels.fused_update import (ADAM_BIAS_CORRECTION1, ADAM_BIAS_CORRECTION2_SQRT, STATE_ARRAYS,
                                       STEP_LR, STEP_SCALARS, STEP_WEIGHT_DECAY, fused_update)
from core.optimizers import OPTIMIZER_CLASSES, FusableOptimizer, fused_optimizer_names, optimizer_class

SETTINGS = {"adam": {"amsgrad": True}, "sgd": {"momentum": 0.5, "dampening": 0.2}}


def make(name, dtype=np.float64):
    params = np.linspace(-1.0, 1.0, 12).astype(dtype)
    return optimizer_class(name)(params, lr=0.05, weight_decay=0.01, **SETTINGS.get(name, {}))


def test_the_registry_names_the_fused_optimizers_by_their_kind():
    assert fused_optimizer_names() == ["adam", "adamw", "rmsprop", "sgd", "momentum", "nesterov"]
    for name, cls in OPTIMIZER_CLASSES.items():
        assert (cls.fused_kind is not None) == issubclass(cls, FusableOptimizer) == (name in fused_optimizer_names())


@pytest.mark.parametrize("name", fused_optimizer_names())
def test_the_kernel_state_is_the_optimizers_own_state_arrays(name):
    optimizer = make(name)
    state = optimizer.kernel_state()
    assert len(state) == STATE_ARRAYS
    for array in state:
        assert array.dtype == optimizer.params.dtype and array.ndim == 1 and array.flags.c_contiguous
    handed = [array for array in state if array.size]
    for key, array in optimizer.state.items():  # every state array the update needs, as a view, not a copy
        if array.size:
            assert any(view is array for view in handed), key


@pytest.mark.parametrize("name", fused_optimizer_names())
def test_a_chunks_rows_are_the_rows_of_its_steps_one_by_one(name):
    optimizer = make(name)
    chunk = np.full((40, STEP_SCALARS), np.nan)
    optimizer.kernel_scalars(7, chunk)
    one = np.full((1, STEP_SCALARS), np.nan)  # columns an optimizer does not use stay as they were
    for offset in range(40):
        optimizer.kernel_scalars(7 + offset, one)
        np.testing.assert_array_equal(one[0], chunk[offset])
    assert (chunk[:, STEP_LR] == 0.05).all() and (chunk[:, STEP_WEIGHT_DECAY] == 0.01).all()


@pytest.mark.parametrize("name", ["adam", "adamw"])
def test_adams_bias_corrections_are_torchs_arithmetic_exactly(name):
    optimizer = make(name)
    rows = np.empty((2000, STEP_SCALARS))
    optimizer.kernel_scalars(1, rows)
    steps = range(1, 2001)
    assert rows[:, ADAM_BIAS_CORRECTION1].tolist() == [1.0 - 0.9 ** t for t in steps]
    assert rows[:, ADAM_BIAS_CORRECTION2_SQRT].tolist() == [math.sqrt(1.0 - 0.999 ** t) for t in steps]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", fused_optimizer_names())
def test_steps_through_the_contract_are_the_optimizers_steps(name, dtype):
    """What the fused kernel does with the contract (rows for a run of steps, the state, the started flag) moves
    the weights and state exactly as the optimizer's own steps."""
    own, contract = make(name, dtype), make(name, dtype)
    rng = np.random.default_rng(0)
    grads = [rng.standard_normal(12).astype(dtype) for _ in range(5)]
    for g in grads:
        own.step(g)
    rows = np.empty((5, STEP_SCALARS))
    contract.kernel_scalars(contract.steps + 1, rows)
    started = contract.kernel_started()
    for g, row in zip(grads, rows):
        started = fused_update(contract.fused_kind, contract.params, g, contract.kernel_state(), row, started)
    contract.steps += 5
    contract.set_kernel_started(started)
    np.testing.assert_array_equal(contract.params, own.params)
    for key, array in own.state.items():
        np.testing.assert_array_equal(contract.state[key], array, err_msg=key)
    assert contract.state_dict()["scalars"] == own.state_dict()["scalars"]
