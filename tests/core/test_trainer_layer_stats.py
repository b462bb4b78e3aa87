"""The Trainer's small kernels: the finite check of the hot path and the per-layer figures of a Snapshot."""

import numpy as np
import pytest

from core.kernels.batch_reductions import all_finite
from core.training.layer_stats import first_nonfinite_slice, layer_stats


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("bad", [np.inf, -np.inf, np.nan])
@pytest.mark.parametrize("where", [0, 517, 1022])
def test_all_finite_finds_any_bad_entry(dtype, bad, where):
    values = np.random.default_rng(0).normal(scale=1e30 if dtype == np.float64 else 1e3, size=1023).astype(dtype)
    assert all_finite(values)
    values[where] = bad
    assert not all_finite(values)


def test_all_finite_of_huge_but_finite_values_and_of_nothing():
    assert all_finite(np.full(100, np.finfo(np.float32).max, dtype=np.float32))
    assert all_finite(np.zeros(0, dtype=np.float32))


def test_first_nonfinite_slice():
    values = np.zeros(10, dtype=np.float32)
    starts, stops = np.array([0, 4, 7]), np.array([4, 7, 10])
    assert first_nonfinite_slice(values, starts, stops) == -1
    values[8] = np.nan
    values[5] = np.inf
    assert first_nonfinite_slice(values, starts, stops) == 1


def test_layer_stats_match_numpy():
    rng = np.random.default_rng(1)
    params, grads = rng.normal(size=12).astype(np.float32), rng.normal(size=12).astype(np.float32)
    previous = params - rng.normal(scale=0.01, size=12).astype(np.float32)
    mask = np.array([1, 1, 1, 0, 1, 1, 1, 1, 1, 0, 0, 0], dtype=np.float32)  # weights, then biases
    starts, stops = np.array([0, 4]), np.array([4, 12])
    stats = layer_stats(params, grads, previous, mask, starts, stops)
    for i, (a, b) in enumerate(zip(starts, stops)):
        w = mask[a:b].astype(bool)
        assert stats.grad_norms[i] == pytest.approx(np.linalg.norm(grads[a:b].astype(np.float64)))
        assert stats.grad_mean_abs[i] == pytest.approx(np.abs(grads[a:b].astype(np.float64)).mean())
        weights = params[a:b][w].astype(np.float64)
        assert stats.weight_norms[i] == pytest.approx(np.linalg.norm(weights))
        delta = weights - previous[a:b][w].astype(np.float64)
        assert stats.update_ratios[i] == pytest.approx(np.linalg.norm(delta) / np.linalg.norm(weights))
