"""`ExportModel`: a trained network reduced to what every export format needs, independent of the engine.

It holds the validated spec, float32 copies of the named weights (engine layout: W is (in, out), y = x·W + b),
the preprocessing that turns raw rows into network inputs (the raw columns' encoding: column order, one-hot
categories and gap fills, see `raw_columns`; then the feature transform for 2-D sets; then the scaling), and the
names of the raw columns, classes and targets. Each block at inference is

    z = x·W + b → batch norm (z − running_mean)/√(running_var + 1e-5)·γ + β → activation → (+ x if residual)

and the output layer's activation (softmax or sigmoid included) gives the predictions, exactly what
`Network.predict` returns.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core.export.common import ExportError
from core.export.raw_columns import RawColumn, encoded_feature_names, plain_columns
from core.spec import LayerSpec, Spec, validate_spec

MODEL_FORMAT = "backprop-studio-model"
MODEL_FORMAT_VERSION = 1
BATCH_NORM_EPS = 1e-5  # the engine's (and PyTorch's BatchNorm1d) epsilon


@dataclass
class ExportModel:
    spec: Spec  # a plain dict given here is validated into a Spec (a Spec costs nothing)
    arrays: dict[str, np.ndarray]  # "layers.{i}.weight" (in, out), ".bias", ".bn.weight/bias/running_mean/var"
    # "columns": RawColumn dicts when the data came from a CSV file (None: plain numeric columns named
    # feature_names), "feature_transform", "scaler"
    preprocessing: dict[str, Any] = field(default_factory=lambda: {"columns": None, "feature_transform": None,
                                                                   "scaler": None})
    feature_names: list[str] = field(default_factory=list)  # raw input columns, before any encoding or transform
    class_names: list[str] | None = None
    target_names: list[str] = field(default_factory=list)
    trained: bool = True
    # the PreparedData the network was trained on (from_network's `prepared`): the torch-train export's rows
    training_data: Any = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.spec = validate_spec(self.spec)

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_network(cls, network: Any, prepared: Any = None, *, trained: bool = True,
                     raw_feature_names: list[str] | None = None,
                     raw_columns: list[RawColumn] | None = None,
                     csv_columns: list[str] | None = None) -> "ExportModel":
        """From a `core.network.Network` and (optionally) the `PreparedData` it was trained on.

        Without `prepared`, inputs are used as they are (no transform, no scaling). `raw_columns`: how the
        data's raw CSV columns became its features (`raw_columns.fit_csv_columns`); None for numeric data.
        `csv_columns`: all the training CSV's column names in order, so a header-less file laid out like it
        (the target included) can be read too."""
        spec = network.to_spec()
        arrays = {name: np.array(view, dtype=np.float32) for name, view in network.parameters()}
        arrays.update({name: np.array(view, dtype=np.float32) for name, view in network.named_buffers()})
        task = "classification" if spec.training.loss in ("cross_entropy", "binary_cross_entropy") else "regression"
        if prepared is None:
            names = raw_feature_names or [f"x{i}" for i in range(spec.input_size)]
            return cls(spec, arrays, feature_names=list(names), trained=trained,
                       class_names=[f"class {i}" for i in range(network.output_size)]
                       if task == "classification" else None,
                       target_names=[] if task == "classification" else
                       [f"y{i}" for i in range(network.output_size)])
        preprocessing = {"columns": None, **copy.deepcopy(prepared.preprocessing_dict())}
        transform = preprocessing.get("feature_transform")
        if raw_columns is not None:
            preprocessing["columns"] = [column.to_dict() for column in raw_columns]
            preprocessing["csv_columns"] = list(csv_columns) if csv_columns else None
            raw_feature_names = [column.name for column in raw_columns]
        elif raw_feature_names is None:
            raw_feature_names = ["x", "y"] if transform else list(prepared.feature_names)
        model = cls(spec, arrays, preprocessing, list(raw_feature_names),
                    list(prepared.class_names) if prepared.class_names else None,
                    list(prepared.target_names), trained, training_data=prepared)
        model.check()
        return model

    def check(self) -> None:
        """ExportError when the pieces don't fit together (e.g. preprocessing for a different input width)."""
        transform = self.transform_names
        if transform and self.encoded_input_size != 2:
            raise ExportError(f"the feature transform takes 2 inputs but the raw columns give "
                              f"{self.encoded_input_size}")
        produced = len(transform) if transform else self.encoded_input_size
        if produced != self.spec.input_size:
            raise ExportError(f"the preprocessing produces {produced} inputs but the network expects "
                              f"{self.spec.input_size}; retrain or refit the network to the data first")
        scaler = self.preprocessing.get("scaler")
        if scaler and scaler.get("offset") is not None and len(scaler["offset"]) != produced:
            raise ExportError(f"the scaler was fitted on {len(scaler['offset'])} features, the network expects "
                              f"{produced}")
        for i, layer in enumerate(self.layers):
            for name in self.layer_array_names(i):
                if name not in self.arrays:
                    raise ExportError(f"layer {i + 1}: the weights have no {name!r}; the weights don't belong to "
                                      f"this network")

    # ------------------------------------------------------------------ reading
    @property
    def layers(self) -> list[LayerSpec]:
        return self.spec.layers

    @property
    def task(self) -> str:
        loss = self.spec.training.loss
        return "classification" if loss in ("cross_entropy", "binary_cross_entropy") else "regression"

    @property
    def output_name(self) -> str:
        """"probabilities" for a softmax/sigmoid classifier, "outputs" for regression values."""
        return "probabilities" if self.task == "classification" else "outputs"

    @property
    def output_size(self) -> int:
        return int(self.layers[-1].units)

    @property
    def transform_names(self) -> list[str]:
        transform = self.preprocessing.get("feature_transform")
        return list(transform["names"]) if transform else []

    @property
    def raw_columns(self) -> list[RawColumn]:
        """The raw input columns: recorded CSV columns, or plain numeric ones named by feature_names."""
        recorded = self.preprocessing.get("columns")
        if recorded is not None:
            return [RawColumn.from_dict(column) for column in recorded]
        names = self.feature_names if len(self.feature_names) == self._plain_width() else \
            [f"x{i}" for i in range(self._plain_width())]
        return plain_columns(names)

    @property
    def takes_raw_rows(self) -> bool:
        """True when the inputs are a CSV's raw columns (text categories, gaps), not a numeric matrix."""
        return self.preprocessing.get("columns") is not None

    @property
    def raw_input_size(self) -> int:
        """How many raw columns the model takes."""
        return len(self.raw_columns)

    @property
    def encoded_input_size(self) -> int:
        """How many numbers the raw columns become (before any feature transform)."""
        return sum(column.width for column in self.raw_columns)

    def _plain_width(self) -> int:
        return 2 if self.transform_names else int(self.spec.input_size)

    def scaler_arrays(self) -> tuple[np.ndarray, np.ndarray] | None:
        """(offset, scale) as float32, or None when inputs are not scaled."""
        scaler = self.preprocessing.get("scaler")
        if not scaler or scaler.get("offset") is None or scaler.get("kind") == "none":
            return None
        return (np.asarray(scaler["offset"], dtype=np.float32), np.asarray(scaler["scale"], dtype=np.float32))

    def layer_array_names(self, index: int) -> list[str]:
        names = [f"layers.{index}.weight", f"layers.{index}.bias"]
        if self.layers[index].batch_norm:
            names += [f"layers.{index}.bn.{part}" for part in ("weight", "bias", "running_mean", "running_var")]
        return names

    def architecture(self) -> dict[str, Any]:
        """The inference-relevant description of each block, for JSON and the generated code."""
        width = self.spec.input_size
        blocks = []
        for layer in self.layers:
            blocks.append({"inputs": width, "units": layer.units, "activation": layer.activation,
                           "leaky_slope": layer.leaky_slope, "batch_norm": layer.batch_norm,
                           "dropout": layer.dropout, "residual": layer.residual})
            width = layer.units
        return {"input_size": self.spec.input_size, "raw_input_size": self.raw_input_size,
                "encoded_input_size": self.encoded_input_size, "batch_norm_eps": BATCH_NORM_EPS, "layers": blocks}

    def metadata(self) -> dict[str, Any]:
        """The JSON description written next to the weights (and embedded in ONNX / safetensors)."""
        return {"format": MODEL_FORMAT, "version": MODEL_FORMAT_VERSION, "app_version": app_version(),
                "trained": self.trained, "task": self.task, "output": self.output_name,
                "feature_names": self.feature_names, "class_names": self.class_names,
                "target_names": self.target_names,
                "preprocessing": {**self.preprocessing, "columns": [c.to_dict() for c in self.raw_columns]},
                "encoded_feature_names": encoded_feature_names(self.raw_columns),
                "architecture": self.architecture(), "spec": self.spec.to_json(),
                "weights_layout": "layers.{i}.weight has shape (inputs, units): z = x @ W + b"}


def app_version() -> str:
    try:
        from importlib.metadata import version
        return version("backprop-studio")
    except Exception:  # running from a source tree
        return "0.1.0"
