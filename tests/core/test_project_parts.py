"""core.project_parts: a project's network rebuilt with its saved weights, and what happens when they don't fit."""

from __future__ import annotations

import numpy as np
import pytest

from core.export import ExportError, export_model_from_parts
from core.network import NetworkError
from core.project_parts import network_with_weights
from core.spec import default_spec


def test_the_network_holds_the_saved_weights_or_its_initial_ones():
    spec = default_spec()
    trained = network_with_weights(spec, None)
    trained.params[:] = np.arange(trained.params.size, dtype=trained.params.dtype) / trained.params.size
    rebuilt = network_with_weights(spec, trained.get_state())
    np.testing.assert_array_equal(rebuilt.params, trained.params)
    np.testing.assert_array_equal(network_with_weights(spec, None).params, network_with_weights(spec, None).params)


def test_weights_that_dont_fit_say_so_and_the_exporter_reports_it_as_an_export_error():
    spec = default_spec()
    state = network_with_weights(spec, None).get_state()
    wrong = {"params": state["params"][:-1], "buffers": state["buffers"]}
    with pytest.raises(NetworkError, match="the saved weights don't fit this network .*; train it again"):
        network_with_weights(spec, wrong)
    with pytest.raises(ExportError, match="the saved weights don't fit this network .*; train it again"):
        export_model_from_parts(spec, None, wrong)
