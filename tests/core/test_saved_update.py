"""`saved_update` (core.kernels.fused_update): the save of the weights, the step and the weights' finite check in
one pass over memory, block by block, must move the weights and state exactly as the three passes one after
another, for every fused optimizer, across several blocks and a short last block."""

import numpy as np
import pytest

from core.kernels.batch_reductions import all_finite
from core.kernels.fused_update import UPDATE_BLOCK
from core.optimizers import fused_optimizer_names, optimizer_class

SIZE = 2 * UPDATE_BLOCK + 1_001  # two whole blocks and a short one
SETTINGS = {"sgd": {"momentum": 0.5, "dampening": 0.2}, "adam": {"amsgrad": True},
            "rmsprop": {"momentum": 0.3, "centered": True}}


def make(name, dtype, params=None):
    if params is None:
        params = np.random.default_rng(1).standard_normal(SIZE).astype(dtype)
    return optimizer_class(name)(params, lr=0.05, weight_decay=0.01, **SETTINGS.get(name, {}))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", fused_optimizer_names())
def test_saving_steps_are_the_optimizers_steps_bit_for_bit(name, dtype):
    own, saving = make(name, dtype), make(name, dtype)
    previous = np.full(SIZE, np.nan, dtype)
    rng = np.random.default_rng(0)
    for _ in range(4):
        grads = rng.standard_normal(SIZE).astype(dtype)
        before = own.params.copy()
        own.step(grads)
        assert saving.step_saving(grads, previous) is True
        np.testing.assert_array_equal(previous, before)  # the weights before this step
        np.testing.assert_array_equal(saving.params, own.params)
    assert saving.steps == own.steps == 4
    for key, array in own.state.items():
        np.testing.assert_array_equal(saving.state[key], array, err_msg=key)
    assert saving.state_dict()["scalars"] == own.state_dict()["scalars"]


@pytest.mark.parametrize("name", fused_optimizer_names())
def test_a_non_finite_weight_in_any_block_is_reported(name):
    for where in (0, UPDATE_BLOCK + 5, SIZE - 1):  # the first block, a middle one, the short last one
        optimizer = make(name, np.float32)
        grads = np.zeros(SIZE, np.float32)
        grads[where] = np.inf
        previous = np.empty(SIZE, np.float32)
        assert optimizer.step_saving(grads, previous) is False
        assert not all_finite(optimizer.params) and all_finite(previous)


def test_the_saved_copy_must_match_the_weights():
    optimizer = make("adam", np.float32)
    with pytest.raises(ValueError, match="saved copy must match"):
        optimizer.step_saving(np.zeros(SIZE, np.float32), np.zeros(SIZE, np.float64))
