"""Docks that start behind a tab build their panel when first shown: a placeholder until then, a real panel on
`window.panels[name]`, the saved layout restored, plots shown late catch up on the run so far, a broken panel
explained in its dock."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QLabel

from studio.plots.weight_histogram_plot import WeightHistogramPlot
from studio.window.docks import DOCKS, DockSpec, RIGHT

BEHIND_A_TAB = {spec.name for spec in DOCKS if spec.tab_with}


def _built(window) -> set[str]:
    return {name for name in window.docks if window.panels.is_built(name)}


def test_only_docks_in_front_are_built_at_start(main_window, qtbot):
    qtbot.wait(20)
    assert BEHIND_A_TAB and _built(main_window) == set(main_window.docks) - BEHIND_A_TAB
    assert set(main_window.panels) == set(main_window.docks)  # walking the mapping builds the rest
    assert _built(main_window) == set(main_window.docks)


def test_reading_a_waiting_panel_builds_it_into_its_dock(main_window):
    assert "training_settings_dock" in main_window.panels  # asking whether it is there does not build it
    assert not main_window.panels.is_built("training_settings_dock")
    panel = main_window.panels["training_settings_dock"]
    assert type(panel).__name__ == "TrainingSettingsPanel"
    assert main_window.docks["training_settings_dock"].widget() is panel


def test_showing_a_tab_builds_its_panel_and_wires_it(main_window, qtbot):
    dock = main_window.docks["activation_map_dock"]
    dock.raise_()
    qtbot.waitUntil(lambda: main_window.panels.is_built("activation_map_dock"), timeout=2000)
    panel = dock.widget()
    assert type(panel).__name__ == "NeuronActivationMap" and panel.isVisible()
    main_window.builder.neuron_hovered.emit(1, 3)  # connected when built, like a panel built up front
    assert panel.selected == (1, 3)


def test_saved_layout_restores_a_late_dock_in_front(main_window, make_window, qtbot):
    main_window.docks["confusion_dock"].raise_()
    qtbot.waitUntil(lambda: main_window.panels.is_built("confusion_dock"), timeout=2000)
    main_window.close()
    second = make_window()
    qtbot.waitUntil(lambda: second.panels.is_built("confusion_dock"), timeout=2000)
    assert not second.docks["confusion_dock"].visibleRegion().isEmpty()
    assert not second.panels.is_built("weight_histogram_dock")  # still behind the confusion matrix's tab


def test_plots_first_shown_after_a_run_catch_up(document, make_window, qtbot):
    document.set_training_field("epochs", 6)
    window = make_window(document)
    controller = window.controller
    controller.show_dialogs = False
    watching_from_the_start = WeightHistogramPlot(controller)
    qtbot.addWidget(watching_from_the_start)
    with qtbot.waitSignal(controller.finished, timeout=30_000):
        controller.start()
    qtbot.waitUntil(lambda: controller.state == "idle", timeout=5_000)
    qtbot.wait(50)  # the last queued update
    assert not BEHIND_A_TAB & _built(window)

    weights = window.panels["weight_histogram_dock"]
    for plot in (weights, watching_from_the_start):
        plot.throttle.flush()
    assert weights.layer_names == watching_from_the_start.layer_names
    assert weights.current_history().last_epoch == 6
    np.testing.assert_array_equal(weights.image.image, watching_from_the_start.image.image)
    np.testing.assert_array_equal(weights.current_now().counts, watching_from_the_start.current_now().counts)

    confusion = window.panels["confusion_dock"]
    final_confusion = next(s.confusion for s in reversed(controller.epoch_records) if s.confusion is not None)
    np.testing.assert_array_equal(confusion.matrix, final_confusion)

    activation = window.panels["activation_map_dock"]
    assert activation.prediction is controller.latest_prediction is not None


def test_a_broken_late_panel_is_explained_in_its_dock(monkeypatch, make_window, qtbot):
    broken = DockSpec("broken_dock", "Broken", "studio.widgets.undo_history", "NoSuchPanel", "document", RIGHT,
                      tab_with="layer_inspector_dock")
    missing = DockSpec("missing_dock", "Missing", "studio.no_such_module", "Panel", "document", RIGHT,
                       tab_with="layer_inspector_dock")
    monkeypatch.setattr("studio.main_window.DOCKS", DOCKS + (broken, missing))
    window = make_window()
    assert "missing_dock" not in window.docks and "No module named" in window.unavailable_panels["missing_dock"]
    assert "broken_dock" in window.docks and "broken_dock" not in window.unavailable_panels
    window.docks["broken_dock"].raise_()
    qtbot.waitUntil(lambda: "broken_dock" in window.unavailable_panels, timeout=2000)
    label = window.docks["broken_dock"].widget()
    assert isinstance(label, QLabel) and "NoSuchPanel" in label.text() and label.isVisible()
    assert "broken_dock" not in window.panels and window.panels.get("broken_dock") is None
