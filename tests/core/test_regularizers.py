"""L1/L2 penalty terms and decoupled weight decay: hand-computed values, the weight mask, both precisions."""

from __future__ import annotations

import numpy as np
import pytest

from core.regularizers import apply_decoupled_weight_decay, regularization_loss_and_grad


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_penalty_and_its_gradient_by_hand(dtype: type) -> None:
    params = np.array([2.0, -1.0, 0.0, 3.0], dtype=dtype)
    grads = np.array([0.5, 0.5, 0.5, 0.5], dtype=dtype)
    mask = np.array([True, True, True, False])  # the last entry is a bias
    loss = regularization_loss_and_grad(params, grads, mask, l1=0.1, l2=0.2)
    # λ1·(2 + 1 + 0) + λ2/2·(4 + 1 + 0)
    assert loss == pytest.approx(0.3 + 0.5)
    np.testing.assert_allclose(grads, [0.5 + 0.1 + 0.4, 0.5 - 0.1 - 0.2, 0.5, 0.5], rtol=1e-6)


def test_gradient_is_the_derivative_of_the_penalty() -> None:
    rng = np.random.default_rng(0)
    params = rng.normal(size=20)
    mask = rng.random(20) > 0.3

    def penalty(p: np.ndarray) -> float:
        return regularization_loss_and_grad(p, np.zeros_like(p), mask, 0.03, 0.7)

    grads = np.zeros(20)
    regularization_loss_and_grad(params, grads, mask, 0.03, 0.7)
    h = 1e-6
    numeric = [(penalty(params + h * e) - penalty(params - h * e)) / (2 * h) for e in np.eye(20)]
    np.testing.assert_allclose(grads, numeric, atol=1e-6)
    assert np.all(grads[~mask] == 0.0)


def test_no_mask_means_every_entry_and_zero_strength_does_nothing() -> None:
    params, grads = np.array([1.0, -2.0]), np.zeros(2)
    assert regularization_loss_and_grad(params, grads, None, 0.0, 1.0) == pytest.approx(2.5)
    np.testing.assert_allclose(grads, [1.0, -2.0])
    assert regularization_loss_and_grad(params, grads, None, 0.0, 0.0) == 0.0
    np.testing.assert_allclose(grads, [1.0, -2.0])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_decoupled_weight_decay_shrinks_only_the_weights(dtype: type) -> None:
    params = np.array([1.0, -2.0, 4.0], dtype=dtype)
    apply_decoupled_weight_decay(params, np.array([True, True, False]), lr=0.1, decay=0.5)
    np.testing.assert_allclose(params, [0.95, -1.9, 4.0], rtol=1e-6)


def test_bad_inputs_are_named() -> None:
    params = np.ones(3)
    with pytest.raises(ValueError, match="l2 must be a finite number ≥ 0, got -1.0"):
        regularization_loss_and_grad(params, np.zeros(3), None, 0.0, -1.0)
    with pytest.raises(ValueError, match="weight_mask must be a boolean array"):
        regularization_loss_and_grad(params, np.zeros(3), np.ones(3), 0.1, 0.0)
    with pytest.raises(ValueError, match="decoupled_weight_decay"):
        apply_decoupled_weight_decay(params, None, 0.1, float("nan"))
