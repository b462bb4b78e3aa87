"""`layer_views`: a flat parameter buffer cut into each layer's named W, b (and γ, β) views, the same memory the
Network trains, so readers (the builder's edges) and writers (a weight edited by hand) never slice by hand."""

from __future__ import annotations

import numpy as np
import pytest

from core.network import Network
from core.network.layout import layer_views
from core.spec import default_spec, with_changes


@pytest.fixture
def spec_with_batch_norm():
    return with_changes(default_spec(), {"layers[1].batch_norm": True})


def test_views_are_the_networks_own_weights_and_biases(spec_with_batch_norm):
    network = Network.from_spec(spec_with_batch_norm)
    flat = network.get_state()["params"]
    views = layer_views(spec_with_batch_norm, flat)
    named = dict(network.parameters())
    assert len(views) == len(spec_with_batch_norm["layers"])
    for i, view in enumerate(views):
        np.testing.assert_array_equal(view.weight, named[f"layers.{i}.weight"])
        np.testing.assert_array_equal(view.bias, named[f"layers.{i}.bias"])
    assert views[0].gamma is None and views[0].beta is None
    np.testing.assert_array_equal(views[1].gamma, named["layers.1.bn.weight"])
    np.testing.assert_array_equal(views[1].beta, named["layers.1.bn.bias"])
    assert views[2].weight.shape == (8, 2)  # the layer after the batch-normed one starts after its γ and β


def test_writing_a_view_writes_the_buffer(spec_with_batch_norm):
    flat = np.arange(Network.from_spec(spec_with_batch_norm).num_params, dtype=np.float32)
    views = layer_views(spec_with_batch_norm, flat)
    views[2].weight[3, 1] = -1.0
    assert flat[int(np.flatnonzero(flat == -1.0)[0])] == -1.0 and np.count_nonzero(flat == -1.0) == 1
    assert views[2].weight[3, 1] == -1.0


@pytest.mark.parametrize("size_change", [-1, 1])
def test_a_buffer_of_another_size_is_refused(spec_with_batch_norm, size_change):
    size = Network.from_spec(spec_with_batch_norm).num_params + size_change
    with pytest.raises(ValueError, match="parameters"):
        layer_views(spec_with_batch_norm, np.zeros(size, np.float32))


def test_a_buffer_that_is_not_flat_is_refused(spec_with_batch_norm):
    size = Network.from_spec(spec_with_batch_norm).num_params
    with pytest.raises(ValueError, match="shape"):
        layer_views(spec_with_batch_norm, np.zeros((1, size), np.float32))
