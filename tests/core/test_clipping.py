"""Gradient clipping: by value, by global norm, unit-wise adaptive (AGC) against hand computations."""

from __future__ import annotations

import numpy as np
import pytest

from core.clipping import clip_gradients


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_value_clipping_clamps_each_entry_and_returns_the_norm_before(dtype: type) -> None:
    grads = np.array([3.0, -0.5, -4.0, 0.25], dtype=dtype)
    norm = clip_gradients(grads, "value", 1.0)
    assert norm == pytest.approx(np.sqrt(9 + 0.25 + 16 + 0.0625), rel=1e-6)
    np.testing.assert_array_equal(grads, np.array([1.0, -0.5, -1.0, 0.25], dtype=dtype))


def test_norm_clipping_rescales_to_the_threshold() -> None:
    grads = np.array([3.0, 4.0])  # norm 5
    assert clip_gradients(grads, "norm", 1.0) == pytest.approx(5.0)
    np.testing.assert_allclose(grads, [3.0 / (5 + 1e-6), 4.0 / (5 + 1e-6)])
    assert np.linalg.norm(grads) == pytest.approx(1.0, abs=1e-6)


def test_norm_clipping_leaves_a_small_gradient_alone() -> None:
    grads = np.array([0.3, 0.4])
    assert clip_gradients(grads, "norm", 1.0) == pytest.approx(0.5)
    np.testing.assert_array_equal(grads, [0.3, 0.4])


def test_none_only_measures() -> None:
    grads = np.array([30.0, 40.0])
    assert clip_gradients(grads, "none", 1.0) == pytest.approx(50.0)
    np.testing.assert_array_equal(grads, [30.0, 40.0])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_agc_limits_each_output_unit_by_its_weight_norm(dtype: type) -> None:
    # a flat buffer holding W (2 in × 3 out) then b (3); views into it, as the network hands them over
    params = np.array([3.0, 0.0, 1.0, 4.0, 0.0, 0.0, 0.5, 0.5, 0.5], dtype=dtype)
    grads = np.array([6.0, 0.1, 0.0, 8.0, 0.0, 0.3, 0.1, 0.0, 0.0], dtype=dtype)
    w, gw = params[:6].reshape(2, 3), grads[:6].reshape(2, 3)
    b, gb = params[6:], grads[6:]
    norm = clip_gradients(grads, "agc", 0.5, params=params, layer_weight_views=[(w, gw), (b, gb)])
    assert norm == pytest.approx(np.sqrt(36 + 0.01 + 64 + 0.09 + 0.01), rel=1e-6)
    # unit 0: ‖w‖ = 5, ‖g‖ = 10 > 0.5·5 → scaled by 2.5/10
    np.testing.assert_allclose(grads[[0, 3]], [6.0 * 0.25, 8.0 * 0.25], rtol=1e-6)
    # unit 1: ‖w‖ = 0 → max(0, 1e-3)·0.5 = 5e-4 limit; ‖g‖ = 0.1 → scaled to 5e-4
    np.testing.assert_allclose(grads[[1, 4]], [5e-4, 0.0], rtol=1e-5)
    # unit 2: ‖w‖ = 1, ‖g‖ = 0.3 ≤ 0.5 → unchanged
    np.testing.assert_allclose(grads[[2, 5]], [0.0, 0.3], rtol=1e-6)
    # the bias vector is one unit: ‖b‖ = √0.75, limit 0.433 > ‖g‖ = 0.1 → unchanged
    np.testing.assert_allclose(grads[6:], [0.1, 0.0, 0.0], rtol=1e-6)


def test_agc_without_layer_views_says_what_it_needs() -> None:
    with pytest.raises(ValueError, match="layer_weight_views"):
        clip_gradients(np.ones(3), "agc", 1.0)


@pytest.mark.parametrize("mode, value, message", [("clamp", 1.0, "mode must be one of"),
                                                  ("norm", 0.0, "value .* must be > 0, got 0.0")])
def test_bad_settings_are_named(mode: str, value: float, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        clip_gradients(np.ones(3), mode, value)


def test_value_clipping_keeps_nan_visible() -> None:
    grads = np.array([np.nan, 5.0])
    clip_gradients(grads, "value", 1.0)
    assert np.isnan(grads[0]) and grads[1] == 1.0
