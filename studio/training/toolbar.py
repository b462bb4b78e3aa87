"""`TrainingToolBar`: the controller's actions as buttons (Train/Pause, step batch, step epoch, stop, reset) and
the training speed (maximum … 1 epoch/s), which is remembered between starts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QToolBar, QWidget

from studio.training.speed import SPEEDS, speed_named

if TYPE_CHECKING:
    from studio.settings import StudioSettings
    from studio.training.controller import TrainingController


class TrainingToolBar(QToolBar):
    """A movable toolbar; the controller keeps the actions' enabled state, text and tooltips current."""

    def __init__(self, controller: TrainingController, parent: QWidget | None = None,
                 settings: StudioSettings | None = None):
        super().__init__("Training", parent)
        self.setObjectName("TrainingToolBar")  # saveState/restoreState find it by name
        self.controller = controller
        if settings is None:
            from studio.settings import StudioSettings
            settings = StudioSettings()
        self.settings = settings
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for action in controller.actions:
            self.addAction(action)
            if action is controller.action_play_pause:
                self.addSeparator()
        self.addSeparator()
        self.speed_box = QComboBox(self)
        self.speed_box.setObjectName("training_speed")
        self.speed_box.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Space keeps toggling training after a choice
        self.speed_box.setToolTip("How fast training runs: slow it down to watch the network learn "
                                  "(it can change during a run)")
        for speed in SPEEDS:
            self.speed_box.addItem(speed.label, speed.epochs_per_second)
        self.addWidget(QLabel(" Speed: ", self))
        self.addWidget(self.speed_box)
        self.speed_box.setCurrentIndex(SPEEDS.index(speed_named(settings.training_speed())))
        self._on_speed_chosen(self.speed_box.currentIndex())
        self.speed_box.currentIndexChanged.connect(self._on_speed_chosen)

    def _on_speed_chosen(self, index: int) -> None:
        speed = SPEEDS[index]
        self.controller.set_speed(speed.epochs_per_second)
        self.settings.set_training_speed(speed.label)

    def button_for(self, action):
        """The tool button showing `action` (for tests that click it)."""
        return self.widgetForAction(action)
