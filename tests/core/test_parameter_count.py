"""`parameter_count` is the size of the flat buffer the engine allocates, batch norm's γ and β included."""

from __future__ import annotations

import pytest

from core.network import Network
from core.spec import default_spec, validate_spec, with_changes
from core.spec.parameter_count import parameter_count


@pytest.mark.parametrize("batch_norm", [(False, False), (True, False), (True, True)])  # the hidden layers
def test_the_count_is_the_engines_buffer_size(batch_norm):
    spec = default_spec(input_size=3, output_size=4).to_json()
    for layer, on in zip(spec["layers"], batch_norm):
        layer["batch_norm"] = on
    spec = validate_spec(spec)
    network = Network.from_spec(spec)
    assert parameter_count(spec) == network.num_params
    assert sum(parameter_count(spec, i) for i in range(len(spec["layers"]))) == network.num_params


def test_one_block_by_hand():
    spec = with_changes(default_spec(input_size=2, output_size=2), {"layers[0].batch_norm": True})
    units = spec.layers[0].units
    assert parameter_count(spec, 0) == 2 * units + units + 2 * units  # W, b, γ, β
