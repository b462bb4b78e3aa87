'''PyTorch export: a generated, readable `model.py` (an `nn.Module` built from the spec) plus its state dict.

The state dict is written as a NumPy `.npz` with PyTorch's names and layouts (Linear weights (out, in)), which the
generated file loads with `torch.from_numpy`, so this module never imports torch: only the generated code and the
tests do. `forward` returns what PyTorch's losses expect (logits for a softmax/sigmoid classifier), `predict`
takes raw features and returns what Backprop Studio's `Network.predict` returns, and `make_loss()` gives the
matching PyTorch loss, so training can go on in PyTorch (on GPUs, or distributed) from the exported weights.
`encode_rows` / `predict_rows` take raw CSV cells (text categories, gaps) as the other exports do.

Everything a user or a file named (file, column, class and target names) enters the generated code as a Python
literal (`repr` / `pprint.pformat`), never in a docstring or a comment, so no name can add code to it.
'''

from __future__ import annotations

import io
import os
import pprint
from pathlib import Path

import numpy as np

from core.export.common import atomic_files
from core.export.model import BATCH_NORM_EPS, ExportModel
from core.export.row_encoder_source import ROW_ENCODER_SLOT, ROW_ENCODER_SOURCE

_FUSED_OUTPUT = {"cross_entropy": "softmax", "binary_cross_entropy": "sigmoid"}
_LOSSES = {"cross_entropy": "nn.CrossEntropyLoss()", "binary_cross_entropy": "nn.BCEWithLogitsLoss()",
           "mse": "nn.MSELoss()", "mae": "nn.L1Loss()", "huber": "nn.HuberLoss(delta={delta!r})"}


def _activation_code(name: str, slope: float) -> str:
    return {"linear": "nn.Identity()", "sigmoid": "nn.Sigmoid()", "tanh": "nn.Tanh()", "relu": "nn.ReLU()",
            "leaky_relu": f"nn.LeakyReLU({slope!r})", "elu": "nn.ELU(alpha=1.0)",
            "gelu": 'nn.GELU(approximate="tanh")', "softplus": "nn.Softplus()",
            "softmax": "nn.Softmax(dim=1)"}[name]


def _block_lines(model: ExportModel) -> list[str]:
    lines = []
    fused = _FUSED_OUTPUT.get(model.spec.training.loss)
    last = len(model.layers) - 1
    for i, block in enumerate(model.architecture()["layers"]):
        activation = block["activation"]
        comment = ""
        if i == last and fused:
            activation, comment = "linear", f"  # output logits; predict() applies {fused}"
        options = []
        if block["batch_norm"]:
            options.append("batch_norm=True")
        if block["dropout"] > 0:
            options.append(f"dropout={block['dropout']!r}")
        if block["residual"]:
            options.append("residual=True")
        arguments = ", ".join([str(block["inputs"]), str(block["units"]),
                               _activation_code(activation, block["leaky_slope"]), *options])
        lines.append(f"            Block({arguments}),{comment}")
    return lines


def model_source(model: ExportModel, state_file: str) -> str:
    """The text of the generated `model.py`."""
    loss = model.spec.training.loss
    scaling = model.scaler_arrays()
    offset = scaling[0].tolist() if scaling else None
    scale = scaling[1].tolist() if scaling else None
    fused = _FUSED_OUTPUT.get(loss)
    output_transform = {"softmax": "torch.softmax(outputs, dim=1)", "sigmoid": "torch.sigmoid(outputs)",
                        None: "outputs"}[fused]
    widths = "-".join(str(w) for w in [model.spec.input_size, *[layer.units for layer in model.layers]])
    source = _TEMPLATE.format(
        widths=widths, state_file_literal=repr(str(state_file)), n_features=model.encoded_input_size,
        feature_names=pprint.pformat(model.feature_names, width=100, compact=True),
        raw_columns=pprint.pformat([column.to_dict() for column in model.raw_columns], width=100, compact=True),
        class_names=pprint.pformat(model.class_names, width=100, compact=True),
        target_names=pprint.pformat(model.target_names, width=100, compact=True),
        transform=pprint.pformat(model.transform_names or None, width=100, compact=True),
        offset=pprint.pformat(offset, width=100, compact=True), scale=pprint.pformat(scale, width=100, compact=True),
        eps=BATCH_NORM_EPS, blocks="\n".join(_block_lines(model)), output_transform=output_transform,
        loss=_LOSSES[loss].format(delta=model.spec.training.huber_delta),
        forward_returns="logits" if fused else "outputs", row_encoder_slot=ROW_ENCODER_SLOT)
    return source.replace(ROW_ENCODER_SLOT, ROW_ENCODER_SOURCE.strip(), 1)  # after format: the code holds braces


def torch_state_arrays(model: ExportModel) -> dict[str, np.ndarray]:
    """The engine's arrays under PyTorch's names: layers.{i}.dense.weight is W transposed to (out, in)."""
    return engine_arrays_as_torch_state(model.arrays, model.layers, np.float32)


def engine_arrays_as_torch_state(arrays: dict[str, np.ndarray], layers: list[dict],
                                 dtype: type) -> dict[str, np.ndarray]:
    """Engine-named arrays ("layers.{i}.weight" (in, out), ...) renamed and laid out as model.py's state dict."""
    state: dict[str, np.ndarray] = {}
    for i, layer in enumerate(layers):
        a = arrays
        state[f"layers.{i}.dense.weight"] = np.ascontiguousarray(a[f"layers.{i}.weight"].T, dtype=dtype)
        state[f"layers.{i}.dense.bias"] = np.asarray(a[f"layers.{i}.bias"], dtype=dtype)
        if layer["batch_norm"]:
            for part in ("weight", "bias", "running_mean", "running_var"):
                state[f"layers.{i}.bn.{part}"] = np.asarray(a[f"layers.{i}.bn.{part}"], dtype=dtype)
            state[f"layers.{i}.bn.num_batches_tracked"] = np.array(0, dtype=np.int64)
    return state


def export_torch(model: ExportModel, path: str | os.PathLike[str]) -> list[Path]:
    """Write `path` (model.py) and `<stem>_state_dict.npz` beside it; return both paths."""
    script = Path(path)
    if script.suffix.lower() != ".py":
        script = script.with_name(script.name + ".py")
    state_path = script.with_name(f"{script.stem}_state_dict.npz")
    buffer = io.BytesIO()
    np.savez(buffer, **torch_state_arrays(model))
    with atomic_files() as stage:
        stage(state_path, buffer.getvalue())
        stage(script, model_source(model, state_path.name).encode("utf-8"))
    return [script, state_path]


_TEMPLATE = '''"""A {widths} network exported from Backprop Studio as a PyTorch module.

    from model import load_model, make_loss  # this file, imported under its own name
    net = load_model()                      # weights from STATE_DICT_FILE next to this file
    predictions = net.predict_rows(rows)    # raw CSV cells, one list per row in RAW_COLUMNS order
    predictions = net.predict(features)     # or encoded features (n, {n_features}) -> what Backprop Studio predicts

Keep training in PyTorch:

    net.train()
    loss_fn = make_loss()
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss = loss_fn(net(net.preprocess(x_raw)), y)   # forward() takes preprocessed inputs, returns {forward_returns}

Each Block computes: Linear → BatchNorm1d (if on) → activation → Dropout (if > 0), plus its input (if residual).
"""

import math
import os

import numpy as np
import torch
from torch import nn

FEATURE_NAMES = {feature_names}
# How each raw CSV column becomes features: numbers as they are, categories one-hot in this order; "fill" replaces
# a gap (None: a gap is an error); a category not listed is an error.
RAW_COLUMNS = {raw_columns}
CLASS_NAMES = {class_names}
TARGET_NAMES = {target_names}
# Preprocessing of raw features: the 2-D feature transform (None: none), then (x - offset) / scale.
FEATURE_TRANSFORM = {transform}
SCALER_OFFSET = {offset}
SCALER_SCALE = {scale}
STATE_DICT_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), {state_file_literal})


{row_encoder_slot}


class Block(nn.Module):
    """One dense block: Linear → BatchNorm1d → activation → Dropout, with an optional residual skip."""

    def __init__(self, inputs, units, activation, batch_norm=False, dropout=0.0, residual=False):
        super().__init__()
        self.dense = nn.Linear(inputs, units)
        self.bn = nn.BatchNorm1d(units, eps={eps!r}, momentum=0.1) if batch_norm else None
        self.activation = activation
        self.dropout = nn.Dropout(dropout) if dropout > 0 else None
        self.residual = residual

    def forward(self, x):
        z = self.dense(x)
        if self.bn is not None:
            z = self.bn(z)
        a = self.activation(z)
        if self.dropout is not None:
            a = self.dropout(a)
        return x + a if self.residual else a


class Network(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(
{blocks}
        )
        offset = SCALER_OFFSET if SCALER_OFFSET is not None else [0.0] * self.layers[0].dense.in_features
        scale = SCALER_SCALE if SCALER_SCALE is not None else [1.0] * self.layers[0].dense.in_features
        self.register_buffer("scaler_offset", torch.tensor(offset, dtype=torch.float32), persistent=False)
        self.register_buffer("scaler_scale", torch.tensor(scale, dtype=torch.float32), persistent=False)

    def forward(self, x):
        """Preprocessed inputs -> {forward_returns} (what PyTorch's loss from make_loss() expects)."""
        return self.layers(x)

    def preprocess(self, raw):
        """Encoded features (numbers; see encode_rows for raw CSV cells) -> network inputs: the feature transform,
        then the scaling fitted on the training data."""
        x = torch.as_tensor(raw, dtype=torch.float32, device=self.scaler_offset.device)
        if FEATURE_TRANSFORM:
            first, second = x[:, 0], x[:, 1]
            columns = {{"x": first, "y": second, "x²": first * first, "y²": second * second, "xy": first * second,
                       "sin x": torch.sin(first), "sin y": torch.sin(second)}}
            x = torch.stack([columns[name] for name in FEATURE_TRANSFORM], dim=1)
        return (x - self.scaler_offset) / self.scaler_scale

    @torch.no_grad()
    def predict(self, raw):
        """Class probabilities or regression outputs for raw features, in evaluation mode."""
        was_training = self.training
        self.eval()
        outputs = self(self.preprocess(raw))
        self.train(was_training)
        return {output_transform}

    def predict_rows(self, rows):
        """Predictions for rows of raw CSV cells (text), one cell per column of RAW_COLUMNS, in that order."""
        return self.predict(encode_rows(rows, RAW_COLUMNS))


def make_loss():
    """The PyTorch loss matching the one this network was trained with."""
    return {loss}


def load_model(path=STATE_DICT_FILE, map_location="cpu"):
    """The network with its trained weights (a NumPy .npz of the state dict), in evaluation mode."""
    net = Network()
    with np.load(path, allow_pickle=False) as arrays:
        state = {{name: torch.from_numpy(arrays[name].copy()) for name in arrays.files}}
    net.load_state_dict(state)
    return net.to(map_location).eval()


if __name__ == "__main__":
    print(load_model())
'''
