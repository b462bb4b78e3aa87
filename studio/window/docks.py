"""The dock registry: which panels the frame docks, the factory that builds each one, and where it starts.

A dock names its panel's factory: a callable that builds the panel around the window's `Document` and
`TrainingController`. The panels in front are built at start, so their classes are imported here; a panel that
starts behind a tab has a small factory function that imports its module when called, so it costs the warm start
nothing until the dock is first shown. PyInstaller finds both (its scan follows imports inside functions, and the
spec collects every studio module anyway). A factory that fails raises: a broken panel is an error in its test
and in the self-test, never a silently missing dock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtWidgets import QMainWindow, QTabBar, QWidget

from studio.plots.decision_boundary_plot import DecisionBoundaryPlot
from studio.plots.gradient_flow_plot import GradientFlowPlot
from studio.plots.loss_plot import LossPlot
from studio.widgets.data_panel import DataPanel
from studio.widgets.layer_inspector import LayerInspector

if TYPE_CHECKING:
    from studio.document import Document
    from studio.training.controller import TrainingController

LEFT, RIGHT, BOTTOM = (Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea,
                       Qt.DockWidgetArea.BottomDockWidgetArea)
PanelFactory = Callable[["Document", "TrainingController"], QWidget]


# ---- the factories of the panels behind a tab: each imports its panel's module when the dock is first shown ----
def training_settings(document: Document, controller: TrainingController) -> QWidget:
    from studio.widgets.training_settings import TrainingSettingsPanel
    return TrainingSettingsPanel(document)


def undo_history(document: Document, controller: TrainingController) -> QWidget:
    from studio.widgets.undo_history import UndoHistoryPanel
    return UndoHistoryPanel(document)


def activation_map(document: Document, controller: TrainingController) -> QWidget:
    from studio.plots.activation_map import NeuronActivationMap
    return NeuronActivationMap(controller, document)


def weight_histograms(document: Document, controller: TrainingController) -> QWidget:
    from studio.plots.weight_histogram_plot import WeightHistogramPlot
    return WeightHistogramPlot(controller)


def confusion_matrix(document: Document, controller: TrainingController) -> QWidget:
    from studio.plots.confusion_matrix_plot import ConfusionMatrixPlot
    return ConfusionMatrixPlot(controller, document)  # the document names the classes on the axes


def doctor(document: Document, controller: TrainingController) -> QWidget:
    from studio.widgets.doctor_panel import DoctorPanel
    return DoctorPanel(document, controller)


def runs(document: Document, controller: TrainingController) -> QWidget:
    from studio.window.runs_dock import RunsDock
    return RunsDock(document, controller)


# ---- the registry ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DockSpec:
    """One dockable panel: its dock, the factory of its panel, where it starts."""

    name: str  # the dock's objectName (the key of the saved layout)
    title: str
    build: PanelFactory
    area: Qt.DockWidgetArea
    tab_with: str | None = None  # start as a tab behind this dock (its panel is built when first shown)


DOCKS: tuple[DockSpec, ...] = (  # the panels in front are built at start: their classes are imported above
    DockSpec("data_dock", "Data", lambda document, _controller: DataPanel(document), LEFT),
    DockSpec("training_settings_dock", "Training settings", training_settings, LEFT, tab_with="data_dock"),
    DockSpec("layer_inspector_dock", "Layer", lambda document, _controller: LayerInspector(document), RIGHT),
    DockSpec("undo_history_dock", "History", undo_history, RIGHT, tab_with="layer_inspector_dock"),
    DockSpec("decision_boundary_dock", "Decision boundary",
             lambda document, controller: DecisionBoundaryPlot(controller, document), RIGHT),
    DockSpec("activation_map_dock", "Neuron activation", activation_map, RIGHT, tab_with="decision_boundary_dock"),
    DockSpec("loss_dock", "Loss", lambda _document, controller: LossPlot(controller), BOTTOM),
    DockSpec("gradient_flow_dock", "Gradient flow", lambda _document, controller: GradientFlowPlot(controller),
             BOTTOM),
    DockSpec("weight_histogram_dock", "Weight histograms", weight_histograms, BOTTOM,
             tab_with="gradient_flow_dock"),
    DockSpec("confusion_dock", "Confusion matrix", confusion_matrix, BOTTOM, tab_with="gradient_flow_dock"),
    DockSpec("doctor_dock", "Doctor", doctor, RIGHT, tab_with="layer_inspector_dock"),
    DockSpec("runs_dock", "Runs", runs, BOTTOM, tab_with="gradient_flow_dock"),
)
FRONT_DOCKS = ("data_dock", "layer_inspector_dock", "decision_boundary_dock", "gradient_flow_dock")  # tabs on top


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
