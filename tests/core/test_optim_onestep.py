"""One or two steps computed by hand for SGD, momentum, Nesterov, Adam and AdamW, in float32 and float64."""

from __future__ import annotations

import numpy as np
import pytest

from core.optimizers import SGD, Adam, AdamW, Momentum, Nesterov

DTYPES = [np.float32, np.float64]


@pytest.mark.parametrize("dtype", DTYPES)
def test_sgd_step(dtype: type) -> None:
    params = np.array([1.0, -2.0], dtype=dtype)
    SGD(params, lr=0.1).step(np.array([0.5, -1.0], dtype=dtype))
    np.testing.assert_allclose(params, [0.95, -1.9], rtol=1e-6)
    assert params.dtype == dtype


def test_sgd_with_coupled_weight_decay() -> None:
    params = np.array([1.0, -2.0])
    SGD(params, lr=0.1, weight_decay=0.5).step(np.array([0.5, -1.0]))
    # g + wd·w = [1.0, -2.0]
    np.testing.assert_allclose(params, [0.9, -1.8])


@pytest.mark.parametrize("dtype", DTYPES)
def test_momentum_two_steps(dtype: type) -> None:
    params = np.array([1.0], dtype=dtype)
    optimizer = Momentum(params, lr=0.1)  # momentum 0.9
    grads = np.array([1.0], dtype=dtype)
    optimizer.step(grads)  # buffer = g = 1 → w = 0.9
    optimizer.step(grads)  # buffer = 0.9·1 + 1 = 1.9 → w = 0.9 − 0.19
    np.testing.assert_allclose(params, [0.71], rtol=1e-6)
    np.testing.assert_allclose(optimizer.state["momentum_buffer"], [1.9], rtol=1e-6)


def test_nesterov_two_steps() -> None:
    params = np.array([1.0])
    optimizer = Nesterov(params, lr=0.1)
    optimizer.step(np.array([1.0]))  # buffer 1, step g + 0.9·1 = 1.9 → 0.81
    optimizer.step(np.array([1.0]))  # buffer 1.9, step 1 + 0.9·1.9 = 2.71 → 0.539
    np.testing.assert_allclose(params, [0.539])


@pytest.mark.parametrize("dtype", DTYPES)
def test_adam_first_step_moves_each_weight_by_lr(dtype: type) -> None:
    params = np.array([1.0, 1.0, 1.0], dtype=dtype)
    Adam(params, lr=0.01).step(np.array([4.0, -0.1, 0.0], dtype=dtype))
    # bias-corrected m̂ = g, v̂ = g² → step = lr·g/(|g| + 1e-8)
    np.testing.assert_allclose(params, [1.0 - 0.01 * 4 / (4 + 1e-8), 1.0 + 0.01 * 0.1 / (0.1 + 1e-8), 1.0],
                               rtol=1e-6)


def test_adam_second_step_by_hand() -> None:
    params = np.array([0.0])
    optimizer = Adam(params, lr=0.1)
    optimizer.step(np.array([1.0]))
    optimizer.step(np.array([3.0]))
    m = 0.9 * 0.1 + 0.1 * 3.0  # 0.39
    v = 0.999 * 0.001 + 0.001 * 9.0  # 0.009999
    m_hat, v_hat = m / (1 - 0.9 ** 2), v / (1 - 0.999 ** 2)
    expected = -0.1 / (1 + 1e-8) - 0.1 * m_hat / (np.sqrt(v_hat) + 1e-8)
    np.testing.assert_allclose(params, [expected], rtol=1e-12)


def test_adamw_decays_the_weight_apart_from_the_gradient() -> None:
    params = np.array([2.0, 2.0])
    AdamW(params, lr=0.1, weight_decay=0.5).step(np.array([1.0, 0.0]))
    # w·(1 − 0.1·0.5) then the Adam step (±lr where g ≠ 0)
    np.testing.assert_allclose(params, [2.0 * 0.95 - 0.1 / (1 + 1e-8), 2.0 * 0.95], rtol=1e-12)


def test_the_gradient_buffer_is_not_modified() -> None:
    params, grads = np.array([1.0, 2.0]), np.array([0.5, 0.5])
    Adam(params, weight_decay=0.1).step(grads)
    np.testing.assert_array_equal(grads, [0.5, 0.5])
