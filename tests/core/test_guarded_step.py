"""`FusableOptimizer.guarded_step`: the general step's copy of the old weights, the update and the finite check of
the new weights in one pass give exactly what the three passes gave."""

from __future__ import annotations

import numpy as np
import pytest

from core.kernels.batch_reductions import all_finite
from core.optimizers import make_optimizer
from core.spec import default_spec, validate_spec

OPTIMIZERS = [{"name": "sgd"}, {"name": "momentum", "weight_decay": 0.01}, {"name": "nesterov"},
              {"name": "sgd", "momentum": 0.5, "dampening": 0.3}, {"name": "adam"},
              {"name": "adam", "amsgrad": True, "weight_decay": 0.01}, {"name": "adamw"},
              {"name": "rmsprop"}, {"name": "rmsprop", "centered": True, "momentum": 0.9}]


def make(optimizer: dict, params: np.ndarray):
    spec = default_spec(2, 2).to_json()
    spec["training"]["optimizer"] = optimizer
    return make_optimizer(validate_spec(spec).training, params)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("optimizer", OPTIMIZERS, ids=lambda o: "-".join(str(v) for v in o.values()))
def test_one_pass_equals_copy_step_check_bit_for_bit(optimizer, dtype):
    rng = np.random.default_rng(5)
    start = rng.standard_normal(10_001).astype(dtype)
    gradients = [rng.standard_normal(start.size).astype(dtype) for _ in range(4)]
    three, one = start.copy(), start.copy()
    three_opt, one_opt = make(optimizer, three), make(optimizer, one)
    kept_three, kept_one = np.empty_like(start), np.empty_like(start)
    for g in gradients:
        np.copyto(kept_three, three)
        three_opt.step(g)
        assert one_opt.guarded_step(g, kept_one) == all_finite(three) is True
        np.testing.assert_array_equal(one, three)
        np.testing.assert_array_equal(kept_one, kept_three)
        for a, b in zip(one_opt.kernel_state(), three_opt.kernel_state()):
            np.testing.assert_array_equal(a, b)
    assert one_opt.steps == three_opt.steps == len(gradients)
    assert not np.array_equal(one, start)


@pytest.mark.parametrize("optimizer", OPTIMIZERS, ids=lambda o: "-".join(str(v) for v in o.values()))
@pytest.mark.parametrize("where", [0, 4_999, 10_000])
@pytest.mark.parametrize("bad", [np.inf, -np.inf, np.nan])
def test_a_non_finite_new_weight_anywhere_is_reported(optimizer, where, bad):
    params, kept = np.ones(10_001, np.float32), np.empty(10_001, np.float32)
    opt = make(optimizer, params)
    grads = np.full(params.size, 0.1, np.float32)
    grads[where] = bad
    assert not opt.guarded_step(grads, kept)
    assert not np.isfinite(params[where])
    np.testing.assert_array_equal(kept, np.ones_like(kept))  # the old weights are kept all the same


def test_mismatched_buffers_are_refused_in_one_line():
    params = np.zeros(10, np.float32)
    opt = make({"name": "adam"}, params)
    with pytest.raises(ValueError, match="previous must match params"):
        opt.guarded_step(np.zeros(10, np.float32), np.zeros(9, np.float32))
    with pytest.raises(ValueError, match="grads must match params"):
        opt.guarded_step(np.zeros(10, np.float64), np.zeros(10, np.float32))
