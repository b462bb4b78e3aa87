"""ONNX export checked with onnxruntime against the engine's own predictions (≤ 1e-5, float32), for every
activation, batch norm, residual skips, feature transforms, scaling and each kind of output."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core.export import ExportModel, export_model
from core.spec import default_layer, validate_spec
from tests.core.test_export_support import (
    circles_model, engine_predictions, kitchen_sink_spec, randomised_network, raw_inputs,
)

ort = pytest.importorskip("onnxruntime")


def run_onnx(path, x: np.ndarray) -> tuple[str, np.ndarray]:
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (output,) = session.get_outputs()
    (value,) = session.run(None, {"features": x})
    return output.name, value


@pytest.mark.parametrize("loss,outputs,name", [("cross_entropy", 3, "probabilities"), ("mse", 2, "outputs"),
                                               ("binary_cross_entropy", 1, "probabilities"),
                                               ("huber", 1, "outputs")])
def test_every_activation_matches_the_engine(tmp_path, loss, outputs, name):
    network = randomised_network(kitchen_sink_spec(loss, outputs))
    (path,) = export_model(ExportModel.from_network(network), "onnx", tmp_path / "model.onnx")
    x = raw_inputs(4, rows=200)
    output_name, value = run_onnx(path, x)
    assert output_name == name
    assert value.dtype == np.float32 and value.shape == (200, outputs)
    np.testing.assert_allclose(value, network.predict(x), atol=1e-5, rtol=0)


@pytest.mark.parametrize("transform", [None, ["x", "y"], ["x", "y", "x²", "y²", "xy", "sin x", "sin y"],
                                       ["sin y", "xy"]])
def test_preprocessing_is_part_of_the_graph(tmp_path, transform):
    model, network, prepared = circles_model(transform)
    (path,) = export_model(model, "onnx", tmp_path / "model.onnx")
    x = raw_inputs(2, rows=50)
    _, value = run_onnx(path, x)
    np.testing.assert_allclose(value, engine_predictions(network, prepared, x), atol=1e-5, rtol=0)


def test_minmax_scaling_and_a_sigmoid_regression_output(tmp_path):
    from core.data import playground, prepare
    prepared = prepare(playground("plane", num_points=60), scaling="minmax")
    spec = validate_spec({"version": 1, "input_size": 2, "training": {"loss": "mse"},
                          "layers": [default_layer(5, "relu"), {**default_layer(1, "sigmoid")}]})
    network = randomised_network(spec)
    (path,) = export_model(ExportModel.from_network(network, prepared), "onnx", tmp_path / "m.onnx")
    x = raw_inputs(2, rows=30)
    name, value = run_onnx(path, x)
    assert name == "outputs"
    np.testing.assert_allclose(value, engine_predictions(network, prepared, x), atol=1e-5, rtol=0)


def test_batch_size_is_dynamic_and_metadata_is_embedded(tmp_path):
    import onnx
    model, network, prepared = circles_model(["x", "y"])
    (path,) = export_model(model, "onnx", tmp_path / "model.onnx")
    for rows in (1, 7):
        _, value = run_onnx(path, raw_inputs(2, rows=rows))
        assert value.shape == (rows, 2)
    proto = onnx.load(str(path))
    assert proto.opset_import[0].version >= 17
    props = {p.key: p.value for p in proto.metadata_props}
    assert json.loads(props["backprop_studio_model"])["class_names"] == prepared.class_names
    assert proto.graph.input[0].name == "features"
