"""Training → Sweep hyperparameters…: define a search space, run an Optuna study on the project off the GUI thread,
and watch its trials arrive: a sortable table, overlaid learning curves, parallel coordinates (drag an axis to
filter the lines and the table) and parameter importance. "Apply best" writes the best trial's settings into the
project as one undoable edit.

The sweep is `core.sweeps.run_sweep` on the saved project file (its worker processes load it), so a project with
unsaved changes must be saved first. It runs on a `BackgroundJob` thread: each trial report crosses to the GUI
thread through the job's queue; Cancel is the job's cancel flag, which `run_sweep` polls (finished trials are
kept). The study lives beside the project (`default_storage`), named after it: reopening the dialog shows it again
and "Resume" continues it toward its number of trials.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QProgressBar, QPushButton, QSpinBox, QSplitter, QVBoxLayout, QWidget)

from core.spec import SpecError, expand_path
from core.sweeps import (OBJECTIVES, SAMPLERS, ParamRange, SweepError, SweepOutcome, SweepPlan, TrialResult,
                         default_storage, default_study_name, load_study, load_trials, run_sweep)
from core.sweeps.space import grid_size
from studio.training.background_job import BackgroundJob
from studio.training.sweep_state import OBJECTIVE_LABELS, SweepState
from studio.widgets.sweep_space_editor import SweepSpaceEditor
from studio.widgets.sweep_views import SweepViews

if TYPE_CHECKING:
    from studio.document import Document

StudyShape = tuple[tuple[ParamRange, ...], str, int | None]  # space, objective, epochs per trial
SAMPLER_LABELS = {"tpe": "TPE (Bayesian)", "random": "Random", "grid": "Grid"}
DEFAULT_TRIALS = 20


class SweepDialog(QDialog):
    def __init__(self, document: Document, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("SweepDialog")
        self.setWindowTitle("Sweep hyperparameters")
        self.document = document
        self.state = SweepState()
        self.study_shape: StudyShape | None = None  # the study on disk (None: none yet)
        self.outcome: SweepOutcome | None = None
        self.job = BackgroundJob(self)
        self.job.reported.connect(self._on_trials)
        self.job.finished.connect(self._on_finished)
        self.job.failed.connect(self._on_failed)
        self._cancelling = False
        self._clock = QTimer(self)
        self._clock.setInterval(1000)
        self._clock.timeout.connect(self._show_progress)
        self._build()
        document.spec_changed.connect(self._on_spec_changed)
        document.path_changed.connect(self._on_path_changed)
        document.dirty_changed.connect(self._update_state)  # bound methods: disconnected when the dialog goes
        document.training_changed.connect(self._update_state)
        self.resize(1320, 780)
        self.reload_study()

    # -- layout -----------------------------------------------------------------------------------------------------
    def _build(self) -> None:
        self.editor = SweepSpaceEditor(self.document.spec)
        self.editor.changed.connect(self._update_state)
        self.study_name = QLineEdit()
        self.study_name.editingFinished.connect(self.reload_study)
        self.sampler = QComboBox()
        for name in ("tpe", "random", "grid"):
            if name in SAMPLERS:
                self.sampler.addItem(SAMPLER_LABELS[name], name)
        self.trials = QSpinBox()
        self.trials.setRange(1, 10_000)
        self.trials.setValue(DEFAULT_TRIALS)
        self.trials.setToolTip("The number of finished trials the study aims at (a resumed study counts its old ones)")
        self.workers = QSpinBox()
        self.workers.setRange(1, 256)
        self.workers.setValue(os.cpu_count() or 1)
        self.workers.setToolTip("Trials trained at once, each in its own process")
        self.epochs = QSpinBox()
        self.epochs.setRange(1, 1_000_000)
        self.epochs.setValue(int(self.document.spec.training.epochs))
        self.epochs.valueChanged.connect(self._update_state)
        self.epochs.setToolTip("Epochs each trial trains (the project's own setting is left as it is)")
        self.objective = QComboBox()
        for name in OBJECTIVES:
            self.objective.addItem(OBJECTIVE_LABELS.get(name, name), name)
        self.objective.currentIndexChanged.connect(self._on_objective)
        self.prune = QCheckBox("Stop hopeless trials early (median pruner)")
        self.prune.setChecked(True)
        form = QFormLayout()
        form.addRow("Study", self.study_name)
        form.addRow("Sampler", self.sampler)
        form.addRow("Trials", self.trials)
        form.addRow("Workers", self.workers)
        form.addRow("Epochs per trial", self.epochs)
        form.addRow("Objective", self.objective)
        form.addRow(self.prune)
        self.start_button = QPushButton("Start")
        self.start_button.setObjectName("StartSweep")
        self.start_button.clicked.connect(self.start)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        self.apply_button = QPushButton("Apply best")
        self.apply_button.setToolTip("Set the best trial's settings in the project (one undoable edit)")
        self.apply_button.clicked.connect(self.apply_best)
        buttons = QHBoxLayout()
        for button in (self.start_button, self.cancel_button, self.apply_button):
            buttons.addWidget(button)
        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setMinimumHeight(3 * self.status.fontMetrics().lineSpacing())  # no re-layout as it changes
        self.status.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        left = QWidget()
        left.setMinimumWidth(540)  # the space editor's five columns without a scroll bar
        left_layout = QVBoxLayout(left)
        intro = QLabel("Search space: each setting by its path, with a range or a list of choices.")
        intro.setWordWrap(True)
        left_layout.addWidget(intro)
        left_layout.addWidget(self.editor)
        left_layout.addLayout(form)
        left_layout.addLayout(buttons)
        left_layout.addWidget(self.progress)
        left_layout.addWidget(self.status)
        hint = QLabel("Drag up or down along an axis of the parallel coordinates to keep only the trials in that "
                      "range (the table follows); click the axis to clear it. Click a column's header to sort.")
        hint.setWordWrap(True)
        left_layout.addStretch(1)
        left_layout.addWidget(hint)

        self.views = SweepViews()
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(self.views)
        splitter.setSizes([540, 780])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

    # -- the study on disk ------------------------------------------------------------------------------------------
    def location(self) -> tuple[str, str] | None:
        """(storage, study name) of the project's study; None for a project never saved."""
        path = self.document.path
        if path is None:
            return None
        return default_storage(path), self.study_name.text().strip() or default_study_name(path)

    def reload_study(self) -> None:
        """Show the study named in the Study field as it is on disk (nothing when there is none yet)."""
        if self.job.running:
            return
        path = self.document.path
        if path is not None and not self.study_name.text().strip():
            self.study_name.setText(default_study_name(path))
        self.study_shape, self.outcome = None, None
        self.state = SweepState(self._objective())
        location = self.location()
        if location is not None and _exists(location[0]):
            try:
                _, settings = load_study(*location)
                trials = load_trials(*location)
            except SweepError as error:
                if "has no study" not in str(error):
                    self.status.setText(str(error))
            else:
                self.study_shape = (settings.params, settings.objective, settings.epochs)
                self.editor.set_params(settings.params)
                self.objective.setCurrentIndex(max(self.objective.findData(settings.objective), 0))
                self.prune.setChecked(settings.prune)
                self.sampler.setCurrentIndex(max(self.sampler.findData(getattr(settings, "sampler", "tpe")), 0))
                self.epochs.setValue(int(settings.epochs or self.document.spec.training.epochs))
                self.state = SweepState(settings.objective, trials)
                self.trials.setValue(max(settings.trials, self.state.done))
                self.status.setText(f"Study {location[1]}: {self.state.done} of {settings.trials} trials done. "
                                    f"Resume continues it; raise Trials to add more.")
        if not self.editor.table.rowCount():
            self.editor.add_row()
        self._refresh_views()
        self._request_importance()
        self._update_state()

    # -- running ----------------------------------------------------------------------------------------------------
    def blockers(self) -> list[str]:
        """Why Start must wait, as sentences; empty when a sweep can start."""
        document = self.document
        if document.path is None:
            return ["Save the project first: the sweep's worker processes train the saved project file."]
        if document.is_dirty:
            return ["Save your changes first (File → Save): the sweep trains the project as saved."]
        if document.is_training:
            return ["Training is running: stop it first."]
        if self.editor.error:
            return [self.editor.error]
        return list(document.training_blockers())

    def shape(self) -> StudyShape:
        """What the dialog's settings ask: the space, the objective and the epochs per trial (None: the project's).
        A study answers one such question; core refuses to continue it with another."""
        epochs = self.epochs.value()
        return (self.editor.params(), self._objective(),
                None if epochs == self.document.spec.training.epochs else epochs)

    def plan(self) -> SweepPlan:
        storage, name = self.location() or ("", "")
        params, objective, epochs = self.shape()
        return SweepPlan(self.document.path, params, sampler=self.sampler.currentData(), trials=self.trials.value(),
                         workers=self.workers.value(), storage=storage, study_name=name, objective=objective,
                         epochs=epochs, prune=self.prune.isChecked())

    def start(self) -> None:
        """Start (or resume) the sweep: a space unlike the study's on disk starts a new study under a free name."""
        if self.job.running or self.blockers():
            return
        if self.study_shape is not None and self.shape() != self.study_shape:  # core never mixes two questions
            self.study_name.setText(self._free_study_name())
            self.reload_study()
        plan = self.plan()
        self.state.objective = plan.objective
        grid = grid_size(plan.params) if plan.sampler == "grid" else plan.trials  # a grid has so many points only
        self.state.start(min(plan.trials, grid))
        self.outcome, self._cancelling = None, False
        self._refresh_views()

        def work(report, cancelled):
            return run_sweep(plan, on_trial=report, should_stop=cancelled)

        self.job.start(work, "Sweep")
        self._clock.start()
        self._show_progress()
        self._update_state()

    def cancel(self) -> None:
        if self.job.running:
            self._cancelling = True
            self.job.cancel()
            self.status.setText("Cancelling: running trials stop after their current batch; finished trials are "
                                "kept.")

    def _on_trials(self, items: list) -> None:
        completed_before = len(self.state.complete)
        for trial in items:
            if isinstance(trial, TrialResult):
                self.state.update(trial)
        self._refresh_views()
        self._show_progress()
        if len(self.state.complete) != completed_before:
            self._request_importance()

    def _on_finished(self, outcome: SweepOutcome) -> None:
        self._clock.stop()
        self.outcome = outcome
        self.state.replace(outcome.trials)
        self.study_shape = self.shape()
        self._refresh_views()
        self._show_progress()
        best = self.state.best()
        found = (f"best: trial {best.number}, {OBJECTIVE_LABELS.get(self.state.objective, 'objective')} "
                 f"{best.value:.4g}" if best is not None else "no trial completed")
        if outcome.stopped:  # a trial cut short is not done: Resume runs it again
            self.status.setText(f"Cancelled: {self.state.done} finished trials kept ({found}). Resume continues "
                                f"the study.")
        else:
            self.status.setText(f"Done: {self.state.done} trials ({found}).")
        self._request_importance()
        self._update_state()

    def _on_failed(self, message: str) -> None:
        self._clock.stop()
        self.status.setText(f"The sweep could not run: {message}")
        self._update_state()

    # -- apply best -------------------------------------------------------------------------------------------------
    def apply_best(self) -> None:
        """The best trial's settings as ONE undoable edit (`layers[*]` written out per hidden layer)."""
        best = self.state.best()
        if best is None:
            return
        spec = self.document.spec
        changes = {path: value for pattern, value in best.params.items() for path in expand_path(spec, pattern)}
        try:
            self.document.set_settings(changes, f"Apply sweep trial {best.number}")
        except SpecError as error:
            self.status.setText(f"Can't apply trial {best.number}: {error}")
            return
        self.status.setText(f"Applied trial {best.number}: " + ", ".join(f"{p} = {v}" for p, v in best.params.items())
                            + " (Edit → Undo takes it back).")

    # -- views ------------------------------------------------------------------------------------------------------
    def _refresh_views(self) -> None:
        self.views.show(self.state, self.study_shape[0] if self.study_shape is not None else self.editor.params())
        self._update_state()

    def _show_progress(self) -> None:
        self.progress.setRange(0, max(self.state.target, 1))
        self.progress.setValue(min(self.state.done, self.state.target))
        if self.job.running and not self._cancelling:
            self.status.setText(self.state.progress_text())

    def _request_importance(self) -> None:
        self.views.request_importance(self.location(), len(self.state.complete))

    # -- state ------------------------------------------------------------------------------------------------------
    def _objective(self) -> str:
        return self.objective.currentData() or "val_loss"

    def _free_study_name(self) -> str:
        storage, name = self.location() or ("", "sweep")
        base = name.rsplit("-", 1)[0] if name.rsplit("-", 1)[-1].isdigit() else name
        for number in range(2, 1000):
            candidate = f"{base}-{number}"
            try:
                load_study(storage, candidate)
            except SweepError:
                return candidate
        return f"{base}-{os.getpid()}"

    def _on_path_changed(self, *_path: object) -> None:
        """Another project (Open, Save As): its own study, under its own name."""
        if not self.job.running:
            self.study_name.clear()
            self.reload_study()

    def _on_objective(self) -> None:
        if self.study_shape is None and not self.job.running:  # nothing measured yet: the views take its name
            self.state.objective = self._objective()
            self._refresh_views()
        self._update_state()

    def _on_spec_changed(self) -> None:
        self.editor.set_spec(self.document.spec)

    def _update_state(self, *_signal_args: object) -> None:
        running = self.job.running
        blockers = self.blockers()
        resumable = self.study_shape is not None and self.shape() == self.study_shape
        self.start_button.setText("Resume" if resumable else "Start")
        self.start_button.setEnabled(not running and not blockers)
        self.start_button.setToolTip(blockers[0] if blockers else "")
        self.cancel_button.setEnabled(running)
        self.apply_button.setEnabled(self.state.best() is not None and not self.document.is_training)
        self.editor.set_editable(not running)
        for widget in (self.study_name, self.sampler, self.trials, self.workers, self.epochs, self.objective,
                       self.prune):
            widget.setEnabled(not running)
        if blockers and not running and not self.state.trials:
            self.status.setText(blockers[0])

    def done(self, result: int) -> None:  # closing: stop the sweep (finished trials are kept), wait for it
        self._clock.stop()
        self.job.cancel_and_wait(timeout=30.0)
        self.views.shutdown()
        super().done(result)


def _exists(storage: str) -> bool:
    """Whether there is a study storage to read: a database URL is asked; a journal file must exist already (a
    dialog that only looks must not create one)."""
    return "://" in storage or os.path.isfile(storage)
