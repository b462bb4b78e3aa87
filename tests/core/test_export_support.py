"""Shared builders for the export tests (networks with every activation, random trained-looking weights), and
tests of `ExportModel` itself: what it takes from a network and the prepared data, and what it refuses."""

from __future__ import annotations

import numpy as np
import pytest

from core.data import playground, prepare
from core.export import ExportError, ExportModel
from core.network import Network
from core.spec import default_layer, default_spec, validate_spec


def kitchen_sink_spec(loss: str = "cross_entropy", outputs: int = 3, input_size: int = 4) -> dict:
    """Every hidden activation, batch norm, residual skips and dropout in one network."""
    layers = [
        {**default_layer(6, "gelu"), "batch_norm": True},
        {**default_layer(6, "leaky_relu"), "leaky_slope": 0.2, "residual": True, "dropout": 0.3},
        {**default_layer(6, "elu"), "residual": True},
        {**default_layer(5, "softplus"), "batch_norm": True},
        default_layer(5, "sigmoid"),
        {**default_layer(5, "tanh"), "residual": True},
        default_layer(4, "relu"),
    ]
    output_activation = {"cross_entropy": "softmax", "binary_cross_entropy": "sigmoid"}.get(loss, "linear")
    layers.append({**default_layer(outputs, output_activation), "init": "xavier_uniform"})
    return validate_spec({"version": 1, "input_size": input_size, "layers": layers,
                          "training": {"loss": loss, "seed": 3}})


def randomised_network(spec: dict, seed: int = 0) -> Network:
    """A network whose weights, biases and batch-norm statistics all differ from their initial values."""
    network = Network.from_spec(spec)
    rng = np.random.default_rng(seed)
    network.params[:] = rng.normal(0.0, 0.6, network.params.shape)
    for name, view in network.named_buffers():
        view[:] = rng.uniform(0.5, 2.0, view.shape) if name.endswith("running_var") else rng.normal(0, 0.5, view.shape)
    return network


def raw_inputs(width: int, rows: int = 64, seed: int = 1) -> np.ndarray:
    return (np.random.default_rng(seed).normal(0.0, 2.0, (rows, width))).astype(np.float32)


def circles_model(transform: list[str] | None = None, scaling: str = "standard"):
    """(ExportModel, network, prepared) for the circles playground set, optionally with a feature transform."""
    prepared = prepare(playground("circles", num_points=80), val_fraction=0.2, scaling=scaling,
                       feature_transform=transform)
    spec = default_spec(input_size=prepared.input_size, output_size=2)
    network = randomised_network(spec)
    return ExportModel.from_network(network, prepared), network, prepared


def engine_predictions(network: Network, prepared, x_raw: np.ndarray) -> np.ndarray:
    return network.predict(prepared.preprocess(x_raw) if prepared is not None else x_raw)


# ---------------------------------------------------------------------------------------------- ExportModel tests
def test_from_network_copies_every_named_array_as_float32():
    network = randomised_network(kitchen_sink_spec())
    model = ExportModel.from_network(network)
    expected = {name for name, _ in network.parameters()} | {name for name, _ in network.named_buffers()}
    assert set(model.arrays) == expected
    assert all(array.dtype == np.float32 for array in model.arrays.values())
    network.params[:] = 0.0  # the model holds copies, not views
    assert np.abs(model.arrays["layers.0.weight"]).sum() > 0


def test_from_network_takes_preprocessing_and_names_from_the_prepared_data():
    model, _, prepared = circles_model(["x", "y", "x²", "xy"])
    assert model.transform_names == ["x", "y", "x²", "xy"]
    assert model.raw_input_size == 2 and model.feature_names == ["x", "y"]
    assert model.class_names == prepared.class_names
    offset, scale = model.scaler_arrays()
    np.testing.assert_array_equal(offset, prepared.scaler.offset)
    np.testing.assert_array_equal(scale, prepared.scaler.scale)
    assert model.metadata()["architecture"]["input_size"] == 4


def test_unscaled_data_gives_no_scaler_arrays():
    model, _, _ = circles_model(scaling="none")
    assert model.scaler_arrays() is None


def test_preprocessing_for_another_width_is_refused_with_both_widths():
    prepared = prepare(playground("circles", num_points=40), feature_transform=["x", "y", "xy"])
    network = Network.from_spec(default_spec(input_size=2))
    with pytest.raises(ExportError, match="produces 3 inputs but the network expects 2"):
        ExportModel.from_network(network, prepared)


def test_output_name_follows_the_task():
    assert ExportModel.from_network(Network.from_spec(kitchen_sink_spec())).output_name == "probabilities"
    regression = ExportModel.from_network(Network.from_spec(kitchen_sink_spec("mse", 2)))
    assert regression.output_name == "outputs" and regression.task == "regression"
