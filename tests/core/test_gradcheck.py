"""Backprop against central finite differences (float64, relative error ≤ 1e-6) for every activation × loss,
batch norm in training and evaluation mode, dropout with fixed masks, residual skips and uneven deep stacks,
with respect to the parameters and to the input."""

from __future__ import annotations

import numpy as np
import pytest

from core.network import Network
from core.spec import HIDDEN_ACTIVATIONS, LOSSES
from tests.core.gradcheck_helpers import check_gradients, make_data, make_spec

TOLERANCE = 1e-6


def _net(spec: dict) -> Network:
    """A float64 network with non-zero biases, so no ReLU sits exactly on its kink (where backprop takes the
    derivative 0 and finite differences average the two sides)."""
    net = Network.from_spec(spec, seed=5, dtype="float64")
    rng = np.random.default_rng(9)
    for name, view in net.parameters():
        if name.endswith(".bias") and ".bn." not in name:
            view[:] = rng.normal(0.0, 0.2, view.shape)
    return net


@pytest.mark.parametrize("loss", list(LOSSES))
@pytest.mark.parametrize("activation", HIDDEN_ACTIVATIONS)
def test_every_activation_with_every_loss(activation, loss):
    # Regression losses also use the activation on the output layer, so each one is checked there too.
    hidden = [{"units": 4, "activation": activation, "leaky_slope": 0.1}] * 2
    net = _net(make_spec(3, hidden, loss, output_activation=activation))
    x, y = make_data(net, 6)
    error, error_x = check_gradients(net, x, y)
    assert error <= TOLERANCE
    assert error_x <= TOLERANCE


@pytest.mark.parametrize("training", [True, False], ids=["train-mode", "eval-mode"])
@pytest.mark.parametrize("loss,activation", [("cross_entropy", "tanh"), ("mse", "relu"),
                                             ("binary_cross_entropy", "gelu"), ("huber", "elu")])
def test_batch_norm(loss, activation, training):
    hidden = [{"units": 5, "activation": activation, "batch_norm": True}] * 2
    net = _net(make_spec(3, hidden, loss, output_activation="linear"))
    x, y = make_data(net, 7)
    if not training:  # give the running statistics values that are not the identity
        rng = np.random.default_rng(1)
        for name, buffer in net.named_buffers():
            buffer[:] = rng.uniform(0.5, 2.0, buffer.shape) if "var" in name else rng.normal(size=buffer.shape)
    rng = np.random.default_rng(2)
    for name, view in net.parameters():  # γ, β away from 1, 0
        if ".bn." in name:
            view[:] = rng.uniform(0.5, 1.5, view.shape)
    error, error_x = check_gradients(net, x, y, training=training)
    assert error <= TOLERANCE
    assert error_x <= TOLERANCE


@pytest.mark.parametrize("loss", ["cross_entropy", "mse"])
def test_dropout_with_fixed_masks(loss):
    hidden = [{"units": 6, "activation": "tanh", "dropout": 0.4}, {"units": 6, "activation": "relu",
                                                                    "dropout": 0.25}]
    net = _net(make_spec(3, hidden, loss))
    x, y = make_data(net, 8)
    error, error_x = check_gradients(net, x, y, training=True)
    masks = [block.last_mask for block in net.blocks[:2]]
    assert all(mask is not None and (mask == 0).any() and (mask > 1).any() for mask in masks)
    assert error <= TOLERANCE
    assert error_x <= TOLERANCE


@pytest.mark.parametrize("activation", ["tanh", "leaky_relu", "softplus"])
def test_residual_skips(activation):
    hidden = [{"units": 4, "activation": activation},
              {"units": 4, "activation": activation, "residual": True},
              {"units": 4, "activation": activation, "residual": True, "batch_norm": True, "dropout": 0.2}]
    net = _net(make_spec(3, hidden, "cross_entropy"))
    x, y = make_data(net, 6)
    error, error_x = check_gradients(net, x, y, training=True)
    assert error <= TOLERANCE
    assert error_x <= TOLERANCE


def test_residual_skip_on_the_first_layer_passes_the_input_gradient_through():
    hidden = [{"units": 3, "activation": "sigmoid", "residual": True}]
    net = _net(make_spec(3, hidden, "mae"))
    x, y = make_data(net, 5)
    error, error_x = check_gradients(net, x, y)
    assert error <= TOLERANCE
    assert error_x <= TOLERANCE


@pytest.mark.parametrize("training", [True, False])
def test_uneven_deep_stack_with_everything(training):
    hidden = [{"units": 7, "activation": "elu", "batch_norm": True},
              {"units": 3, "activation": "gelu", "dropout": 0.3},
              {"units": 3, "activation": "leaky_relu", "leaky_slope": 0.2, "residual": True, "batch_norm": True},
              {"units": 6, "activation": "sigmoid"},
              {"units": 2, "activation": "softplus", "init": "lecun_normal"}]
    net = _net(make_spec(4, hidden, "binary_cross_entropy", output_units=3))
    x, y = make_data(net, 9)
    error, error_x = check_gradients(net, x, y, training=training)
    assert error <= TOLERANCE
    assert error_x <= TOLERANCE


def test_float32_gradients_agree_with_float64():
    spec = make_spec(3, [{"units": 5, "activation": "tanh", "batch_norm": True}], "cross_entropy")
    nets = [Network.from_spec(spec, seed=4, dtype=d) for d in ("float64", "float32")]
    x, y = make_data(nets[0], 16)
    for training in (True, False):
        losses = [net.loss_and_grad(x, y, training=training) for net in nets]
        assert nets[1].grads.dtype == np.float32
        assert losses[1] == pytest.approx(losses[0], rel=1e-5)
        np.testing.assert_allclose(nets[1].grads, nets[0].grads, rtol=1e-3, atol=1e-5)
