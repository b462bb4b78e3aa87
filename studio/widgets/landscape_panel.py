"""`LandscapePanel`: the loss landscape of a finished race: choose directions, centre and grid, draw it off the GUI
thread with progress and a Cancel button, and show it with the racers' paths (`LandscapePlot`).

The slice is computed by `core.landscape.make_slice` on a `BackgroundJob` thread from plain arrays the race left
behind (its spec, the prepared data, every racer's trajectory), so nothing the GUI owns is touched meanwhile.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QProgressBar, QPushButton, QSpinBox, QVBoxLayout,
                               QWidget)

from core.landscape import PCA, RANDOM, make_slice
from studio.plots.landscape_plot import LandscapePlot
from studio.training.background_job import BackgroundJob

DIRECTION_CHOICES = {"PCA of the racers' paths": PCA, "Filter-normalised random": RANDOM}


class LandscapePanel(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("LandscapePanel")
        self.race: Any = None  # core.race.OptimizerRace, finished
        self.data: Any = None
        self.order: list[str] = []  # the racers' names in the race's order (their colours)
        self.job = BackgroundJob(self)
        self.job.reported.connect(self._on_progress)
        self.job.finished.connect(self._on_finished)
        self.job.failed.connect(self._on_failed)
        self.directions = QComboBox()
        self.directions.addItems(list(DIRECTION_CHOICES))
        self.directions.setToolTip("PCA: the plane the racers' weights moved in most (their paths are drawn "
                                   "faithfully). Random: filter-normalised random directions (Li et al., 2018): "
                                   "the shape of the surface around the centre")
        self.centre = QComboBox()
        self.centre.setToolTip("The point the slice is centred on")
        self.centre.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.centre.setMinimumContentsLength(26)  # "momentum (lr 0.05)'s final weights" stays readable
        self.grid = QSpinBox()
        self.grid.setRange(5, 101)
        self.grid.setValue(41)
        self.grid.setToolTip("Points per axis: the loss is evaluated grid × grid times")
        self.draw_button = QPushButton("Draw")
        self.draw_button.clicked.connect(self.draw)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.job.cancel)
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(110)
        self.status = QLabel("")
        controls = QHBoxLayout()
        for label, widget in (("Directions", self.directions), ("Centre", self.centre), ("Grid", self.grid)):
            controls.addWidget(QLabel(label))
            controls.addWidget(widget)
        controls.addWidget(self.draw_button)
        controls.addWidget(self.cancel_button)
        controls.addWidget(self.progress)
        controls.addStretch(1)
        self.plot = LandscapePlot()
        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addWidget(self.status)
        layout.addWidget(self.plot, 1)
        self._update_buttons()

    def set_race(self, race: Any, data: Any, ranked_names: list[str]) -> None:
        """A finished race to draw; centres on offer: each racer's final weights (the winner first), the start."""
        self.race, self.data, self.order = race, data, [result.name for result in race.results]
        self.centre.clear()
        self.centre.addItems([f"{name}'s final weights" for name in ranked_names] + ["the common start"])
        self._update_buttons()

    def draw(self) -> None:
        if self.race is None or self.job.running:
            return
        race, data = self.race, self.data
        results = {result.name: result for result in race.results}
        label = self.centre.currentText()
        if label == "the common start":
            centre, buffers = race.start_state["params"], race.start_state["buffers"]
        else:
            chosen = results[label.removesuffix("'s final weights")]
            centre, buffers = chosen.final_params, chosen.final_buffers
        trajectories = {name: result.trajectory_array() for name, result in results.items()}
        kind, grid = DIRECTION_CHOICES[self.directions.currentText()], self.grid.value()

        def work(report, cancelled):
            return make_slice(race.spec, data.x_train, data.y_train, centre, centre_label=label, buffers=buffers,
                              trajectories=trajectories, kind=kind, grid=grid,
                              progress=lambda done, total: report(done / total), cancelled=cancelled,
                              one_blas_thread=False)  # the job's thread budget holds BLAS to one thread

        self.progress.setValue(0)
        self.status.setText(f"Evaluating the loss at {grid} × {grid} points…")
        self.job.start(work, "LossLandscape")
        self._update_buttons()

    def shutdown(self) -> None:
        self.job.cancel_and_wait()

    def _on_progress(self, fractions: list[float]) -> None:
        self.progress.setValue(int(round(100 * fractions[-1])))

    def _on_finished(self, result) -> None:
        self.plot.show_slice(result, self.order)
        self.status.setText(f"{len(result.alpha)} × {len(result.beta)} losses on a fixed subset of the training "
                            f"data; paths: each racer's weights after every epoch, projected onto the slice")
        self._update_buttons()

    def _on_failed(self, message: str) -> None:
        self.status.setText(f"No landscape: {message}")
        self.progress.setValue(0)
        self._update_buttons()

    def _update_buttons(self) -> None:
        running = self.job.running
        self.draw_button.setEnabled(self.race is not None and not running)
        self.cancel_button.setEnabled(running)
