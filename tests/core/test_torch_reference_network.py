"""The network against PyTorch (float64, identical initial weights): forward outputs, loss, every parameter
gradient and batch-norm running statistics agree to 1e-5. Skipped where torch is not installed."""

from __future__ import annotations

import numpy as np
import pytest

from core.network import Network
from core.spec import HIDDEN_ACTIVATIONS, LOSSES
from tests.core.gradcheck_helpers import make_data, make_spec

torch = pytest.importorskip("torch")
nn = torch.nn
F = torch.nn.functional

pytestmark = pytest.mark.torch
TOLERANCE = 1e-5


def _torch_activation(name: str, slope: float):
    return {
        "linear": lambda z: z, "sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": F.relu,
        "leaky_relu": lambda z: F.leaky_relu(z, slope), "elu": F.elu,
        "gelu": lambda z: F.gelu(z, approximate="tanh"), "softplus": F.softplus,
        "softmax": lambda z: z, "fused": lambda z: z,  # fused losses read logits
    }[name]


class TorchBlock(nn.Module):
    """dense → BatchNorm1d → activation → × dropout mask → (+ x), built from our block's settings and weights."""

    def __init__(self, layer: dict, n_in: int, fused: bool):
        super().__init__()
        self.linear = nn.Linear(n_in, layer["units"], dtype=torch.float64)
        self.bn = nn.BatchNorm1d(layer["units"], eps=1e-5, momentum=0.1, dtype=torch.float64) \
            if layer["batch_norm"] else None
        self.activation = _torch_activation("fused" if fused else layer["activation"], layer["leaky_slope"])
        self.residual = layer["residual"]
        self.mask = None

    def forward(self, x):
        z = self.linear(x)
        if self.bn is not None:
            z = self.bn(z)
        a = self.activation(z)
        if self.mask is not None:
            a = a * self.mask
        return x + a if self.residual else a


def torch_name(name: str) -> str:
    """Our parameter name in the twin: "layers.0.weight" → "layers.0.linear.weight"; batch-norm names match."""
    return name if ".bn." in name else name.replace(".weight", ".linear.weight").replace(".bias", ".linear.bias")


def torch_twin(net: Network) -> nn.ModuleDict:
    """A torch model with our network's architecture and a copy of its current weights and buffers."""
    layers = net.to_spec()["layers"]
    widths = [net.input_size] + [layer["units"] for layer in layers]
    fused = net.loss.fused_activation is not None
    model = nn.Module()
    model.layers = nn.ModuleList(TorchBlock(layer, n_in, fused and i == len(layers) - 1)
                                 for i, (layer, n_in) in enumerate(zip(layers, widths)))
    state = {}
    for name, view in net.parameters():  # our weights are (in, out), torch's (out, in)
        state[torch_name(name)] = torch.tensor(view.T if view.ndim == 2 else view)
    for name, view in net.named_buffers():
        state[name] = torch.tensor(view)
    missing, unexpected = model.load_state_dict(state, strict=False)
    assert not unexpected and all(name.endswith("num_batches_tracked") for name in missing)
    return model


def torch_loss(name: str, output, y, delta: float):
    if name == "cross_entropy":
        return F.cross_entropy(output, torch.tensor(y))
    target = torch.tensor(y.reshape(output.shape))
    return {"binary_cross_entropy": lambda: F.binary_cross_entropy_with_logits(output, target),
            "mse": lambda: F.mse_loss(output, target), "mae": lambda: F.l1_loss(output, target),
            "huber": lambda: F.huber_loss(output, target, delta=delta)}[name]()


def compare(net: Network, x: np.ndarray, y: np.ndarray, training: bool) -> None:
    """Run both networks on the same batch (the same units dropped) and compare everything."""
    model = torch_twin(net)
    model.train(training)
    out = net.forward(x, training=training, rng=np.random.default_rng(4)).copy()
    loss, grad = net.loss.value_and_grad(out, y)
    net.backward(grad)
    for block, twin in zip(net.blocks, model.layers):
        # Which units the engine dropped comes from its mask; the 1/(1−p) scaling of the kept ones is computed
        # here, so an engine that forgot to scale (or scaled wrongly) no longer agrees with its own mask.
        mask = block.last_mask
        twin.mask = None if mask is None else torch.tensor((mask != 0) / (1.0 - block.dropout))
    h = torch.tensor(x)
    for twin in model.layers:
        h = twin(h)
    reference = torch_loss(net.loss.name, h, y, net.loss.huber_delta)
    reference.backward()
    np.testing.assert_allclose(out, h.detach().numpy(), rtol=TOLERANCE, atol=TOLERANCE)
    assert loss == pytest.approx(reference.item(), rel=TOLERANCE, abs=TOLERANCE)
    torch_grads = dict(model.named_parameters())
    for name, ours in net.named_grads():
        theirs = torch_grads[torch_name(name)].grad.numpy()
        np.testing.assert_allclose(ours, theirs.T if ours.ndim == 2 else theirs, rtol=TOLERANCE, atol=TOLERANCE,
                                   err_msg=name)
    buffers = dict(model.named_buffers())
    for name, ours in net.named_buffers():
        np.testing.assert_allclose(ours, buffers[name].numpy(), rtol=TOLERANCE, atol=TOLERANCE, err_msg=name)


def _float64_net(spec: dict) -> Network:
    net = Network.from_spec(spec, seed=8, dtype="float64")
    rng = np.random.default_rng(6)
    for _, view in net.parameters():  # biases, γ and β away from their starting values
        if view.ndim == 1:
            view += rng.normal(0.0, 0.3, view.shape)
    return net


@pytest.mark.parametrize("loss", list(LOSSES))
@pytest.mark.parametrize("activation", HIDDEN_ACTIVATIONS)
def test_forward_loss_and_gradients_match_torch(activation, loss):
    hidden = [{"units": 6, "activation": activation, "leaky_slope": 0.05}, {"units": 5, "activation": activation}]
    net = _float64_net(make_spec(4, hidden, loss, output_activation=activation))
    x, y = make_data(net, 10)
    compare(net, x, y, training=True)


@pytest.mark.parametrize("training", [True, False], ids=["train-mode", "eval-mode"])
def test_batch_norm_dropout_and_residual_match_torch(training):
    hidden = [{"units": 6, "activation": "gelu", "batch_norm": True},
              {"units": 6, "activation": "relu", "batch_norm": True, "dropout": 0.3, "residual": True},
              {"units": 6, "activation": "elu", "dropout": 0.2, "residual": True}]
    net = _float64_net(make_spec(4, hidden, "cross_entropy"))
    x, y = make_data(net, 12)
    if not training:
        for name, buffer in net.named_buffers():
            buffer[:] = np.linspace(0.5, 1.5, buffer.size) if "var" in name else np.linspace(-1, 1, buffer.size)
    compare(net, x, y, training=training)
    if training:  # the masks really dropped something
        assert any((block.last_mask == 0).any() for block in net.blocks if block.last_mask is not None)


def test_running_statistics_after_several_training_steps_match_torch():
    hidden = [{"units": 5, "activation": "tanh", "batch_norm": True}]
    net = _float64_net(make_spec(3, hidden, "mse"))
    model = torch_twin(net)
    model.train()
    rng = np.random.default_rng(0)
    for n in (8, 3, 16):
        x = rng.normal(2.0, 3.0, size=(n, 3))
        net.forward(x, training=True)
        model.layers[0](torch.tensor(x))
    bn = model.layers[0].bn
    (_, mean), (_, var) = net.named_buffers()
    np.testing.assert_allclose(mean, bn.running_mean.numpy(), rtol=1e-12)
    np.testing.assert_allclose(var, bn.running_var.numpy(), rtol=1e-12)
