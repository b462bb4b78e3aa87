"""The decision-boundary plot: "Discretize output" and "Show test data" toggles, and a title and placeholder that
always describe the data shown now (circles → iris used to keep "Decision boundary (step 4,800)" over empty axes,
and digits an empty "Fitted surface")."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest

from core.network.grid_prediction import GridPrediction, GridSpec
from studio.plots.decision_boundary_plot import DecisionBoundaryPlot, banded, discrete_class_image


@pytest.fixture
def plot(document, qtbot):
    pg.setConfigOptions(antialias=True, background="w", foreground="k")
    widget = DecisionBoundaryPlot(None, document)
    qtbot.addWidget(widget)
    widget.resize(500, 500)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def prediction(step: int = 4800, resolution: int = 8) -> GridPrediction:
    """Two classes, split at x = 0, unsure near it: p(class 1) rises from 0.3 to 0.7 across the plane."""
    grid = GridSpec(-1.0, 1.0, -1.0, 1.0, resolution)
    p1 = np.tile(np.linspace(0.3, 0.7, resolution, dtype=np.float32), (resolution, 1))
    return GridPrediction(grid, np.stack([1 - p1, p1], axis=2), None, step)


def drawn(plot: DecisionBoundaryPlot, pred: GridPrediction) -> np.ndarray:
    plot.set_prediction(pred)
    plot.throttle.flush()
    return plot.image.image.transpose(1, 0, 2)  # back to [row=y, col=x]


def test_discretize_draws_each_cell_in_its_class_colour(plot):
    pred = prediction()
    soft = drawn(plot, pred)
    assert len({tuple(c) for c in soft[0]}) > 2  # shaded by confidence: many tones
    plot.discretize.setChecked(True)
    plot.throttle.flush()
    hard = plot.image.image.transpose(1, 0, 2)
    assert len({tuple(c) for c in hard.reshape(-1, 3)}) == 2  # exactly the two class colours
    assert tuple(hard[0, 0]) != tuple(hard[0, -1])  # one on each side of x = 0
    np.testing.assert_array_equal(hard, discrete_class_image(pred.outputs))


def test_discrete_image_of_a_single_sigmoid_unit_thresholds_at_a_half():
    p = np.array([[[0.2], [0.6]]], dtype=np.float32)
    image = discrete_class_image(p)
    assert tuple(image[0, 0]) != tuple(image[0, 1])


def test_banded_values_take_only_band_middles():
    values = banded(np.linspace(0, 1, 101), bands=4)
    assert sorted(set(np.round(values, 6))) == [0.125, 0.375, 0.625, 0.875]


def test_show_test_data_hides_and_shows_the_test_points(plot):
    test_points = plot.points["test"]
    assert len(test_points.data) > 0 and test_points.isVisible()
    plot.show_test.setChecked(False)
    assert not test_points.isVisible()
    assert plot.points["train"].isVisible()
    plot.show_test.setChecked(True)
    assert test_points.isVisible()


def test_switching_to_data_with_more_inputs_shows_a_placeholder_not_a_stale_title(plot, document):
    drawn(plot, prediction(step=4800))
    assert plot.plot.titleLabel.text == "Decision boundary (step 4,800)"
    document.set_data_source({"kind": "sklearn", "name": "iris"})
    assert plot.graphics.isHidden() and plot.options.isHidden()  # no meaningless empty axes or toggles
    assert plot.message.isVisible() and "two inputs" in plot.message.text() and "4" in plot.message.text()
    assert "step" not in plot.plot.titleLabel.text and plot.prediction is None
    document.set_data_source({"kind": "playground", "name": "circles", "num_points": 200, "noise": 0.1,
                              "seed": 0})
    assert not plot.graphics.isHidden() and not plot.message.isVisible()
    assert plot.plot.titleLabel.text == "Decision boundary"


def test_a_new_data_set_of_the_same_shape_drops_the_old_step_from_the_title(plot, document):
    drawn(plot, prediction(step=4800))
    document.set_data_source({"kind": "playground", "name": "xor", "num_points": 200, "noise": 0.1, "seed": 0})
    assert plot.prediction is None
    assert plot.plot.titleLabel.text == "Decision boundary"


def test_digits_shows_the_placeholder_not_an_empty_surface(plot, document):
    document.set_data_source({"kind": "sklearn", "name": "digits"})
    assert plot.graphics.isHidden() and "64" in plot.message.text()


def test_a_prediction_of_saved_weights_names_no_step(plot):
    """A reopened project's boundary comes from its saved weights (step 0): the title must not claim a step."""
    drawn(plot, prediction(step=0))
    assert plot.plot.titleLabel.text == "Decision boundary"
