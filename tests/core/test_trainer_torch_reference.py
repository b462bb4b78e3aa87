"""The Trainer against a hand-written PyTorch loop: same initial weights, same batches, same order of
operations (cross-entropy + L2 term → clip by global norm → Adam step), same weights afterwards."""

import numpy as np
import pytest

from core.data import playground, prepare
from core.network import Network
from core.spec import default_spec
from core.training import Trainer
from core.training.rng_streams import training_streams


@pytest.mark.torch
@pytest.mark.parametrize("fast_path", [True, False], ids=["fused", "general"])
def test_two_epochs_match_pytorch(fast_path):
    torch = pytest.importorskip("torch")
    data = prepare(playground("spiral", num_points=120, noise=0.1, seed=1), val_fraction=0.2)
    spec = default_spec(2, 2, hidden=(8, 8), activation="tanh").to_json()
    spec["training"].update(epochs=2, batch_size=16, l2=0.01, seed=3, optimizer={"name": "adam", "lr": 0.01},
                            clipping={"mode": "norm", "value": 0.5})
    net = Network.from_spec(spec)
    weights = [(w.copy(), b.copy()) for (_, w), (_, b) in zip(net.parameters()[0::2], net.parameters()[1::2])]
    trainer = Trainer(net, data, report_every=0, fast_path=fast_path)
    assert (trainer.fused is not None) == fast_path
    list(trainer.run())

    torch.manual_seed(0)
    layers = []
    for w, b in weights:
        linear = torch.nn.Linear(*w.shape)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(w.T.copy()))
            linear.bias.copy_(torch.from_numpy(b))
        layers.append(linear)
    model = torch.nn.Sequential(layers[0], torch.nn.Tanh(), layers[1], torch.nn.Tanh(), layers[2])
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    x, y = torch.from_numpy(data.x_train), torch.from_numpy(data.y_train)
    shuffle = training_streams(3)["shuffle"]
    for _ in range(2):
        order = torch.from_numpy(shuffle.permutation(len(x)))
        for start in range(0, len(x), 16):
            rows = order[start:start + 16]
            optimizer.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(x[rows]), y[rows])
            loss = loss + 0.01 / 2 * sum((layer.weight ** 2).sum() for layer in layers)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 0.5)
            optimizer.step()

    for (name, ours), layer in zip(net.parameters()[0::2], layers):
        np.testing.assert_allclose(ours, layer.weight.detach().numpy().T, rtol=1e-4, atol=1e-5, err_msg=name)
    for (name, ours), layer in zip(net.parameters()[1::2], layers):
        np.testing.assert_allclose(ours, layer.bias.detach().numpy(), rtol=1e-4, atol=1e-5, err_msg=name)
