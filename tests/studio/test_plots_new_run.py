"""Real runs through the controller: a new run (or Reset weights) clears the old run's plots, never mixing two
runs, and the vanishing deep-sigmoid example is flagged in the gradient-flow plot."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyqtgraph as pg
import pytest

from studio.plots.preview import build_plots
from studio.training.controller import TrainingController

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"


@pytest.fixture
def session(qtbot):
    pg.setConfigOptions(antialias=True, background="w", foreground="k")
    made = []

    def make(document):
        controller = TrainingController(document)
        controller.show_dialogs = False
        plots = build_plots(controller, document)
        for plot in plots.values():
            qtbot.addWidget(plot)
            plot.resize(900, 500)
            plot.show()
        made.append(controller)
        return controller, plots

    yield make
    for controller in made:
        controller.shutdown()


def train(qtbot, controller, plots) -> None:
    with qtbot.waitSignal(controller.finished, timeout=60_000):
        assert controller.start()
    qtbot.waitUntil(lambda: controller.state == "idle", timeout=5_000)
    qtbot.wait(50)
    for plot in plots.values():
        plot.throttle.flush()


def points(curve) -> int:
    x = curve.getOriginalDataset()[0]
    return 0 if x is None else len(x)


def test_a_new_run_on_a_changed_network_replaces_the_old_plots(document, session, qtbot):
    document.set_training_field("epochs", 6)
    controller, plots = session(document)
    train(qtbot, controller, plots)
    loss, flow, weights = plots["loss"], plots["gradient_flow"], plots["weights"]
    assert len(loss.epoch_train_loss) == 6 and len(flow.layer_names) == 3

    document.insert_layer(1)  # a changed network: 2-8-8-8-2
    document.set_training_field("epochs", 4)
    started = []
    controller.run_started.connect(lambda: started.append(
        (len(loss.batch_loss), len(loss.epoch_train_loss), len(flow.layer_names), weights.current_now())))
    train(qtbot, controller, plots)
    assert started == [(0, 0, 0, None)]  # cleared the moment the run started, before its first snapshot
    np.testing.assert_array_equal(loss.epoch_train_curve.getOriginalDataset()[0], [1, 2, 3, 4])
    flow.arrangement.show_plot(1)  # "over time": its lines are made when it is first on show
    assert len(flow.layer_names) == 4 and len(flow.curves) == 4 and len(flow.bars.opts["height"]) == 4
    assert weights.layer_box.count() == 4 and weights.image.image.shape[0] == 4

    controller.reset()  # Reset weights: the trained run's plots go
    for plot in plots.values():
        plot.throttle.flush()
    assert len(loss.batch_loss) == 0 and points(loss.batch_curve) == 0 and points(loss.epoch_val_curve) == 0
    assert weights.image.image is None and len(flow.bars.opts["height"]) == 0
    assert plots["boundary"].prediction is None and plots["confusion"].matrix is None


def test_vanishing_example_is_flagged_in_the_gradient_flow_plot(session, qtbot):
    from studio.document import Document

    document = Document.open(EXAMPLES / "circles_vanishing.bps")
    document.set_training_field("epochs", 3)
    controller, plots = session(document)
    train(qtbot, controller, plots)
    flow = plots["gradient_flow"]
    assert flow.labels[0] == "vanishing" and "exploding" not in flow.labels
    assert flow.labels[-1] == "ok"  # the output layer still learns
    assert "vanishing gradient in L1" in flow.verdict.full_text
    assert flow.bar_texts[0].textItem.toPlainText() == "vanishing"


def test_one_input_regression_draws_the_fitted_curve_through_the_points(document, session, qtbot, tmp_path):
    rng = np.random.default_rng(0)
    x = np.sort(rng.uniform(-3, 3, 120))
    y = np.sin(x) + 0.05 * rng.standard_normal(120)
    path = tmp_path / "sine.csv"
    path.write_text("x,y\n" + "".join(f"{a:.5f},{b:.5f}\n" for a, b in zip(x, y)))
    document.set_data_source({"kind": "file", "path": str(path), "format": "csv", "target": "y",
                              "task": "regression"})
    document.set_training_field("epochs", 5)
    controller, plots = session(document)
    boundary = plots["boundary"]
    assert boundary.one_d and not boundary.message.isVisible()
    shown_y = np.concatenate([item.data["y"] for item in boundary.points.values()])
    assert sorted(shown_y) == pytest.approx(sorted(y), abs=1e-4)  # points at (input, target)
    train(qtbot, controller, plots)
    assert boundary.prediction.grid.dims == 1
    cx, cy = boundary.curve.getOriginalDataset()
    assert len(cx) == 256 and cx[0] < x.min() and cx[-1] > x.max() and np.all(np.isfinite(cy))
    assert boundary.image.image is None  # a curve, not a surface
    assert "Fitted curve" in boundary.plot.titleLabel.text


def test_a_new_run_keeps_the_axes_up_and_a_reset_takes_them_down(document, session, qtbot):
    """Hiding the axes at a run's start and showing them at its first data re-laid each plot out twice."""
    document.set_training_field("epochs", 3)
    controller, plots = session(document)
    train(qtbot, controller, plots)
    loss, flow = plots["loss"], plots["gradient_flow"]

    def axes_shown() -> list[bool]:
        return [plot.getAxis("left").isVisible() for plot in (loss.loss_plot, flow.bars_plot)]

    assert axes_shown() == [True, True]
    at_start: list[list[bool]] = []
    controller.run_started.connect(lambda: at_start.append(axes_shown()))  # after the plots cleared themselves
    train(qtbot, controller, plots)
    assert at_start == [[True, True]]
    controller.reset()  # no run, no data: the empty plots show no meaningless numbers
    qtbot.waitUntil(lambda: axes_shown() == [False, False], timeout=5_000)
