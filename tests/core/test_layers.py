"""The dense block's parts on their own: activations' values, dropout (inverted, off at inference) and batch
norm (batch statistics and running updates in training, running statistics in evaluation)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core.activations import ACTIVATION_CODES, activate, activation_code, apply_output_activation
from core.network import Network
from core.spec import HIDDEN_ACTIVATIONS
from tests.core.gradcheck_helpers import make_spec

Z = np.array([[-30.0, -2.0, -0.5, 0.0], [0.3, 1.0, 2.5, 40.0]])
C = math.sqrt(2 / math.pi)
EXPECTED = {
    "linear": Z,
    "sigmoid": 1 / (1 + np.exp(-Z)),
    "tanh": np.tanh(Z),
    "relu": np.maximum(Z, 0),
    "leaky_relu": np.where(Z > 0, Z, 0.2 * Z),
    "elu": np.where(Z > 0, Z, np.expm1(np.minimum(Z, 0))),
    "gelu": 0.5 * Z * (1 + np.tanh(C * (Z + 0.044715 * Z ** 3))),
    "softplus": np.log1p(np.exp(Z)),
}


def test_every_hidden_activation_has_a_kernel():
    assert set(ACTIVATION_CODES) == set(HIDDEN_ACTIVATIONS)
    with pytest.raises(ValueError, match="softmax"):
        activation_code("softmax")


@pytest.mark.parametrize("name", HIDDEN_ACTIVATIONS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_activation_values(name, dtype):
    got = activate(name, Z.astype(dtype), slope=0.2)
    assert got.dtype == dtype
    np.testing.assert_allclose(got, EXPECTED[name], rtol=1e-6 if dtype == np.float32 else 1e-12, atol=1e-7)


def test_activations_are_stable_at_extremes():
    z = np.array([[-1000.0, 1000.0]])
    with np.errstate(all="raise"):
        np.testing.assert_array_equal(activate("sigmoid", z), [[0.0, 1.0]])
        np.testing.assert_array_equal(activate("softplus", z), [[0.0, 1000.0]])
        probabilities = apply_output_activation("softmax", np.array([[1000.0, 0.0, -1000.0]]))
    np.testing.assert_allclose(probabilities, [[1.0, 0.0, 0.0]])


def _dropout_net(p: float) -> Network:
    spec = make_spec(5, [{"units": 400, "activation": "relu", "dropout": p}], "mse")
    return Network.from_spec(spec, seed=0, dtype="float64")


def test_dropout_is_off_at_inference():
    net = _dropout_net(0.5)
    x = np.random.default_rng(0).normal(size=(20, 5))
    first = net.forward(x, training=False).copy()
    np.testing.assert_array_equal(net.forward(x, training=False), first)
    assert net.blocks[0].last_mask is None
    reference = Network.from_spec(make_spec(5, [{"units": 400, "activation": "relu"}], "mse"), seed=0,
                                  dtype="float64")
    np.testing.assert_array_equal(reference.forward(x, training=False), first)


@pytest.mark.parametrize("p", [0.2, 0.5])
def test_dropout_in_training_zeroes_a_fraction_p_and_scales_the_rest(p):
    net = _dropout_net(p)
    x = np.random.default_rng(0).normal(size=(50, 5))
    net.forward(x, training=False)
    clean = net.blocks[0].last_output.copy()
    net.forward(x, training=True, rng=np.random.default_rng(1))
    dropped = net.blocks[0].last_output
    mask = net.blocks[0].last_mask
    assert set(np.unique(mask)) == {0.0, 1 / (1 - p)}
    assert np.mean(mask == 0) == pytest.approx(p, abs=0.02)  # 20,000 draws
    np.testing.assert_allclose(dropped, clean * mask)


def test_dropout_masks_repeat_bit_for_bit_with_the_same_seed():
    net = _dropout_net(0.3)
    x = np.random.default_rng(0).normal(size=(8, 5))
    runs = [net.forward(x, training=True, rng=np.random.default_rng(42)).copy() for _ in range(2)]
    other = net.forward(x, training=True, rng=np.random.default_rng(43))
    np.testing.assert_array_equal(runs[0], runs[1])
    assert not np.array_equal(runs[0], other)


def _batch_norm_net() -> Network:
    spec = make_spec(3, [{"units": 4, "activation": "linear", "batch_norm": True}], "mse")
    return Network.from_spec(spec, seed=0, dtype="float64")


def _pre_norm(net: Network, x: np.ndarray) -> np.ndarray:
    params = dict(net.parameters())
    return x @ params["layers.0.weight"] + params["layers.0.bias"]


def test_batch_norm_training_normalises_with_batch_statistics_and_updates_running_ones():
    net = _batch_norm_net()
    x = np.random.default_rng(0).normal(3.0, 2.0, size=(32, 3))
    out = net.forward(x, training=True).copy()
    h = net.blocks[0].last_output
    np.testing.assert_allclose(h.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(h.var(axis=0), 1, rtol=1e-3)  # var/(var + eps)
    z = _pre_norm(net, x)
    buffers = dict(net.named_buffers())
    np.testing.assert_allclose(buffers["layers.0.bn.running_mean"], 0.1 * z.mean(axis=0))
    np.testing.assert_allclose(buffers["layers.0.bn.running_var"], 0.9 + 0.1 * z.var(axis=0, ddof=1))
    assert out.shape == (32, 2)


def test_batch_norm_evaluation_uses_running_statistics_and_leaves_them_alone():
    net = _batch_norm_net()
    x = np.random.default_rng(0).normal(size=(6, 3))
    buffers = dict(net.named_buffers())
    buffers["layers.0.bn.running_mean"][:] = [0.5, -1.0, 2.0, 0.0]
    buffers["layers.0.bn.running_var"][:] = [4.0, 0.25, 1.0, 9.0]
    gamma, beta = (dict(net.parameters())[f"layers.0.bn.{k}"] for k in ("weight", "bias"))
    gamma[:], beta[:] = [1.0, 2.0, 0.5, 1.5], [0.0, 1.0, -1.0, 0.5]
    before = net.buffers.copy()
    net.forward(x, training=False)
    expected = gamma * (_pre_norm(net, x) - buffers["layers.0.bn.running_mean"]) / np.sqrt(
        buffers["layers.0.bn.running_var"] + 1e-5) + beta
    np.testing.assert_allclose(net.blocks[0].last_output, expected, rtol=1e-12)
    np.testing.assert_array_equal(net.buffers, before)


def test_batch_norm_with_a_single_sample_stays_finite():
    net = _batch_norm_net()
    net.loss_and_grad(np.ones((1, 3)), np.ones((1, 2)))
    assert np.isfinite(net.buffers).all() and np.isfinite(net.grads).all()
