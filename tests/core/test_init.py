"""Initialisers: the variance each promises, seeded determinism, and how a network starts."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core.initializers import INITIALIZER_NAMES, init_variance, initial_weights, initialize_into
from core.network import Network
from core.spec import INITIALIZERS
from tests.core.gradcheck_helpers import make_spec

FAN_IN, FAN_OUT = 300, 200


def test_every_spec_initialiser_but_auto_is_implemented():
    assert set(INITIALIZER_NAMES) == set(INITIALIZERS) - {"auto"}


@pytest.mark.parametrize("name", [n for n in INITIALIZER_NAMES if n != "zeros"])
def test_variance_matches_theory(name):
    w = initial_weights(name, FAN_IN, FAN_OUT, np.random.default_rng(0))
    expected = {"xavier": 2 / (FAN_IN + FAN_OUT), "he": 2 / FAN_IN, "lecun": 1 / FAN_IN}[name.split("_")[0]]
    assert init_variance(name, FAN_IN, FAN_OUT) == pytest.approx(expected)
    assert w.shape == (FAN_IN, FAN_OUT)
    assert w.var() == pytest.approx(expected, rel=0.03)  # 60,000 draws: sampling error ≈ 0.6–0.8 %
    assert abs(w.mean()) < 4 * math.sqrt(expected / w.size)
    if name.endswith("uniform"):
        limit = math.sqrt(3 * expected)
        assert np.abs(w).max() <= limit
        assert np.abs(w).max() > 0.99 * limit
    else:  # a normal distribution has ~0.27 % of its draws beyond 3σ
        assert 0.001 < np.mean(np.abs(w) > 3 * math.sqrt(expected)) < 0.005


def test_zeros_are_zeros():
    assert not initial_weights("zeros", 4, 3, np.random.default_rng(0)).any()


@pytest.mark.parametrize("name", INITIALIZER_NAMES)
def test_same_seed_same_weights_other_seed_other_weights(name):
    a, b, c = (initial_weights(name, 5, 4, np.random.default_rng(seed)) for seed in (1, 1, 2))
    np.testing.assert_array_equal(a, b)
    assert name == "zeros" or not np.array_equal(a, c)


def test_initialize_into_fills_a_float32_view_in_place():
    buffer = np.zeros(20, np.float32)
    view = buffer[4:16].reshape(3, 4)
    initialize_into("he_normal", view, np.random.default_rng(3))
    expected = initial_weights("he_normal", 3, 4, np.random.default_rng(3)).astype(np.float32)
    np.testing.assert_array_equal(buffer[4:16], expected.ravel())
    assert not buffer[:4].any() and not buffer[16:].any()


def _spec(**first_layer):
    return make_spec(3, [{"units": 64, "activation": "relu", **first_layer}, {"units": 64, "activation": "tanh"}],
                     "mse", output_activation="linear")


def test_network_start_is_seeded_and_dtype_independent():
    a = Network.from_spec(_spec(), seed=7)
    b = Network.from_spec(_spec(), seed=7)
    c = Network.from_spec(_spec(), seed=8)
    d = Network.from_spec(_spec(), seed=7, dtype="float64")
    np.testing.assert_array_equal(a.params, b.params)
    assert not np.array_equal(a.params, c.params)
    np.testing.assert_array_equal(a.params, d.params.astype(np.float32))


def test_network_start_uses_the_seed_from_the_spec_by_default():
    spec = _spec()
    spec["training"]["seed"] = 12
    np.testing.assert_array_equal(Network.from_spec(spec).params, Network.from_spec(spec, seed=12).params)


def test_auto_init_is_he_for_relu_and_xavier_for_tanh_and_biases_start_at_zero():
    net = Network.from_spec(make_spec(400, [{"units": 300, "activation": "relu", "batch_norm": True},
                                            {"units": 300, "activation": "tanh"}], "mse"), seed=0)
    params = dict(net.parameters())
    assert params["layers.0.weight"].var() == pytest.approx(2 / 400, rel=0.03)
    assert params["layers.1.weight"].var() == pytest.approx(2 / 600, rel=0.03)
    assert not params["layers.0.bias"].any() and not params["layers.1.bias"].any()
    assert (params["layers.0.bn.weight"] == 1).all() and not params["layers.0.bn.bias"].any()
    buffers = dict(net.named_buffers())
    assert not buffers["layers.0.bn.running_mean"].any() and (buffers["layers.0.bn.running_var"] == 1).all()


def test_explicit_initialiser_in_the_spec_is_used():
    net = Network.from_spec(_spec(init="zeros"), seed=0)
    params = dict(net.parameters())
    assert not params["layers.0.weight"].any()
    assert params["layers.1.weight"].any()
