"""Ready-made specs: the first-start playground network and sensible defaults for a given data shape."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.spec.typed import Spec
from core.spec.validate import validate_spec


def default_layer(units: int = 8, activation: str = "relu") -> dict[str, Any]:
    """A hidden layer with every option at its default."""
    return {"type": "dense", "units": units, "activation": activation, "init": "auto", "batch_norm": False,
            "dropout": 0.0, "residual": False, "leaky_slope": 0.01}


def output_layer(units: int, task: str) -> dict[str, Any]:
    """The output layer a task needs: softmax over classes, or linear for regression."""
    activation = "softmax" if task == "classification" else "linear"
    return {**default_layer(units, activation), "init": "xavier_uniform"}


def loss_for(task: str) -> str:
    return "cross_entropy" if task == "classification" else "mse"


def default_spec(input_size: int = 2, output_size: int = 2, task: str = "classification",
                 hidden: tuple[int, ...] = (8, 8), activation: str = "tanh") -> Spec:
    """A small, complete, valid spec: the playground's 2-8-8-2 tanh network with Adam by default."""
    if task == "classification" and output_size < 2:
        output_size = 2
    layers = [default_layer(u, activation) for u in hidden] + [output_layer(output_size, task)]
    spec = {"version": 1, "input_size": input_size, "layers": layers,
            "training": {"loss": loss_for(task), "optimizer": {"name": "adam", "lr": 0.01},
                         "batch_mode": "mini", "batch_size": 10, "epochs": 200}}
    return validate_spec(spec)


def fit_spec_to_data(spec: Mapping[str, Any], input_size: int, output_size: int, task: str
                     ) -> tuple[Spec, list[str]]:
    """Adapt a valid spec's input and output to a data set; return the new spec and what changed, in words.

    Classification gets a softmax output with one unit per class and cross-entropy; regression a linear output
    with one unit per target and MSE (kept if the loss was already a regression loss).
    """
    spec = validate_spec(spec).to_json()  # a plain copy to adapt, validated again below
    changes: list[str] = []
    if spec["input_size"] != input_size:
        changes.append(f"input size {spec['input_size']} → {input_size}")
        spec["input_size"] = input_size
    out = spec["layers"][-1]
    want_activation = "softmax" if task == "classification" else (
        out["activation"] if out["activation"] not in ("softmax", "sigmoid") else "linear")
    if out["units"] != output_size:
        changes.append(f"output units {out['units']} → {output_size}")
        out["units"] = output_size
    if out["activation"] != want_activation:
        changes.append(f"output activation {out['activation']} → {want_activation}")
        out["activation"] = want_activation
    loss = spec["training"]["loss"]
    want_loss = "cross_entropy" if task == "classification" else (
        loss if loss in ("mse", "mae", "huber") else "mse")
    if loss != want_loss:
        changes.append(f"loss {loss} → {want_loss}")
        spec["training"]["loss"] = want_loss
    # A residual skip whose widths no longer match (first hidden layer after an input change) is switched off.
    width = input_size
    for i, layer in enumerate(spec["layers"]):
        if layer["residual"] and layer["units"] != width:
            layer["residual"] = False
            changes.append(f"layer {i + 1}: residual skip off (input width now {width})")
        width = layer["units"]
    return validate_spec(spec), changes
