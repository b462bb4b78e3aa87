"""Docks that start behind a tab build their panel when first shown: a placeholder until then, a real panel on
`window.panels[name]`, the saved layout restored, plots shown late catch up on the run so far, a panel that
fails to build fails loudly."""

from __future__ import annotations

import numpy as np
import pytest

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


def broken_panel(document, controller):
    raise RuntimeError("this panel is broken")


def test_a_panel_whose_factory_raises_fails_loudly_not_as_a_missing_dock(monkeypatch, make_window, qtbot):
    in_front = DockSpec("broken_dock", "Broken", broken_panel, RIGHT)
    monkeypatch.setattr("studio.main_window.DOCKS", DOCKS + (in_front,))
    with pytest.raises(RuntimeError, match="this panel is broken"):
        make_window()

    behind_a_tab = DockSpec("broken_dock", "Broken", broken_panel, RIGHT, tab_with="layer_inspector_dock")
    monkeypatch.setattr("studio.main_window.DOCKS", DOCKS + (behind_a_tab,))
    window = make_window()
    assert "broken_dock" in window.docks and not window.panels.is_built("broken_dock")
    with pytest.raises(RuntimeError, match="this panel is broken"):
        window.panels["broken_dock"]
    with pytest.raises(RuntimeError, match="this panel is broken"):
        window.panels.build_all()  # as the self-test does: a broken panel fails it
    with qtbot.captureExceptions() as exceptions:
        window.docks["broken_dock"].raise_()  # shown: its build fails in the dock's slot, and says so
        qtbot.waitUntil(lambda: bool(exceptions), timeout=2000)
    assert "this panel is broken" in str(exceptions[0][1])
    assert "broken_dock" in window.panels and not window.panels.is_built("broken_dock")


def test_every_dock_names_a_factory_that_builds_its_panel(document, qtbot):
    """The registry holds callables (no import paths as strings): each builds a widget around the document and
    controller, importing its module only when called."""
    from studio.training.controller import TrainingController

    controller = TrainingController(document)
    for spec in DOCKS:
        panel = spec.build(document, controller)
        qtbot.addWidget(panel)
        assert panel.parent() is None and type(panel).__module__.startswith("studio.")
    controller.shutdown()


def test_the_panels_behind_a_tab_are_not_even_imported_at_start(tmp_path):
    """The warm start imports no module of a panel behind a tab: its factory imports it when first shown."""
    import os
    import subprocess
    import sys

    assert {spec.build.__module__ for spec in DOCKS if spec.tab_with} == {"studio.window.docks"}  # factories
    script = """
import os, sys
from PySide6.QtWidgets import QApplication
app = QApplication([])
from studio.main_window import MainWindow
window = MainWindow()
print(sorted(m for m in sys.modules if m.startswith(("studio.widgets.", "studio.plots."))), flush=True)
window.controller.shutdown()
os._exit(0)  # no teardown of the Qt objects at exit
"""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "BACKPROP_STUDIO_DATA_DIR": str(tmp_path / "data")}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
    imported = out.stdout.strip()
    assert imported.startswith("["), out.stderr
    for module in ("studio.widgets.training_settings", "studio.widgets.undo_history", "studio.plots.activation_map",
                   "studio.plots.weight_histogram_plot", "studio.plots.confusion_matrix_plot"):
        assert f"'{module}'" not in imported
    assert "'studio.plots.loss_plot'" in imported  # a panel in front is built (and imported) at start
