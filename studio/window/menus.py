"""The menu bar and its actions: File (with Examples), Edit (undo/redo), Training, View (one entry a dock), Help.

`WindowMenus` is mixed into the main window: the actions are the window's attributes (`action_undo`, …) so
every shortcut works wherever the focus is, and the Help menu's shortcut list reads them back by group.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from studio.dialogs.about import AboutDialog
from studio.dialogs.shortcuts import ShortcutsDialog
from studio.window.diagnostic_actions import DiagnosticActions

class WindowMenus:
    """Actions and menus of the main window (a mixin: it uses the window's document, controller and docks)."""

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
        self.action_examples = self._action("E&xamples…", self.open_example_dialog, None,
                                            "Open a copy of one of the bundled example projects")
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
        self.document.training_changed.connect(self._update_undo_actions)
        self._update_undo_actions()

    def _build_menus(self) -> None:
        self.sweep_dialog = None  # studio.dialogs.sweep_dialog.SweepDialog, made when first asked for
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addActions([self.action_new, self.action_open])
        self.recent_menu = QMenu("Open &Recent", self)
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        file_menu.addMenu(self.recent_menu)
        file_menu.addAction(self.action_examples)
        file_menu.addSeparator()
        file_menu.addActions([self.action_save, self.action_save_as, self.action_export])
        file_menu.addSeparator()
        file_menu.addAction(self.action_quit)
        edit_menu = bar.addMenu("&Edit")
        edit_menu.addActions([self.action_undo, self.action_redo])
        self.action_show_history = self.docks["undo_history_dock"].toggleViewAction()
        self.action_show_history.setText("Undo &history")
        self.action_show_history.setShortcut(QKeySequence("Ctrl+H"))
        edit_menu.addSeparator()
        edit_menu.addAction(self.action_show_history)
        training_menu = bar.addMenu("&Training")
        training_menu.addActions(self.controller.actions)
        self.diagnostic_actions = DiagnosticActions(self, self.document, self.controller)
        self.diagnostic_actions.add_to(training_menu)
        training_menu.addAction(self._action("Race &optimizers…", self.show_race_dialog, None, "Train 2 to 8 "
                                             "optimizers from one start; compare curves and loss-landscape paths"))
        self.action_scrub = self._action("Scr&ub last run…", self.show_scrub_dialog, None, "Step through the last "
                                         "recorded run's checkpoints: boundary, weights and gradients at each")
        self.action_scrub.setEnabled(False)  # until a run of this session is in the run store
        self.controller.run_recorded.connect(lambda _r: self.action_scrub.setEnabled(self.controller.last_recorded
                                                                                     is not None))
        training_menu.addAction(self.action_scrub)
        self.action_sweep = self._action("S&weep hyperparameters…", self.show_sweep_dialog, None, "Search learning "
                                         "rate, sizes, dropout… with Optuna: trials in parallel, compared live")
        self.document.training_changed.connect(lambda training: self.action_sweep.setEnabled(not training))
        training_menu.addAction(self.action_sweep)
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


    # ---- undo ---------------------------------------------------------------------------------------------
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

    # ---- help ---------------------------------------------------------------------------------------------
    def shortcut_groups(self) -> dict[str, list[QAction]]:
        return {"File": [self.action_new, self.action_open, self.action_examples, self.action_save,
                         self.action_save_as, self.action_export, self.action_quit],
                "Edit": [self.action_undo, self.action_redo, self.action_show_history],
                "Training": list(self.controller.actions),
                "View": self.dock_actions + [self.action_reset_layout],
                "Help": [self.action_shortcuts, self.action_about]}

    def show_shortcuts(self) -> None:
        ShortcutsDialog(self.shortcut_groups(), self).exec()

    def show_about(self) -> None:
        AboutDialog(self).exec()

    def show_scrub_dialog(self) -> None:
        if self.controller.last_recorded is None:
            return
        from studio.dialogs.scrub_dialog import ScrubDialog  # imported when first used: the start stays lean
        dialog = ScrubDialog(*self.controller.last_recorded, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def show_sweep_dialog(self) -> None:
        """The one Sweep dialog (modeless; kept while the window lives, so a running sweep goes on behind it)."""
        from studio.dialogs.sweep_dialog import SweepDialog  # imported when first used: the start stays lean
        dialog = self.sweep_dialog
        if dialog is None:
            dialog = self.sweep_dialog = SweepDialog(self.document, self)
        elif not dialog.job.running:
            dialog.reload_study()
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()

    def show_race_dialog(self) -> None:
        from studio.dialogs.race_dialog import RaceDialog  # imported when first used: the start stays lean
        dialog = RaceDialog(self.document, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.recorded.connect(self._on_runs_recorded)
        dialog.open()

    def _on_runs_recorded(self, _store_path: object) -> None:
        """A race recorded its racers: the Runs dock lists them (if it was built; else it reads them when shown)."""
        if self.panels.is_built("runs_dock"):
            self.panels["runs_dock"].refresh()
