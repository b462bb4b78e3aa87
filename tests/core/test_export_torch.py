"""PyTorch export: the generated model.py, loaded with torch, gives the engine's predictions and can keep training.

Torch is only a test dependency: these tests are skipped where it is absent and the exporter never imports it.
"""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys

import numpy as np
import pytest

from core.export import ExportModel, export_model
from tests.core.test_export_support import (
    circles_model, engine_predictions, kitchen_sink_spec, randomised_network, raw_inputs,
)


def load_generated(path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_export_writes_readable_python_without_importing_torch(tmp_path):
    """The exporter itself runs where torch is not installed (checked in a fresh interpreter)."""
    code = ("import sys; sys.modules['torch'] = None\n"
            "from core.export import ExportModel, export_model\n"
            "from core.network import Network\nfrom core.spec import default_spec\n"
            f"export_model(ExportModel.from_network(Network.from_spec(default_spec())), 'torch', {str(tmp_path / 'm.py')!r})")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                            cwd=str(__import__("pathlib").Path(__file__).resolve().parents[2]))
    assert result.returncode == 0, result.stderr
    source = (tmp_path / "m.py").read_text(encoding="utf-8")
    ast.parse(source)
    assert "class Network(nn.Module)" in source and "Block(2, 8, nn.Tanh())" in source
    assert (tmp_path / "m_state_dict.npz").exists()


@pytest.mark.torch
@pytest.mark.parametrize("loss,outputs", [("cross_entropy", 3), ("mse", 2), ("binary_cross_entropy", 1)])
def test_generated_module_matches_the_engine(tmp_path, loss, outputs):
    torch = pytest.importorskip("torch")
    network = randomised_network(kitchen_sink_spec(loss, outputs))
    script, state = export_model(ExportModel.from_network(network), "torch", tmp_path / f"net_{loss}.py")
    module = load_generated(script, f"net_{loss}")
    net = module.load_model()
    x = raw_inputs(4, rows=100)
    predicted = net.predict(x).numpy()
    np.testing.assert_allclose(predicted, network.predict(x), atol=1e-5, rtol=0)
    assert not net.training  # load_model returns it ready for inference
    expected_loss = {"cross_entropy": torch.nn.CrossEntropyLoss, "mse": torch.nn.MSELoss,
                     "binary_cross_entropy": torch.nn.BCEWithLogitsLoss}[loss]
    assert isinstance(module.make_loss(), expected_loss)


@pytest.mark.torch
def test_preprocessing_and_training_on_in_pytorch(tmp_path):
    torch = pytest.importorskip("torch")
    model, network, prepared = circles_model(["x", "y", "x²", "y²"])
    script, _ = export_model(model, "torch", tmp_path / "circles_model.py")
    module = load_generated(script, "circles_model")
    net = module.load_model()
    x = raw_inputs(2, rows=40)
    np.testing.assert_allclose(net.predict(x).numpy(), engine_predictions(network, prepared, x), atol=1e-5)
    # forward() gives logits matching the engine's loss view; a few Adam steps lower the loss on the data.
    inputs = torch.from_numpy(prepared.x_train)
    targets = torch.from_numpy(prepared.y_train)
    loss_fn = module.make_loss()
    optimizer = torch.optim.Adam(net.parameters(), lr=0.01)
    net.train()
    first = loss_fn(net(inputs), targets).item()
    for _ in range(30):
        optimizer.zero_grad()
        loss = loss_fn(net(inputs), targets)
        loss.backward()
        optimizer.step()
    assert loss.item() < first
