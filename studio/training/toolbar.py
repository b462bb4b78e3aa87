"""`TrainingToolBar`: the controller's actions as buttons (Train/Pause, step batch, step epoch, stop, reset)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolBar, QWidget

if TYPE_CHECKING:
    from studio.training.controller import TrainingController


class TrainingToolBar(QToolBar):
    """A movable toolbar; the controller keeps the actions' enabled state, text and tooltips current."""

    def __init__(self, controller: TrainingController, parent: QWidget | None = None):
        super().__init__("Training", parent)
        self.setObjectName("TrainingToolBar")  # saveState/restoreState find it by name
        self.controller = controller
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for action in controller.actions:
            self.addAction(action)
            if action is controller.action_play_pause:
                self.addSeparator()

    def button_for(self, action):
        """The tool button showing `action` (for tests that click it)."""
        return self.widgetForAction(action)
