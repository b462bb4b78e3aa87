"""The frame: the network builder in the middle, movable docks around it, menus, toolbar and status bar.

The window owns layout only. Panels are built around the one `Document` (New and Open replace its contents,
so every panel keeps observing the same object). Panels another part of the studio provides are looked up by
import path; one that can't be built is left out and listed in `unavailable_panels`, so the frame always opens.
The dock layout is remembered between starts (QSettings, with a layout version).
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QDockWidget, QFileDialog, QLabel, QMainWindow, QMenu, QWidget

from core.project import PROJECT_SUFFIX, ProjectError
from studio.autosave import Autosaver
from studio.dialogs import export_dialog, messages
from studio.dialogs.about import AboutDialog
from studio.dialogs.shortcuts import ShortcutsDialog
from studio.document import Document
from studio.settings import LAYOUT_VERSION, StudioSettings

log = logging.getLogger(__name__)
APP_TITLE = "Backprop Studio"
PROJECT_FILTER = f"Backprop Studio projects (*{PROJECT_SUFFIX});;All files (*)"
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


def _load_class(module: str, name: str) -> type:
    return getattr(importlib.import_module(module), name)


class MainWindow(QMainWindow):
    def __init__(self, document: Document | None = None, settings: StudioSettings | None = None,
                 autosave_folder: Path | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("main_window")
        self.document = document if document is not None else Document()
        self.document.setParent(self)
        self.settings = settings if settings is not None else StudioSettings()
        self.unavailable_panels: dict[str, str] = {}
        self.docks: dict[str, QDockWidget] = {}
        self.panels: dict[str, QWidget] = {}
        self.controller: QObject | None = self._build("controller", "studio.training.controller",
                                                     "TrainingController", self.document, self)
        self._build_central()
        self._build_docks()
        self._build_actions()
        self._build_menus()
        self._build_toolbar_and_status()
        self._connect_panels()
        self.autosaver = Autosaver(self.document, autosave_folder, parent=self)
        self.resize(1400, 880)
        self._default_layout = self.saveState(LAYOUT_VERSION)
        self._restore_layout()
        self.document.dirty_changed.connect(self._update_title)
        self.document.path_changed.connect(self._update_title)
        self.document.notice.connect(self._on_notice)
        self.document.training_changed.connect(self._update_undo_actions)
        self._update_title()

    # ---- building ---------------------------------------------------------------------------------------
    def _build(self, name: str, module: str, cls: str, *args: Any) -> Any:
        """An instance of another part's class, or None (noted in unavailable_panels) if it can't be built."""
        try:
            return _load_class(module, cls)(*args)
        except Exception as error:  # a missing or broken panel must not keep the studio from opening
            reason = f"{type(error).__name__}: {error}"
            self.unavailable_panels[name] = reason
            if not isinstance(error, ModuleNotFoundError):
                log.exception("could not build %s.%s", module, cls)
            return None

    def _build_central(self) -> None:
        self.builder = self._build("builder", "studio.widgets.network_builder", "NetworkBuilder", self.document)
        if self.builder is None:
            placeholder = QLabel("The network builder is not available:\n" + self.unavailable_panels["builder"])
            placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.setCentralWidget(placeholder)
        else:
            self.setCentralWidget(self.builder)

    def _build_docks(self) -> None:
        self.setDockOptions(QMainWindow.DockOption.AnimatedDocks | QMainWindow.DockOption.AllowTabbedDocks
                            | QMainWindow.DockOption.AllowNestedDocks)
        self.setCorner(Qt.Corner.BottomLeftCorner, LEFT)
        self.setCorner(Qt.Corner.BottomRightCorner, RIGHT)
        for spec in DOCKS:
            if "controller" in spec.needs and self.controller is None:
                self.unavailable_panels.setdefault(spec.name, "the training controller is not available")
                continue
            args = {"document": (self.document,), "controller": (self.controller,),
                    "controller+document": (self.controller, self.document)}[spec.needs]
            panel = self._build(spec.name, spec.module, spec.cls, *args)
            if panel is None:
                continue
            dock = QDockWidget(spec.title, self)
            dock.setObjectName(spec.name)
            dock.setWidget(panel)
            partner = self.docks.get(spec.tab_with or "")
            if partner is not None:
                self.tabifyDockWidget(partner, dock)
            else:
                self.addDockWidget(spec.area, dock)
            self.docks[spec.name], self.panels[spec.name] = dock, panel
        for first in ("data_dock", "layer_inspector_dock", "decision_boundary_dock", "gradient_flow_dock"):
            if first in self.docks:
                self.docks[first].raise_()
        sizes = [(name, width) for name, width in (("data_dock", 340), ("layer_inspector_dock", 320),
                                                    ("decision_boundary_dock", 320)) if name in self.docks]
        if sizes:
            self.resizeDocks([self.docks[n] for n, _ in sizes], [w for _, w in sizes], Qt.Orientation.Horizontal)
        # The plot row: tall enough for a readable plot under its controls; the loss dock wide enough for one
        # plot with its selector, the gradient flow dock for its three plots side by side when there is room.
        bottom = [name for name in ("loss_dock", "gradient_flow_dock") if name in self.docks]
        if bottom:
            self.resizeDocks([self.docks[bottom[0]]], [360], Qt.Orientation.Vertical)
        if len(bottom) == 2:
            self.resizeDocks([self.docks[n] for n in bottom], [400, 560], Qt.Orientation.Horizontal)

    def _action(self, text: str, slot: Any, shortcut: Any = None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            keys = shortcut if isinstance(shortcut, list) else [shortcut]
            action.setShortcuts([QKeySequence(k) for k in keys])
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.action_new = self._action("&New", self.new_project, QKeySequence.StandardKey.New,
                                       "Start a new project on the circles playground set")
        self.action_open = self._action("&Open…", self.open_project_dialog, QKeySequence.StandardKey.Open)
        self.action_save = self._action("&Save", self.save_project, QKeySequence.StandardKey.Save)
        self.action_save_as = self._action("Save &As…", self.save_project_as, "Ctrl+Shift+S")
        self.action_export = self._action("&Export…", self.export_network, "Ctrl+E",
                                          "Export the trained network: ONNX, NumPy, safetensors or PyTorch")
        self.document.training_changed.connect(lambda training: self.action_export.setEnabled(not training))
        self.action_quit = self._action("&Quit", self.close, "Ctrl+Q")
        self.action_undo = self._action("&Undo", self._on_undo, QKeySequence.StandardKey.Undo)
        self.action_redo = self._action("&Redo", self._on_redo, ["Ctrl+Shift+Z", "Ctrl+Y"])
        self.action_reset_layout = self._action("&Reset layout", self.reset_layout, "Ctrl+Alt+0",
                                                "Put every panel back where it started")
        self.action_shortcuts = self._action("Keyboard &shortcuts", self.show_shortcuts, "Ctrl+/")
        self.action_about = self._action("&About Backprop Studio", self.show_about)
        stack = self.document.undo_stack
        for signal in (stack.canUndoChanged, stack.canRedoChanged, stack.undoTextChanged, stack.redoTextChanged):
            signal.connect(self._update_undo_actions)
        self._update_undo_actions()

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addActions([self.action_new, self.action_open])
        self.recent_menu = QMenu("Open &Recent", self)
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        file_menu.addMenu(self.recent_menu)
        file_menu.addSeparator()
        file_menu.addActions([self.action_save, self.action_save_as, self.action_export])
        file_menu.addSeparator()
        file_menu.addAction(self.action_quit)
        edit_menu = bar.addMenu("&Edit")
        edit_menu.addActions([self.action_undo, self.action_redo])
        if "undo_history_dock" in self.docks:
            self.action_show_history = self.docks["undo_history_dock"].toggleViewAction()
            self.action_show_history.setText("Undo &history")
            self.action_show_history.setShortcut(QKeySequence("Ctrl+H"))
            edit_menu.addSeparator()
            edit_menu.addAction(self.action_show_history)
        if self.controller is not None:
            training_menu = bar.addMenu("&Training")
            training_menu.addActions(self._training_actions())
        view_menu = bar.addMenu("&View")
        self.dock_actions: list[QAction] = []
        for number, dock in enumerate(self.docks.values(), start=1):
            action = dock.toggleViewAction()
            if number <= 9 and action.shortcut().isEmpty():
                action.setShortcut(QKeySequence(f"Alt+{number}"))
            self.dock_actions.append(action)
            view_menu.addAction(action)
        view_menu.addSeparator()
        view_menu.addAction(self.action_reset_layout)
        help_menu = bar.addMenu("&Help")
        help_menu.addActions([self.action_shortcuts, self.action_about])

    def _training_actions(self) -> list[QAction]:
        names = ("action_play_pause", "action_step_batch", "action_step_epoch", "action_stop", "action_reset")
        return [a for a in (getattr(self.controller, n, None) for n in names) if isinstance(a, QAction)]

    def _build_toolbar_and_status(self) -> None:
        self.training_toolbar = None
        if self.controller is not None:
            self.training_toolbar = self._build("toolbar", "studio.training.toolbar", "TrainingToolBar",
                                                self.controller)
            if self.training_toolbar is not None:
                self.training_toolbar.setObjectName("training_toolbar")
                self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.training_toolbar)
            status = self._build("status", "studio.training.status", "TrainingStatus", self.controller)
            if status is not None:
                self.statusBar().addPermanentWidget(status)
        self.statusBar().showMessage("Ready", 3000)

    def _connect_panels(self) -> None:
        activation_map = self.panels.get("activation_map_dock")
        if self.builder is not None and activation_map is not None and hasattr(activation_map, "show_neuron"):
            self.builder.neuron_hovered.connect(activation_map.show_neuron)
        inspector = self.panels.get("layer_inspector_dock")
        if self.builder is not None and inspector is not None:
            for slot_name in ("show_layer", "set_layer", "select_layer"):
                if hasattr(inspector, slot_name):
                    self.builder.layer_selected.connect(getattr(inspector, slot_name))
                    break

    # ---- layout -------------------------------------------------------------------------------------------
    def _restore_layout(self) -> None:
        geometry, state = self.settings.window_geometry(), self.settings.window_state()
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None and not self.restoreState(state, LAYOUT_VERSION):
            log.info("ignored a saved window layout that does not fit this version")

    def save_layout(self) -> None:
        self.settings.save_window(self.saveGeometry(), self.saveState(LAYOUT_VERSION))

    def reset_layout(self) -> None:
        self.restoreState(self._default_layout, LAYOUT_VERSION)
        for dock in self.docks.values():
            dock.setFloating(False)
            dock.show()
        for first in ("data_dock", "layer_inspector_dock", "decision_boundary_dock", "gradient_flow_dock"):
            if first in self.docks:
                self.docks[first].raise_()

    # ---- title, notices, undo ---------------------------------------------------------------------------
    def _update_title(self, *_args: Any) -> None:
        marker = "*" if self.document.is_dirty else ""
        self.setWindowTitle(f"{self.document.display_name}{marker} — {APP_TITLE}")

    def _on_notice(self, text: str) -> None:
        self.statusBar().showMessage(text, 10_000)

    def _update_undo_actions(self, *_args: Any) -> None:
        stack, training = self.document.undo_stack, self.document.is_training
        self.action_undo.setEnabled(stack.canUndo() and not training)
        self.action_redo.setEnabled(stack.canRedo() and not training)
        self.action_undo.setText(f"&Undo {stack.undoText()}".rstrip())
        self.action_redo.setText(f"&Redo {stack.redoText()}".rstrip())

    def _on_undo(self) -> None:
        if not self.document.is_training:
            self.document.undo_stack.undo()

    def _on_redo(self) -> None:
        if not self.document.is_training:
            self.document.undo_stack.redo()

    # ---- project file -------------------------------------------------------------------------------------
    def _ask_open_path(self) -> str:
        path, _ = QFileDialog.getOpenFileName(self, "Open project", self._dialog_folder(), PROJECT_FILTER)
        return path

    def _ask_save_path(self) -> str:
        suggested = str(Path(self._dialog_folder()) / f"{self.document.display_name}{PROJECT_SUFFIX}")
        path, _ = QFileDialog.getSaveFileName(self, "Save project", suggested, PROJECT_FILTER)
        if path and not Path(path).suffix:
            path += PROJECT_SUFFIX
        return path

    def _dialog_folder(self) -> str:
        if self.document.path is not None:
            return str(self.document.path.parent)
        recent = self.settings.recent_files()
        return str(Path(recent[0]).parent) if recent else str(Path.home())

    def _refuse_while_training(self, what: str) -> bool:
        if self.document.is_training:
            messages.show_information(self, APP_TITLE, f"Stop training before {what}.")
            return True
        return False

    def maybe_save(self) -> bool:
        """Ask to save unsaved changes; False when the user cancels (the caller must then do nothing)."""
        if not self.document.is_dirty:
            return True
        answer = messages.ask_save_changes(self, self.document.display_name)
        if answer == "save":
            return self.save_project()
        return answer == "discard"

    def new_project(self) -> None:
        if self._refuse_while_training("starting a new project") or not self.maybe_save():
            return
        self.document.replace_with(Document())
        self.autosaver.discard()

    def open_project_dialog(self) -> None:
        if self._refuse_while_training("opening another project") or not self.maybe_save():
            return
        path = self._ask_open_path()
        if path:
            self.open_project(path, ask_to_save=False)

    def open_project(self, path: str | Path, ask_to_save: bool = True) -> bool:
        """Open a project file; on any error show it and keep the current project untouched."""
        if ask_to_save and (self._refuse_while_training("opening another project") or not self.maybe_save()):
            return False
        try:
            opened = Document.open(path)
        except ProjectError as error:
            messages.show_error(self, "Can't open project", str(error))
            return False
        self.document.replace_with(opened)
        self.autosaver.discard()
        self.settings.add_recent_file(path)
        self.statusBar().showMessage(f"Opened {Path(path).name}", 5000)
        if self.document.warnings:
            messages.show_information(self, "Opened with warnings", "\n\n".join(self.document.warnings))
        return True

    def save_project(self) -> bool:
        if self.document.path is None:
            return self.save_project_as()
        return self._save_to(self.document.path)

    def save_project_as(self) -> bool:
        path = self._ask_save_path()
        return bool(path) and self._save_to(Path(path))

    def _save_to(self, path: Path) -> bool:
        try:
            self.document.save(path)
        except ProjectError as error:
            messages.show_error(self, "Can't save project", str(error))
            return False
        self.settings.add_recent_file(path)
        self.statusBar().showMessage(f"Saved {path.name}", 5000)
        return True

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        files = self.settings.recent_files()
        for number, path in enumerate(files, start=1):
            action = self.recent_menu.addAction(f"&{number} {Path(path).name}")
            action.setToolTip(path)
            action.setStatusTip(path)
            action.triggered.connect(lambda _checked=False, p=path: self._open_recent(p))
        if not files:
            self.recent_menu.addAction("No recent projects").setEnabled(False)

    def _open_recent(self, path: str) -> None:
        if not Path(path).exists():
            self.settings.remove_recent_file(path)
            messages.show_error(self, "Can't open project", f"{path} no longer exists.")
            return
        self.open_project(path)

    def export_network(self) -> None:
        export_dialog.open_export_dialog(self)  # disabled while training: the weights arrive when a run ends

    # ---- help -------------------------------------------------------------------------------------------
    def shortcut_groups(self) -> dict[str, list[QAction]]:
        groups = {"File": [self.action_new, self.action_open, self.action_save, self.action_save_as,
                           self.action_export, self.action_quit],
                  "Edit": [self.action_undo, self.action_redo] + (
                      [self.action_show_history] if hasattr(self, "action_show_history") else []),
                  "Training": self._training_actions() if self.controller is not None else [],
                  "View": self.dock_actions + [self.action_reset_layout],
                  "Help": [self.action_shortcuts, self.action_about]}
        return groups

    def show_shortcuts(self) -> None:
        ShortcutsDialog(self.shortcut_groups(), self).exec()

    def show_about(self) -> None:
        AboutDialog(self).exec()

    # ---- closing ------------------------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.maybe_save():
            event.ignore()
            return
        if self.controller is not None and hasattr(self.controller, "shutdown"):
            self.controller.shutdown()
        self.save_layout()
        self.autosaver.timer.stop()
        self.autosaver.discard()
        event.accept()
