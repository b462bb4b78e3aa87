"""The frame: the network builder in the middle, movable docks around it, menus, toolbar and status bar.

The window owns layout only; its other ideas live in `studio.window`: the dock registry (`docks`), the menus and
their actions (`menus`), the project file commands (`project_actions`). Panels are built by the registry's
factories around the one `Document` and the one `TrainingController` (New and Open replace the document's contents,
so every panel keeps observing the same object). A dock that starts behind a tab builds its panel when first shown
(`studio.window.lazy_panels`), which keeps panels nobody sees yet out of the warm start. A panel that fails to build
raises: there is no silently missing dock. The dock layout is remembered between starts (QSettings, with a layout
version).
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QDockWidget, QMainWindow, QWidget

from studio.autosave import Autosaver
from studio.document import Document
from studio.settings import LAYOUT_VERSION, StudioSettings
from studio.training.controller import TrainingController
from studio.window.training_status import TrainingStatus
from studio.training.toolbar import TrainingToolBar
from studio.widgets.network_builder import NetworkBuilder
from studio.window.docks import DOCKS, FRONT_DOCKS, LEFT, RIGHT, DockSpec, restore_dock_layout
from studio.window.lazy_panels import LazyPanels
from studio.window.menus import WindowMenus
from studio.window.project_actions import APP_TITLE, ProjectActions

__all__ = ["APP_TITLE", "MainWindow"]
log = logging.getLogger(__name__)


class MainWindow(ProjectActions, WindowMenus, QMainWindow):
    def __init__(self, document: Document | None = None, settings: StudioSettings | None = None,
                 autosave_folder: Path | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("main_window")
        self.document = document if document is not None else Document()
        self.document.setParent(self)
        self.settings = settings if settings is not None else StudioSettings()
        self.docks: dict[str, QDockWidget] = {}
        self.panels = LazyPanels(self._on_panel_built)
        self.controller = TrainingController(self.document, self)
        self._build_central()
        self.builder.watch_training(self.controller)  # live neuron thumbnails and edges
        self._build_docks()
        self._build_actions()
        self._build_menus()
        self._build_toolbar_and_status()
        self.autosaver = Autosaver(self.document, autosave_folder, parent=self)
        self.resize(1400, 880)
        self._default_layout = self.saveState(LAYOUT_VERSION)
        self._restore_layout()
        self.document.dirty_changed.connect(self._update_title)
        self.document.path_changed.connect(self._update_title)
        self.document.notice.connect(self._on_notice)
        self._update_title()

    # ---- building ---------------------------------------------------------------------------------------
    def _build_central(self) -> None:
        self.builder = NetworkBuilder(self.document)
        self.setCentralWidget(self.builder)

    def _build_docks(self) -> None:
        self.setDockOptions(QMainWindow.DockOption.AnimatedDocks | QMainWindow.DockOption.AllowTabbedDocks
                            | QMainWindow.DockOption.AllowNestedDocks)
        self.setCorner(Qt.Corner.BottomLeftCorner, LEFT)
        self.setCorner(Qt.Corner.BottomRightCorner, RIGHT)
        for spec in DOCKS:
            if spec.tab_with in self.docks:  # it starts behind a tab: build its panel when first shown
                self._add_waiting_dock(spec)
                continue
            panel = self._build_panel(spec)
            self._place_dock(spec, panel)
            self.panels.add(spec.name, panel)
        self._raise_front_docks()
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

    def _build_panel(self, spec: DockSpec) -> QWidget:
        return spec.build(self.document, self.controller)

    def _place_dock(self, spec: DockSpec, widget: QWidget) -> QDockWidget:
        dock = QDockWidget(spec.title, self)
        dock.setObjectName(spec.name)
        dock.setWidget(widget)
        partner = self.docks.get(spec.tab_with or "")
        if partner is not None:
            self.tabifyDockWidget(partner, dock)
        else:
            self.addDockWidget(spec.area, dock)
        self.docks[spec.name] = dock
        return dock

    def _add_waiting_dock(self, spec: DockSpec) -> None:
        dock = self._place_dock(spec, QWidget())
        self.panels.add_later(spec.name, lambda: self._fill_waiting_dock(spec, dock))
        dock.visibilityChanged.connect(lambda visible: visible and self.panels.build(spec.name))

    def _fill_waiting_dock(self, spec: DockSpec, dock: QDockWidget) -> QWidget:
        placeholder, panel = dock.widget(), self._build_panel(spec)
        dock.setWidget(panel)
        panel.show()  # a widget set on a dock that is already visible must be shown explicitly
        placeholder.deleteLater()
        return panel

    def _raise_front_docks(self) -> None:
        for name in FRONT_DOCKS:
            if name in self.docks:
                self.docks[name].raise_()

    def _build_toolbar_and_status(self) -> None:
        self.training_toolbar = TrainingToolBar(self.controller)
        self.training_toolbar.setObjectName("training_toolbar")
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.training_toolbar)
        self.statusBar().addPermanentWidget(TrainingStatus(self.controller))
        self.statusBar().showMessage("Ready", 3000)

    def _on_panel_built(self, name: str, panel: QWidget) -> None:
        """Wire a panel to the network builder, whenever it is built."""
        if name == "activation_map_dock":
            self.builder.neuron_hovered.connect(panel.show_neuron)
        elif name == "layer_inspector_dock":
            self.builder.layer_selected.connect(panel.show_layer)

    # ---- layout -------------------------------------------------------------------------------------------
    def _restore_layout(self) -> None:
        geometry, state = self.settings.window_geometry(), self.settings.window_state()
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is None or not restore_dock_layout(self, state, LAYOUT_VERSION):
            if state is not None:
                log.info("ignored a saved window layout that does not fit this version")
            restore_dock_layout(self, self._default_layout, LAYOUT_VERSION)  # no stale tab bars from building

    def save_layout(self) -> None:
        self.settings.save_window(self.saveGeometry(), self.saveState(LAYOUT_VERSION))

    def reset_layout(self) -> None:
        restore_dock_layout(self, self._default_layout, LAYOUT_VERSION)
        for dock in self.docks.values():
            dock.setFloating(False)
            dock.show()
        self._raise_front_docks()

    # ---- notices and closing ------------------------------------------------------------------------------
    def _on_notice(self, text: str) -> None:
        self.statusBar().showMessage(text, 10_000)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.maybe_save():
            event.ignore()
            return
        self.controller.shutdown()
        for name in self.panels.built_names():
            shutdown = getattr(self.panels[name], "shutdown", None)  # a panel with work off the GUI thread
            if shutdown is not None:
                shutdown()
        if self.sweep_dialog is not None:
            self.sweep_dialog.done(0)  # a running sweep stops (its finished trials are kept) and its workers end
        self.save_layout()
        self.autosaver.timer.stop()
        self.autosaver.discard()
        event.accept()
