"""ONNX export: one graph from raw features to predictions, preprocessing included.

Inputs: for data loaded from a CSV file, one input per raw column, named as the CSV's column (a string [N, 1]
for a text column, float32 [N, 1] with NaN for gaps in a numeric one), encoded by ai.onnx.ml operators (see
`onnx_columns`); otherwise one input "features" float32 [N, raw features]. Output "probabilities"
(classification) or "outputs" (regression). The first nodes replay the preprocessing: the 2-D feature transform
(x², y², xy, sin …, from sliced columns) and the scaling (x − offset) / scale. Each block is MatMul + Add,
BatchNormalization (inference mode, running statistics), the activation, and Add for a residual skip. GELU is
the tanh approximation written with elementary ops, so any runtime with opset 17 runs it. Built with
`onnx.helper` and checked with `onnx.checker`.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import numpy as np

from core.export.common import ExportError, atomic_write_bytes
from core.export.model import BATCH_NORM_EPS, ExportModel
from core.export.onnx_columns import ML_DOMAIN, ML_OPSET, encode_raw_columns

OPSET = 17
INPUT_NAME = "features"


class _GraphBuilder:
    """Collects nodes and float32 initializers with unique names."""

    def __init__(self, helper: Any, numpy_helper: Any):
        self.helper, self.numpy_helper = helper, numpy_helper
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []
        self._count = 0
        self._reserved: set[str] = set()

    def reserve(self, names: list[str]) -> None:
        """Names the graph's inputs and outputs use: generated names never collide with them."""
        self._reserved.update(names)

    def name(self, hint: str) -> str:
        self._count += 1
        while f"{hint}_{self._count}" in self._reserved:
            self._count += 1
        return f"{hint}_{self._count}"

    def const(self, hint: str, value: Any, dtype: Any = np.float32) -> str:
        name = self.name(hint)
        self.initializers.append(self.numpy_helper.from_array(np.asarray(value, dtype=dtype), name))
        return name

    def op(self, op_type: str, inputs: list[str], hint: str, output: str | None = None, **attributes: Any) -> str:
        output = output or self.name(hint)
        self.nodes.append(self.helper.make_node(op_type, inputs, [output], name=self.name(op_type), **attributes))
        return output


def _preprocess(g: _GraphBuilder, model: ExportModel, x: str) -> str:
    names = model.transform_names
    if names:
        columns = {}
        starts = {"x": 0, "y": 1}
        for axis_name, start in starts.items():
            columns[axis_name] = g.op("Slice", [x, g.const("start", [start], np.int64),
                                                g.const("end", [start + 1], np.int64),
                                                g.const("axis", [1], np.int64)], axis_name)
        built = []
        for name in names:
            if name in ("x", "y"):
                built.append(columns[name])
            elif name in ("x²", "y²"):
                column = columns[name[0]]
                built.append(g.op("Mul", [column, column], "square"))
            elif name == "xy":
                built.append(g.op("Mul", [columns["x"], columns["y"]], "xy"))
            elif name in ("sin x", "sin y"):
                built.append(g.op("Sin", [columns[name[-1]]], "sin"))
            else:
                raise ExportError(f"ONNX export: unknown feature transform {name!r}")
        x = built[0] if len(built) == 1 else g.op("Concat", built, "transformed", axis=1)
    scaling = model.scaler_arrays()
    if scaling is not None:
        offset, scale = scaling
        x = g.op("Sub", [x, g.const("scaler_offset", offset)], "centred")
        x = g.op("Div", [x, g.const("scaler_scale", scale)], "scaled")
    return x


def _activation(g: _GraphBuilder, z: str, name: str, slope: float, output: str | None) -> str:
    simple = {"sigmoid": "Sigmoid", "tanh": "Tanh", "relu": "Relu", "softplus": "Softplus"}
    if name in simple:
        return g.op(simple[name], [z], name, output)
    if name == "linear":
        return g.op("Identity", [z], "linear", output)
    if name == "leaky_relu":
        return g.op("LeakyRelu", [z], name, output, alpha=float(slope))
    if name == "elu":
        return g.op("Elu", [z], name, output, alpha=1.0)
    if name == "softmax":
        return g.op("Softmax", [z], name, output, axis=-1)
    if name == "gelu":  # 0.5·z·(1 + tanh(√(2/π)·(z + 0.044715·z³)))
        cube = g.op("Mul", [g.op("Mul", [z, z], "z2"), z], "z3")
        inner = g.op("Add", [z, g.op("Mul", [cube, g.const("gelu_k", 0.044715)], "kz3")], "inner")
        t = g.op("Tanh", [g.op("Mul", [inner, g.const("gelu_c", math.sqrt(2.0 / math.pi))], "scaled")], "t")
        one_plus = g.op("Add", [t, g.const("one", 1.0)], "one_plus")
        half_z = g.op("Mul", [z, g.const("half", 0.5)], "half_z")
        return g.op("Mul", [half_z, one_plus], "gelu", output)
    raise ExportError(f"ONNX export: activation {name!r} is not supported")


def onnx_model(model: ExportModel) -> Any:
    """The checked `onnx.ModelProto`."""
    try:
        import onnx
        from onnx import TensorProto, helper, numpy_helper
    except ImportError as error:
        raise ExportError("ONNX export needs the 'onnx' package: pip install onnx") from error
    g = _GraphBuilder(helper, numpy_helper)
    if model.takes_raw_rows:
        inputs, x = encode_raw_columns(g, model.raw_columns, helper, TensorProto, model.output_name)
    else:
        inputs, x = [helper.make_tensor_value_info(INPUT_NAME, TensorProto.FLOAT, ["N", model.raw_input_size])], \
            INPUT_NAME
    x = _preprocess(g, model, x)
    last = len(model.layers) - 1
    for i, layer in enumerate(model.layers):
        a = model.arrays
        z = g.op("MatMul", [x, g.const(f"layers.{i}.weight", a[f"layers.{i}.weight"])], f"layer{i}_matmul")
        z = g.op("Add", [z, g.const(f"layers.{i}.bias", a[f"layers.{i}.bias"])], f"layer{i}_z")
        if layer.batch_norm:
            bn = [g.const(f"layers.{i}.bn.{part}", a[f"layers.{i}.bn.{part}"])
                  for part in ("weight", "bias", "running_mean", "running_var")]
            z = g.op("BatchNormalization", [z, *bn], f"layer{i}_bn", epsilon=BATCH_NORM_EPS)
        out = model.output_name if i == last and not layer.residual else None
        activated = _activation(g, z, layer.activation, layer.leaky_slope, out)
        if layer.residual:
            activated = g.op("Add", [x, activated], f"layer{i}_residual", model.output_name if i == last else None)
        x = activated
    graph = helper.make_graph(
        g.nodes, "backprop_studio_network", inputs,
        [helper.make_tensor_value_info(model.output_name, TensorProto.FLOAT, ["N", model.output_size])],
        g.initializers)
    opsets = [helper.make_opsetid("", OPSET)]
    if any(node.domain == ML_DOMAIN for node in g.nodes):
        opsets.append(helper.make_opsetid(ML_DOMAIN, ML_OPSET))
    proto = helper.make_model(graph, opset_imports=opsets,
                              producer_name="Backprop Studio", doc_string=_doc(model))
    proto.ir_version = min(proto.ir_version, 8)  # readable by onnxruntime releases from 2022 on
    helper.set_model_props(proto, {"backprop_studio_model": json.dumps(model.metadata(), ensure_ascii=False)})
    try:
        onnx.checker.check_model(proto)
    except onnx.checker.ValidationError as error:  # a bug here, not a user mistake; say so plainly
        raise ExportError(f"the ONNX graph failed onnx's own check: {error}") from error
    return proto


def _doc(model: ExportModel) -> str:
    widths = "-".join(str(w) for w in [model.raw_input_size, *[layer.units for layer in model.layers]])
    inputs = "one input per raw column" if model.takes_raw_rows else f"input {INPUT_NAME!r}"
    return (f"Backprop Studio network {widths}. Inputs: {inputs}, {model.feature_names}; output '{model.output_name}'"
            + (f" over classes {model.class_names}" if model.class_names else "") + ".")


def export_onnx(model: ExportModel, path: str | os.PathLike[str]) -> list[Path]:
    target = Path(path)
    if target.suffix.lower() != ".onnx":
        target = target.with_name(target.name + ".onnx")
    return [atomic_write_bytes(target, onnx_model(model).SerializeToString())]
