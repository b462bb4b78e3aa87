"""The dock registry: which panels the frame docks, what each is built from, and where it starts.

Panels are found by import path, so a part of the studio that is missing or broken leaves its dock out instead
of keeping the window from opening (`build_part` notes why in the window's `unavailable_panels`).
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtWidgets import QMainWindow, QTabBar

log = logging.getLogger(__name__)
LEFT, RIGHT, BOTTOM = (Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea,
                       Qt.DockWidgetArea.BottomDockWidgetArea)


@dataclass(frozen=True)
class DockSpec:
    """One dockable panel: where its class lives, what it is built from, where it starts."""

    name: str  # the dock's objectName (the key of the saved layout)
    title: str
    module: str
    cls: str
    needs: str  # "document" | "controller" | "controller+document"
    area: Qt.DockWidgetArea
    tab_with: str | None = None  # start as a tab behind this dock


DOCKS: tuple[DockSpec, ...] = (
    DockSpec("data_dock", "Data", "studio.widgets.data_panel", "DataPanel", "document", LEFT),
    DockSpec("training_settings_dock", "Training settings", "studio.widgets.training_settings",
             "TrainingSettingsPanel", "document", LEFT, tab_with="data_dock"),
    DockSpec("layer_inspector_dock", "Layer", "studio.widgets.layer_inspector", "LayerInspector", "document",
             RIGHT),
    DockSpec("undo_history_dock", "History", "studio.widgets.undo_history", "UndoHistoryPanel", "document", RIGHT,
             tab_with="layer_inspector_dock"),
    DockSpec("decision_boundary_dock", "Decision boundary", "studio.plots.decision_boundary_plot",
             "DecisionBoundaryPlot", "controller+document", RIGHT),
    DockSpec("activation_map_dock", "Neuron activation", "studio.plots.activation_map", "NeuronActivationMap",
             "controller+document", RIGHT, tab_with="decision_boundary_dock"),
    DockSpec("loss_dock", "Loss", "studio.plots.loss_plot", "LossPlot", "controller", BOTTOM),
    DockSpec("gradient_flow_dock", "Gradient flow", "studio.plots.gradient_flow_plot", "GradientFlowPlot",
             "controller", BOTTOM),
    DockSpec("weight_histogram_dock", "Weight histograms", "studio.plots.weight_histogram_plot",
             "WeightHistogramPlot", "controller", BOTTOM, tab_with="gradient_flow_dock"),
    DockSpec("confusion_dock", "Confusion matrix", "studio.plots.confusion_matrix_plot", "ConfusionMatrixPlot",
             "controller", BOTTOM, tab_with="gradient_flow_dock"),
)
FRONT_DOCKS = ("data_dock", "layer_inspector_dock", "decision_boundary_dock", "gradient_flow_dock")  # tabs on top


def build_part(unavailable: dict[str, str], name: str, module: str, cls: str, *args: Any) -> Any:
    """An instance of another part's class, or None (with the reason in `unavailable`) if it can't be built."""
    try:
        return getattr(importlib.import_module(module), cls)(*args)
    except Exception as error:  # a missing or broken panel must not keep the studio from opening
        unavailable[name] = f"{type(error).__name__}: {error}"
        if not isinstance(error, ModuleNotFoundError):
            log.exception("could not build %s.%s", module, cls)
        return None


def missing_module(module: str) -> str | None:
    """Why `module` can't be imported without importing it (None when it is there): a dock that builds its panel
    later still leaves out, at once, a panel whose module the installation lacks."""
    try:
        found = importlib.util.find_spec(module) is not None
    except ImportError as error:  # a parent package is missing
        return f"{type(error).__name__}: {error}"
    return None if found else f"ModuleNotFoundError: No module named {module!r}"


def restore_dock_layout(window: QMainWindow, state: QByteArray, version: int) -> bool:
    """`window.restoreState(state, version)` that leaves painted only the tab bars the restored layout uses.

    Qt 6 keeps painting the tab bars of a dock layout built while the window was hidden, and those of the
    layout a restoreState replaces: a stale "Data | Traini…" bar over the learning-rate schedule after a
    relaunch, a "…trix" fragment after Reset layout. Hiding every bar first and restoring then shows again
    exactly the bars in use (restoring the current layout, `window.saveState()`, just cleans up).
    """
    for bar in window.findChildren(QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly):
        bar.hide()
    return window.restoreState(state, version)
