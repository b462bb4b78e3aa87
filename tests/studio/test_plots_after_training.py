"""Every live plot after a real training run through the controller has data: curves with points, histograms
with counts, a boundary image, a confusion matrix, activation maps."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest

from studio.plots.loss_summary import LEARNING_RATE
from studio.plots.preview import build_plots
from studio.training.controller import TrainingController


@pytest.fixture
def trained(document, qtbot):
    pg.setConfigOptions(antialias=True, background="w", foreground="k")
    document.set_training_field("epochs", 12)
    controller = TrainingController(document)
    plots = build_plots(controller, document)
    for plot in plots.values():
        qtbot.addWidget(plot)
        plot.resize(600, 450)
        plot.show()
    with qtbot.waitSignal(controller.finished, timeout=30_000):
        controller.start()
    qtbot.waitUntil(lambda: controller.state == "idle", timeout=5_000)
    qtbot.wait(50)  # the last queued update
    for plot in plots.values():
        plot.throttle.flush()
    yield controller, plots
    controller.shutdown()


def test_every_plot_has_data_after_training(trained):
    controller, plots = trained
    loss = plots["loss"]
    ex, ey = loss.epoch_train_curve.getOriginalDataset()
    np.testing.assert_array_equal(ex, np.arange(1, 13))
    assert np.all(np.isfinite(ey)) and ey[-1] < ey[0]  # it learned
    assert len(loss.epoch_val_curve.getOriginalDataset()[0]) == 12
    steps = controller.latest.step
    assert steps == 12 * controller.latest.batches_per_epoch
    # Every batch's loss reached the plot (not one sampled batch per update), each at its own step.
    assert loss.batch_loss.appended == steps and len(loss.batch_loss) == min(steps, loss.batch_loss.capacity)
    np.testing.assert_allclose(loss.batch_loss.x[-3:], (np.arange(steps - 2, steps + 1)) /
                               controller.latest.batches_per_epoch)
    drawn = loss.batch_curve.getOriginalDataset()[0]
    assert drawn is not None and len(drawn) == len(loss.batch_loss)  # denser than the epoch means: drawn
    assert len(loss.raw_batch_curve.getOriginalDataset()[0]) == len(loss.batch_loss)
    loss.arrangement.show_plot(LEARNING_RATE)  # a plot behind the selector gets its data when shown
    assert len(loss.lr_curve.getOriginalDataset()[0]) > 0

    flow = plots["gradient_flow"]
    assert len(flow.layer_names) == 3
    flow.arrangement.show_plot(1)  # "over time" (its lines are made when it is first on show)
    assert len(flow.curves) == 3
    assert all(len(c.getOriginalDataset()[0]) >= 12 for c in flow.curves)  # a point per epoch at least
    assert len(flow.bars.opts["height"]) == 3 and len(flow.labels) == 3

    weights = plots["weights"]
    assert weights.current_now().counts.sum() == 2 * 8  # layer 1: 2 inputs × 8 units, biases excluded
    assert weights.image.image.shape == (12, 64)  # one column per epoch × value bins
    rect = weights.image.mapRectToParent(weights.image.boundingRect())
    assert (rect.left(), rect.right()) == pytest.approx((0.0, 12.0))  # x = epochs 0 … 12
    weight_image = weights.image.image.copy()
    assert all(not np.array_equal(a, b) for a, b in zip(weight_image, weight_image[1:]))  # a histogram per epoch
    weights.kind_box.setCurrentIndex(1)  # gradients (a user's switch redraws at once)
    assert weights.current_now().counts.sum() > 0
    assert weights.image.image.shape == (12, 64) and not np.array_equal(weights.image.image, weight_image)

    boundary = plots["boundary"]
    assert boundary.prediction is not None and boundary.image.image.shape[2] == 3
    assert sum(len(item.data) for item in boundary.points.values()) == document_points(boundary)

    confusion = plots["confusion"]
    assert confusion.matrix is not None and confusion.matrix.shape == (2, 2)
    assert confusion.matrix.sum() == 80  # 20 % of the 400 circles points validate

    maps = plots["activations"]
    assert maps.small_images and maps.big_image.image is not None
    maps.show_neuron(1, 3)  # hovering redraws at once
    assert "neuron 4" in maps.title.full_text


def document_points(boundary) -> int:
    return boundary.document.dataset.num_samples


def test_gradient_flow_labels_vanishing_and_exploding_layers(qtbot):
    from studio.plots.gradient_flow_plot import GradientFlowPlot, classify_layers
    from studio.plots.synthetic import synthetic_snapshot

    assert classify_layers(np.array([1e-6, 0.1, 0.2, 50.0])) == ["vanishing", "ok", "ok", "exploding"]
    assert classify_layers(np.array([0.1, np.inf])) == ["ok", "exploding"]
    plot = GradientFlowPlot()
    qtbot.addWidget(plot)
    s = synthetic_snapshot(10, layers=4)
    s.grad_norms = np.array([1e-7, 0.1, 0.2, 0.3])
    plot.add_snapshot(s)
    plot.throttle.flush()
    assert plot.labels[0] == "vanishing" and "vanishing" in plot.verdict.text()
    assert plot.bar_texts[0].textItem.toPlainText() == "vanishing"


def test_confusion_matrix_shades_rows_and_labels_cells(qtbot):
    from studio.plots.confusion_matrix_plot import ConfusionMatrixPlot

    plot = ConfusionMatrixPlot()
    qtbot.addWidget(plot)
    plot.set_matrix(np.array([[8, 2], [0, 90]]), epoch=3)
    plot.throttle.flush()
    np.testing.assert_allclose(plot.image.image, [[0.8, 0.2], [0.0, 1.0]])
    assert [t.textItem.toPlainText() for t in plot.cell_texts] == ["8", "2", "0", "90"]
    assert "98.0%" in plot.plot.titleLabel.text
