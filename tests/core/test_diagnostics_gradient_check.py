"""The gradient check passes on correct backprop and catches a deliberately broken layer."""

import numpy as np
import pytest

from core.diagnostics import check_gradients
from core.diagnostics.gradient_check import (
    DEFAULT_TOLERANCE, central_difference, relative_error, relative_error_floor,
)
from core.layers.dense_block import DenseBlock
from core.network import Network
from core.spec import default_spec


def batch(n=12, d=3, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)).astype(np.float32), rng.integers(0, classes, size=n)


def network(batch_norm=False, dropout=0.0, activation="tanh"):
    spec = default_spec(3, 3, hidden=(5, 4), activation=activation).to_json()
    for layer in spec["layers"][:-1]:
        layer["batch_norm"], layer["dropout"] = batch_norm, dropout
    return Network.from_spec(spec)


@pytest.mark.parametrize("options", [{}, {"batch_norm": True, "dropout": 0.3}, {"activation": "gelu"}])
def test_correct_backprop_passes_in_every_layer(options):
    net = network(**options)
    before = net.params.copy()
    results = check_gradients(net, *batch())
    assert [r.layer_name for r in results] == net.layer_names
    assert all(r.passed for r in results), results
    assert [r.checked_entries for r in results] == [20, 20, 15]  # the output layer has only 4·3 + 3 entries
    np.testing.assert_array_equal(net.params, before)  # the check works on a copy


def test_finite_difference_round_off_on_a_zero_gradient_is_not_an_error():
    """Another BLAS kernel made a batch-norm layer's bias gradient exactly 0 against 1.1e-10 of finite-difference
    round-off (one ulp of a loss near 1, divided by 2ε = 2e-6); the old fixed floor of 1e-6 called that a
    relative error of 1.1e-4, a false failure. Ten ulps must pass; a real error of 1e-7 must still fail."""
    floor = relative_error_floor(loss=1.1, eps=1e-6)
    ulp_noise = np.finfo(np.float64).eps * 1.1 / 2e-6
    assert relative_error(0.0, ulp_noise, floor) < DEFAULT_TOLERANCE / 10
    assert relative_error(0.0, 10 * ulp_noise, floor) < DEFAULT_TOLERANCE
    assert relative_error(0.0, 1e-7, floor) > DEFAULT_TOLERANCE
    assert relative_error(2e-3, 2.001e-3, floor) > DEFAULT_TOLERANCE  # a 0.05 % error on a normal-size entry


def test_central_difference_matches_a_hand_derivative_and_restores_the_entry():
    """The finite difference on its own (the network tests' reference gradients use it too): d/dv₁ of v₀·v₁³ at
    (2, 3) is 2·3·3² = 54, exact up to the O(ε²) term 2ε² = 2e-8."""
    values = np.array([2.0, 3.0])
    derivative = central_difference(lambda: values[0] * values[1] ** 3, values, 1, 1e-4)
    assert derivative == pytest.approx(54.0, abs=1e-6)
    np.testing.assert_array_equal(values, [2.0, 3.0])


def test_the_floor_follows_the_loss_and_the_step():
    assert relative_error_floor(100.0, 1e-6) == pytest.approx(100 * relative_error_floor(1.0, 1e-6))
    assert relative_error_floor(1.0, 1e-4) < relative_error_floor(1.0, 1e-6)
    assert relative_error_floor(1.0, 1.0) == 1e-6  # never below the fixed minimum


def test_a_corrupted_layer_backward_is_caught(monkeypatch):
    original = DenseBlock.backward

    def broken_backward(self, grad_out, need_input_grad=True):
        result = original(self, grad_out, need_input_grad)
        if self.name == "layer 2 (tanh)":
            self.views.grad_weight *= 1.05  # a 5 % error in one layer's weight gradient
        return result

    monkeypatch.setattr(DenseBlock, "backward", broken_backward)
    results = check_gradients(network(), *batch(), max_entries_per_layer=40)
    assert [r.passed for r in results] == [True, False, True]
    assert results[1].max_relative_error > 1e-2
    assert results[1].worst_analytic == pytest.approx(1.05 * results[1].worst_numeric, rel=1e-4)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="eps"):
        check_gradients(network(), *batch(), eps=0.0)


def test_a_nan_gradient_fails_its_layer(monkeypatch):
    """NaN compares False with everything: a layer whose backprop gives NaN must fail, not pass with error 0."""
    original = DenseBlock.backward

    def nan_backward(self, grad_out, need_input_grad=True):
        result = original(self, grad_out, need_input_grad)
        if self.name == "layer 2 (tanh)":
            self.views.grad_weight[...] = np.nan
        return result

    monkeypatch.setattr(DenseBlock, "backward", nan_backward)
    results = check_gradients(network(), *batch(), max_entries_per_layer=40)
    assert [r.passed for r in results] == [True, False, True]
    assert results[1].max_relative_error == np.inf
