"""Reopening a trained project shows its network at once: the decision boundary, the neuron maps and the builder's
thumbnails come from ONE grid prediction of the document's weights (computed off the GUI thread, relayed like a
run's update); the confusion matrix names the classes; signed values share one orange–white–blue colour map."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from studio.plots.plot_style import NEGATIVE_RGB, POSITIVE_RGB, diverging_colour_map

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"
WAIT_MS = 30_000  # the first prediction in a process loads the kernels from the disk cache


def trained_project(tmp_path: Path, spec_seed: int = 3) -> Path:
    """The default circles project saved with (seeded initial) weights standing for trained ones."""
    from core.network import Network
    from studio.document import Document

    document = Document()
    document.set_weights(Network.from_spec(document.spec, seed=spec_seed).get_state(), [])
    path = tmp_path / "trained.bps"
    document.save(path)
    document.deleteLater()
    return path


def wait_for_document_prediction(qtbot, controller):
    qtbot.waitUntil(lambda: controller.latest_prediction is not None, timeout=WAIT_MS)
    return controller.latest_prediction


def test_opening_a_trained_project_draws_its_boundary_and_thumbnails(make_window, tmp_path, qtbot):
    window = make_window()
    path = trained_project(tmp_path)
    assert window.open_project(path, ask_to_save=False)
    prediction = wait_for_document_prediction(qtbot, window.controller)
    np.testing.assert_array_equal(prediction.params, window.document.weights["params"])
    assert prediction.outputs.shape[:2] == (prediction.grid.resolution, prediction.grid.resolution)

    boundary = window.panels["decision_boundary_dock"]
    boundary.throttle.flush()
    assert boundary.image.image is not None and boundary.image.image.shape[:2] == prediction.outputs.shape[1::-1]
    assert np.ptp(boundary.image.image) > 0  # a heatmap, not a blank fill

    builder = window.builder
    builder.throttle.flush()
    assert all(block.thumbnails is not None and len(block.thumbnails) == block.column.units
               for block in builder.blocks)
    assert not builder.blocks[0].thumbnails[0].isNull()

    window.docks["activation_map_dock"].raise_()  # a dock built late catches up with the prediction
    maps = window.panels.build("activation_map_dock")
    maps.throttle.flush()
    assert maps.big_image.image is not None


def test_an_undone_edge_weight_edit_shows_the_weights_it_restores(make_window, tmp_path, qtbot):
    window = make_window()
    assert window.open_project(trained_project(tmp_path), ask_to_save=False)
    controller, document = window.controller, window.document
    before = wait_for_document_prediction(qtbot, controller)
    original = np.array(document.weights["params"], copy=True)

    assert window.builder.set_edge_weight(0, 0, 0, "7.5")
    qtbot.waitUntil(lambda: controller.latest_prediction is not None and
                    not np.array_equal(controller.latest_prediction.params, original), timeout=WAIT_MS)
    edited = controller.latest_prediction
    np.testing.assert_array_equal(edited.params, document.weights["params"])
    assert not np.allclose(edited.activations[0], before.activations[0])  # the edited weight moves layer 1's maps

    document.undo_stack.undo()
    qtbot.waitUntil(lambda: controller.latest_prediction is not None and
                    np.array_equal(controller.latest_prediction.params, original), timeout=WAIT_MS)
    np.testing.assert_allclose(controller.latest_prediction.outputs, before.outputs, rtol=1e-5, atol=1e-6)


def test_no_prediction_for_an_untrained_project_or_data_without_a_plane(document, qtbot):
    from studio.training.controller import TrainingController

    controller = TrainingController(document)
    assert not controller.show_prediction_of_document()  # untrained: nothing to show
    document.set_data_source({"kind": "sklearn", "name": "iris"})
    from core.network import Network
    document.set_weights(Network.from_spec(document.spec).get_state(), [])
    assert not controller.show_prediction_of_document()  # four features: no plane to draw over
    assert controller.latest_prediction is None


def test_a_stale_prediction_is_dropped(document, qtbot):
    from core.network import Network
    from studio.training.controller import TrainingController

    controller = TrainingController(document)
    received = []
    controller.updated.connect(received.append)
    document.set_weights(Network.from_spec(document.spec).get_state(), [])
    prediction = wait_for_document_prediction(qtbot, controller)
    stale = controller.document_predictor.request_number
    document.set_weights(None, [])  # reset: the pending request (if any) is stale, the prediction is forgotten
    received.clear()
    controller._on_document_prediction(prediction, stale)
    assert received == [] and controller.latest_prediction is None


def test_the_confusion_dock_names_the_classes(qtbot):
    from studio.document import Document
    from studio.training.controller import TrainingController
    from studio.window.docks import DOCKS

    document = Document.open(EXAMPLES / "iris.bps")
    controller = TrainingController(document)
    factory = next(spec.build for spec in DOCKS if spec.name == "confusion_dock")
    panel = factory(document, controller)
    qtbot.addWidget(panel)
    panel.set_matrix(np.array([[5, 0, 0], [0, 4, 1], [0, 2, 3]]), epoch=1)
    panel.throttle.flush()
    ticks = [text for text in _tick_texts(panel.plot.getAxis("bottom"))]
    assert ticks[:1] == ["setosa"] and len(ticks) == 3


def _tick_texts(axis) -> list[str]:
    return [text for _value, text in axis._tickLevels[0]] if axis._tickLevels else []


@pytest.mark.parametrize("value, expected", [(-1.0, NEGATIVE_RGB), (1.0, POSITIVE_RGB)])
def test_activation_maps_edges_and_thumbnails_colour_signs_alike(qtbot, value, expected):
    from studio.plots.activation_map import NeuronActivationMap
    from studio.widgets.builder.connections import _weight_pen
    from studio.widgets.builder.thumbnails import diverging_rgb

    maps = NeuronActivationMap()
    qtbot.addWidget(maps)
    colour_map = maps.big_image.getColorMap()
    assert colour_map is not None
    at_extreme = colour_map.map(np.array([(value + 1) / 2]), mode="byte")[0][:3]  # levels are ±bound: −1 → 0
    assert tuple(int(c) for c in at_extreme) == expected
    assert tuple(int(c) for c in diverging_rgb(np.array([value]))[0]) == expected
    assert tuple(int(c) for c in diverging_colour_map().map(np.array([(value + 1) / 2]), mode="byte")[0][:3]) \
        == expected
    pen = _weight_pen(value, 1.0).color()  # full strength: the colour itself, barely faded into the background
    red, _green, blue = pen.red(), pen.green(), pen.blue()
    assert (red > blue) == (expected[0] > expected[2])


def test_during_a_kernel_warmup_the_prediction_waits_for_the_kernels(qtbot, document, tmp_path):
    from PySide6.QtWidgets import QMainWindow

    from core.network import Network
    from studio.startup import start_kernel_warmup
    from studio.startup.kernel_warmup import KernelWarmup
    from studio.training.controller import TrainingController
    from tests.studio.test_kernel_warmup import fake_warmup

    window = QMainWindow()
    window.controller = controller = TrainingController(document)
    window.statusBar()
    qtbot.addWidget(window)
    go = tmp_path / "go"
    warmup = KernelWarmup(fake_warmup(go), cache_is_warm=lambda: False)
    try:
        with qtbot.waitSignal(warmup.progress, timeout=10_000):
            start_kernel_warmup(window, warmup)
        requests = controller.document_predictor.request_number
        document.set_weights(Network.from_spec(document.spec).get_state(), [])  # as opening a trained project
        assert controller._prediction_waits_for_kernels  # nothing compiles in this process meanwhile
        assert controller.document_predictor.request_number == requests + 1  # (the cancel of older ones only)
        go.touch()  # float32 is cached: the prediction follows by itself
        prediction = wait_for_document_prediction(qtbot, controller)
        np.testing.assert_array_equal(prediction.params, document.weights["params"])
    finally:
        warmup.stop()
        controller.shutdown()


def test_weights_that_do_not_fit_give_a_reason_and_no_prediction(qtbot, document):
    from studio.training.document_prediction import DocumentPredictor
    from core.network.grid_prediction import GridSpec

    predictor = DocumentPredictor()
    received = []
    predictor.ready.connect(lambda prediction, _number: received.append(prediction))
    weights = {"params": np.zeros(3, np.float32), "buffers": np.zeros(0, np.float32)}
    predictor.request(document.spec, weights, GridSpec.around(document.dataset.x), document.prepared().preprocess, 0)
    qtbot.waitUntil(lambda: predictor.last_error is not None, timeout=WAIT_MS)
    assert "params" in predictor.last_error and received == []
