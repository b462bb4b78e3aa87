"""Training → Find learning rate… and Check gradients…: the two checks' menu actions and their dialogs.

Each dialog is modeless (the user may read the curve while editing settings, then train) and one of a kind: a
second click raises the open one and runs it again. The dialogs themselves say why they can't run while a run
is training, so the actions stay enabled. The dialogs' modules (pyqtgraph, the engine's diagnostics) are imported
on the first click, not when the window starts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow, QMenu

from studio.document import Document
from studio.training.controller import TrainingController

if TYPE_CHECKING:
    from studio.dialogs.diagnostic_dialog import DiagnosticDialog

FIND_LR, CHECK_GRADIENTS = "find_lr", "check_gradients"


class DiagnosticActions:
    def __init__(self, window: QMainWindow, document: Document, controller: TrainingController):
        self.window, self.document, self.controller = window, document, controller
        self.dialogs: dict[str, DiagnosticDialog] = {}
        self.action_find_lr = self._action("Find &learning rate…", FIND_LR,
                                           "Sweep the learning rate from the current weights and suggest one")
        self.action_check_gradients = self._action("Check &gradients…", CHECK_GRADIENTS,
                                                   "Compare backprop's gradient with finite differences, "
                                                   "layer by layer")
        self.actions = [self.action_find_lr, self.action_check_gradients]

    def _action(self, text: str, kind: str, tip: str) -> QAction:
        action = QAction(text, self.window)
        action.setStatusTip(tip)
        action.setToolTip(tip)
        action.triggered.connect(lambda: self.open(kind))
        return action

    def add_to(self, menu: QMenu) -> None:
        menu.addSeparator()
        menu.addActions(self.actions)

    def open(self, kind: str) -> DiagnosticDialog:
        """Show the dialog of this kind (FIND_LR or CHECK_GRADIENTS; created once) and start its check."""
        dialog = self.dialogs.get(kind)
        if dialog is None:
            if kind == FIND_LR:
                from studio.dialogs.lr_finder_dialog import LrFinderDialog as dialog_class
            else:
                from studio.dialogs.gradcheck_dialog import GradientCheckDialog as dialog_class
            dialog = self.dialogs[kind] = dialog_class(self.document, self.window)
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        gate = self.controller.start_gate  # the kernels still compiling: doing it here would freeze the window
        if gate is not None and not dialog.task.is_running and gate(self.document.spec, dialog.start):
            dialog.status.setText("Waiting for the engine's kernels to finish compiling; the check starts by itself.")
        else:
            dialog.start()
        return dialog
