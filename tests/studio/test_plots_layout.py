"""Plots stay readable at the size the window gives them: the adaptive arrangement, the loss dock at its default
size in the main window, and log axes with few, legible labels."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest

from studio.plots.adaptive_layout import SINGLE, TALL, WIDE
from studio.plots.log_axis import compact_number, log_tick_values
from studio.plots.loss_plot import LossPlot
from studio.plots.synthetic import synthetic_run

MIN_VIEW = (150, 100)  # the smallest data area (px) we call readable


@pytest.fixture(autouse=True)
def light_theme():
    pg.setConfigOptions(antialias=True, background="w", foreground="k")


def fed_loss_plot(qtbot, width: int, height: int) -> LossPlot:
    plot = LossPlot()
    qtbot.addWidget(plot)
    plot.resize(width, height)
    plot.show()
    qtbot.waitExposed(plot)
    for snapshot in synthetic_run(epochs=8, batches_per_epoch=10):
        plot.add_snapshot(snapshot) if snapshot.kind == "batch" else plot.add_epochs([snapshot])
    plot.throttle.flush()
    qtbot.wait(20)
    return plot


def inside(outer, inner) -> bool:
    return outer.adjusted(-1, -1, 1, 1).contains(inner)


def test_small_dock_shows_one_plot_with_a_selector(qtbot):
    plot = fed_loss_plot(qtbot, 280, 250)
    assert plot.arrangement.mode == SINGLE and plot.arrangement.selector.isVisible()
    assert plot.loss_plot in plot.graphics.ci.items and plot.metric_plot not in plot.graphics.ci.items
    assert plot.loss_plot.vb.width() >= MIN_VIEW[0] and plot.loss_plot.vb.height() >= MIN_VIEW[1]
    qtbot.mouseClick(plot.arrangement.selector.buttons[1], pg.QtCore.Qt.MouseButton.LeftButton)
    assert plot.metric_plot in plot.graphics.ci.items and plot.loss_plot not in plot.graphics.ci.items
    assert "0." in plot.key.text() and "validation" in plot.key.text()  # the key now gives the metric
    assert plot.arrangement.selector.buttons[1].text() == "Accuracy"


def test_large_docks_show_every_plot_unclipped(qtbot):
    for (width, height), mode in (((1000, 330), WIDE), ((700, 600), TALL)):
        plot = fed_loss_plot(qtbot, width, height)
        assert plot.arrangement.mode == mode and not plot.arrangement.selector.isVisible()
        view = plot.graphics.viewport().rect()
        for item in (plot.loss_plot, plot.metric_plot, plot.lr_plot):
            rect = plot.graphics.mapFromScene(item.sceneBoundingRect()).boundingRect()
            assert inside(view, rect), f"{mode}: a plot reaches outside the dock ({rect} not in {view})"
            assert item.vb.height() >= 60 and item.vb.width() >= 100


def test_loss_dock_at_the_default_window_size_shows_all_its_parts(main_window, qtbot):
    dock, panel = main_window.docks["loss_dock"], main_window.panels["loss_dock"]
    assert dock.width() >= 280 and dock.height() >= 250
    qtbot.wait(20)
    for widget in (panel.log_scale, panel.smoothing, panel.key, panel.arrangement.selector):
        assert widget.isVisible() and widget.width() > 0
        corner = widget.mapTo(panel, widget.rect().bottomRight())
        assert panel.rect().contains(corner), f"{widget} is cut off at the dock's edge"
    view = panel.loss_plot.vb
    assert view.width() >= MIN_VIEW[0] and view.height() >= MIN_VIEW[1]
    bottom_axis = panel.graphics.mapFromScene(panel.loss_plot.getAxis("bottom").sceneBoundingRect()).boundingRect()
    assert inside(panel.graphics.viewport().rect(), bottom_axis)  # the "Epoch" label is not cut
    flow = main_window.panels["gradient_flow_dock"]
    for item in flow.arrangement.plots:
        if item in flow.graphics.ci.items:
            rect = flow.graphics.mapFromScene(item.sceneBoundingRect()).boundingRect()
            assert inside(flow.graphics.viewport().rect(), rect)


def test_log_ticks_are_few_and_short():
    assert log_tick_values(-3.5, -2.5) == pytest.approx(np.log10([5e-4, 1e-3, 2e-3]))  # a constant 1e-3
    assert log_tick_values(-6.0, 1.0) == [-6.0, -4.0, -2.0, 0.0]  # seven decades: every other one
    assert log_tick_values(-2.02, -1.99) == [-2.0]
    assert [compact_number(v) for v in (1e-5, 0.001, 0.02, 20.0, 2e6)] == ["1e-5", "0.001", "0.02", "20", "2e6"]


def test_learning_rate_plot_spans_at_least_a_decade(qtbot):
    plot = fed_loss_plot(qtbot, 700, 600)
    low, high = plot.lr_plot.vb.viewRange()[1]
    assert high - low >= 1.0
    axis = plot.lr_plot.getAxis("left")
    ticks = [v for _spacing, values in axis.tickValues(low, high, 100) for v in values]
    assert 1 <= len(ticks) <= 5


@pytest.mark.parametrize("dock_name", ["loss_dock", "gradient_flow_dock", "weight_histogram_dock"])
def test_every_plot_chosen_in_a_small_dock_fills_it(main_window, qtbot, dock_name):
    """Issue 11 §2.1: after choosing Accuracy or LR (or "Over time", "Δw/w"), the plot was drawn about 105×90 px
    in the dock's corner until the dock was resized."""
    main_window.docks[dock_name].raise_()
    panel = main_window.panels[dock_name]
    qtbot.waitUntil(lambda: panel.graphics.isVisible() and panel.graphics.width() > 250)
    arrangement = panel.arrangement
    assert arrangement.mode == SINGLE  # the default window gives these docks one plot at a time
    view = panel.graphics.viewport().rect()
    for index in [*range(1, len(arrangement.plots)), 0]:
        qtbot.mouseClick(arrangement.selector.buttons[index], pg.QtCore.Qt.MouseButton.LeftButton)
        qtbot.wait(20)
        plot = arrangement.plots[index]
        assert plot in panel.graphics.ci.items
        rect = panel.graphics.mapFromScene(plot.sceneBoundingRect()).boundingRect()
        name = arrangement.selector.buttons[index].text()
        assert rect.width() >= 0.8 * view.width() and rect.height() >= 0.8 * view.height(), (
            f"{dock_name}: {name!r} drawn {rect.width()}×{rect.height()} in a {view.width()}×{view.height()} view")


def test_neuron_activation_dock_at_the_default_size_shows_its_map_whole(main_window, qtbot):
    """Issue 11 §2.5: the large map and its title ("layer 2, n…") reached past the dock's right edge."""
    controller = main_window.controller
    controller.show_dialogs = False
    main_window.document.set_training_field("epochs", 3)
    with qtbot.waitSignal(controller.finished, timeout=30_000):
        controller.start()
    main_window.docks["activation_map_dock"].raise_()
    panel = main_window.panels["activation_map_dock"]
    qtbot.waitUntil(lambda: bool(panel.small_images) and panel.graphics.isVisible(), timeout=5_000)
    panel.throttle.flush()
    panel.show_neuron(1, 3)
    qtbot.wait(20)
    view = panel.graphics.viewport().rect()
    for item in (panel.big_plot, panel.big_plot.vb):
        rect = panel.graphics.mapFromScene(item.sceneBoundingRect()).boundingRect()
        assert inside(view, rect), f"{item} drawn at {rect}, outside the {view} view"
    assert panel.big_plot.vb.width() >= 60 and panel.big_plot.vb.height() >= 100
    title = panel.title
    assert title.isVisible() and panel.rect().contains(title.geometry())
    assert title.full_text.startswith("layer 2, neuron 4") and title.toolTip() == title.full_text


def axes_shown(item) -> bool:
    return all(item.getAxis(side).isVisible() for side in ("left", "bottom"))


def test_placeholder_plots_have_no_axes_until_there_is_data(qtbot):
    """Issue 11 §3: an empty plot showed meaningless axes ("x₂ (x0.001)" from −400 to 400)."""
    from studio.plots.activation_map import NeuronActivationMap
    from studio.plots.confusion_matrix_plot import ConfusionMatrixPlot
    from studio.plots.gradient_flow_plot import GradientFlowPlot
    from studio.plots.synthetic import synthetic_snapshot
    from studio.plots.weight_histogram_plot import WeightHistogramPlot

    loss, flow, weights = LossPlot(), GradientFlowPlot(), WeightHistogramPlot()
    confusion, maps = ConfusionMatrixPlot(), NeuronActivationMap()
    items = {"loss": loss.arrangement.plots, "flow": flow.arrangement.plots, "weights": weights.arrangement.plots,
             "confusion": [confusion.plot], "maps": [maps.big_plot]}
    for widget in (loss, flow, weights, confusion, maps):
        qtbot.addWidget(widget)
        widget.resize(600, 450)
        widget.show()
    qtbot.waitExposed(maps)
    for name, plots in items.items():
        assert not any(axes_shown(p) for p in plots), f"the empty {name} plot shows axes"
    for snapshot in synthetic_run(epochs=2, batches_per_epoch=5):
        loss.add_snapshot(snapshot) if snapshot.kind == "batch" else loss.add_epochs([snapshot])
    flow.add_snapshot(synthetic_snapshot(10, layers=3))
    weights.add_snapshots(list(synthetic_run(epochs=2, batches_per_epoch=5)))
    confusion.set_matrix(np.array([[3, 1], [0, 4]]), epoch=1)
    for widget in (loss, flow, weights, confusion):
        widget.throttle.flush()
    for name in ("loss", "flow", "weights", "confusion"):
        assert all(axes_shown(p) for p in items[name]), f"the {name} plot has data but no axes"
    confusion.clear()
    loss.clear()
    assert not axes_shown(confusion.plot) and not any(axes_shown(p) for p in items["loss"])


def test_neuron_maps_of_n_d_data_are_a_sentence_not_empty_plots(qtbot, document):
    """Issue 11 §2.6 and §3: for 64-feature digits the dock showed an empty plot under "Hover a neuron"."""
    from studio.plots.activation_map import HINT, NeuronActivationMap

    maps = NeuronActivationMap(None, document)
    qtbot.addWidget(maps)
    maps.resize(320, 260)
    maps.show()
    qtbot.waitExposed(maps)
    assert maps.graphics.isVisible() and maps.message.text() == HINT and not maps.title.isVisible()
    document.set_data_source({"kind": "sklearn", "name": "digits"})
    assert not maps.graphics.isVisible() and maps.message.isVisible()
    assert "digits has 64 features" in maps.message.text()
    document.undo_stack.undo()
    assert maps.graphics.isVisible() and maps.message.text() == HINT
