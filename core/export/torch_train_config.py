"""What the generated `train.py` needs to know about a project's training, as plain Python values.

`training_settings(spec)` is the spec's training section (every value a number, a bool or a catalogue name)
for train.py to embed as a literal. `torch_optimizer(spec)` is the torch.optim class name and keyword arguments
that perform the engine's update: the engine's optimizers follow torch.optim's algorithms and defaults
(`core.optimizers`), so only the names of two settings differ (beta1/beta2 → betas, line_search →
line_search_fn). Lookahead, AGC clipping and decoupled weight decay have no torch.optim counterpart: train.py
implements them from the engine's documented rules. `engine_layout(spec)` is the order of the engine's flat
parameter and buffer arrays under the model.py state-dict names, so train.py can write weights the studio reads
back (`Network.set_state`).
"""

from __future__ import annotations

import copy
from typing import Any

from core.export.common import ExportError

# engine optimizer name → torch.optim class; every optimizer in the catalogue has one
TORCH_OPTIMIZER_CLASSES = {
    "sgd": "SGD", "momentum": "SGD", "nesterov": "SGD", "rmsprop": "RMSprop", "adagrad": "Adagrad",
    "adadelta": "Adadelta", "adam": "Adam", "adamw": "AdamW", "adamax": "Adamax", "nadam": "NAdam",
    "lbfgs": "LBFGS",
}


def training_settings(spec: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of the spec's training section (validated: numbers, bools and catalogue names only)."""
    return copy.deepcopy(spec["training"])


def torch_optimizer(spec: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """(torch.optim class name, keyword arguments) doing the engine's update for the spec's optimizer."""
    config = dict(spec["training"]["optimizer"])
    name = config.pop("name")
    if name not in TORCH_OPTIMIZER_CLASSES:
        raise ExportError(f"training.optimizer: {name!r} has no PyTorch counterpart in train.py; choose one of "
                          f"{', '.join(TORCH_OPTIMIZER_CLASSES)}")
    if "beta1" in config:
        config["betas"] = (config.pop("beta1"), config.pop("beta2"))
    if name == "nesterov":
        config["nesterov"] = True  # the engine's preset: Nesterov is always on
    if name == "lbfgs":
        search = config.pop("line_search")
        config["line_search_fn"] = None if search == "none" else search
    return TORCH_OPTIMIZER_CLASSES[name], config


def engine_layout(spec: dict[str, Any]) -> tuple[list[tuple[str, bool]], list[str]]:
    """([(state-dict name, stored transposed), ...] in the engine's flat parameter order, [buffer names in the
    engine's flat buffer order]). Linear weights are (out, in) in torch and (in, out) in the engine."""
    params: list[tuple[str, bool]] = []
    buffers: list[str] = []
    for i, layer in enumerate(spec["layers"]):
        params += [(f"layers.{i}.dense.weight", True), (f"layers.{i}.dense.bias", False)]
        if layer["batch_norm"]:
            params += [(f"layers.{i}.bn.weight", False), (f"layers.{i}.bn.bias", False)]
            buffers += [f"layers.{i}.bn.running_mean", f"layers.{i}.bn.running_var"]
    return params, buffers
