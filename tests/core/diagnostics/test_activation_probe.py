"""The activation probe's lean pass (checked rows kept, hidden blocks only, shares counted) measures exactly what
the plain reading of `Network.layer_activations` gives, on every kind of hidden layer, before and after training
moved the units into their tails."""

import numpy as np

from core.diagnostics import ActivationProbe
from core.diagnostics.activation_probe import SIGMOID_TAIL, TANH_TAIL
from core.network import Network
from core.spec import default_layer, default_spec, validate_spec


def reference_shares(network: Network, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The shares read from the network's own per-layer outputs, with means over boolean arrays."""
    hidden = network.spec["layers"][:-1]
    saturation, dead = np.full(len(hidden), np.nan), np.full(len(hidden), np.nan)
    for i, (layer, values) in enumerate(zip(hidden, network.layer_activations(rows))):
        if layer["residual"]:
            continue
        if layer["activation"] == "tanh":
            saturation[i] = np.mean(np.abs(values) > TANH_TAIL)
        elif layer["activation"] == "sigmoid":
            saturation[i] = np.mean((values < SIGMOID_TAIL) | (values > 1.0 - SIGMOID_TAIL))
        elif layer["activation"] == "relu":
            dead[i] = np.mean(np.all(values <= 0.0, axis=0))
    return saturation, dead


def mixed_network(weight_scale: float) -> Network:
    spec = default_spec(5, 3, hidden=(16,)).to_json()
    spec["layers"] = [default_layer(16, "tanh"), {**default_layer(16, "relu"), "batch_norm": True, "dropout": 0.3},
              {**default_layer(16, "relu"), "residual": True}, default_layer(12, "sigmoid"),
              default_layer(12, "relu"), spec["layers"][-1]]
    network = Network.from_spec(validate_spec(spec))
    for name, values in network.parameters():
        if name.endswith(".weight") and ".bn." not in name:
            values *= weight_scale  # large weights: saturated and dead units, so the shares are not all 0
    return network


def test_the_probe_measures_what_the_layer_outputs_show():
    rows = np.random.default_rng(3).normal(size=(600, 5)) * 3.0  # more than MAX_ROWS: the probe samples 256
    for scale in (1.0, 6.0):
        network = mixed_network(scale)
        probe = ActivationProbe(network, rows)
        saturation, dead = probe.measure()
        expected_saturation, expected_dead = reference_shares(network, probe.rows)
        np.testing.assert_array_equal(saturation, expected_saturation)
        np.testing.assert_array_equal(dead, expected_dead)
        assert np.isnan(saturation[[1, 2, 4]]).all() and np.isnan(dead[[0, 2, 3]]).all()  # kinds that don't apply
        if scale > 1.0:
            assert saturation[0] > 0.3 and saturation[3] > 0.3 and np.nanmax(dead) > 0.0  # not trivially zero
