"""`TrainingController`: the studio's training session: actions, the worker thread, and what the plots receive.

It owns the QActions (Train/Pause with Space, step one batch, step one epoch, stop, reset weights), starts a
`TrainingWorker` on a QThread from the document's spec and prepared data, relays the worker's coalesced updates
in order as ONE signal the plots subscribe to (`updated`), keeps every epoch's snapshot, forwards live-changeable
edits to the running Trainer, and writes the trained (or last finite) weights back to the document. The GUI never
calls into the trainer itself: commands go through the worker's thread-safe methods. Weights that come from
elsewhere (a project opened, an undone weight edit) get ONE grid prediction (`DocumentPredictor`, off the GUI
thread), relayed as an update carrying only that prediction, so the boundary and thumbnails show at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QThread, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QMessageBox, QStyle, QWidget

from core.network.grid_prediction import GridPrediction, GridSpec
from core.spec import changed_paths, live_paths
from core.training.snapshot import Snapshot
from studio.training.dialogs import show_divergence, show_exception
from studio.training.document_prediction import DocumentPredictor
from studio.training.history_replay import history_snapshots, with_confusion
from studio.training.run_recording import RunOrigin, recording_plan
from studio.training.speed import check_rate
from studio.training.thread_budget import begin_run, end_run
from studio.document import Document
from studio.training.worker import TrainingJob, TrainingResult, TrainingWorker, WorkerUpdate, fraction_done
from studio.qt_threads import collect_garbage_on_gui_thread

IDLE, RUNNING, PAUSED, STOPPING = "idle", "running", "paused", "stopping"
SHUTDOWN_TIMEOUT_MS = 1000


class TrainingController(QObject):
    # WorkerUpdate, ≤ 20 per second, in order: the epochs since the last one, the newest snapshot with every step's
    # loss up to it, the progress, a GridPrediction (2-D data sets only). A saved history replayed: epochs only.
    updated = Signal(object)
    run_started = Signal()  # a new run began: plots clear
    weights_reset = Signal()  # weights went back to untrained: plots clear
    finished = Signal(object)  # the final Snapshot of a run (completed, stopped, early-stopped or diverged)
    # A run's record is settled in its store: (store path, run id), or None when the run is not recorded (turned
    # off, or the store failed). After `finished` (or `failed`) and before the state turns idle.
    run_recorded = Signal(object)
    run_opened = Signal(object)  # (store path, run id): the run's row is in its store ("running"), early in a run
    diverged = Signal(object)  # the final Snapshot when the run diverged
    failed = Signal(str, str)  # message, traceback: an exception inside the worker
    state_changed = Signal(str)  # "idle", "running", "paused" or "stopping"
    finding_selected = Signal(str)  # a doctor card was clicked: the plots highlight that problem's marker

    def __init__(self, document: Document, parent: QObject | None = None):
        super().__init__(parent)
        collect_garbage_on_gui_thread()  # never let the training thread collect (and destroy) Qt objects
        self.document = document
        self.state = IDLE
        self.epoch_records: list[Snapshot] = []  # every epoch of the current run, none lost to coalescing
        self.findings: list[Any] = []  # the training doctor's findings (core.diagnostics.Finding) of the current run
        self.latest: Snapshot | None = None
        self.latest_prediction: GridPrediction | None = None
        self.last_result: TrainingResult | None = None
        self.last_recorded: tuple[Path, int] | None = None  # (run store, run id) of this session's newest recorded run
        self.last_dialog: QMessageBox | None = None
        self.dialog_parent: QWidget | None = None
        self.show_dialogs = True
        self._thread: QThread | None = None
        self._worker: TrainingWorker | None = None
        self._live_sent: dict[str, Any] = {}  # the spec as the running Trainer has it, as far as live edits go
        self._live_paths: frozenset[str] = frozenset()  # the run's live settings (core.spec.live_paths)
        self._reset_after_stop = False
        self._epochs_planned = 1
        # studio.startup's kernel warm-up: gate(spec, command) is True while the kernels still compile, and it
        # runs `command` once they are cached (compiling here would freeze the window: Numba holds the GIL).
        self.start_gate: Callable[[dict[str, Any], Callable[[], None]], bool] | None = None
        self.epochs_per_second: float | None = None  # the training speed (None: maximum), see set_speed
        self.record_runs = True  # record every run into the project's run store (core.runs)
        # Whether a weight-histogram plot exists (its dock was shown once): only then does a run take histograms
        # at each of its first epochs and 4 a second for "now" (see studio.training.worker). Set by the plot.
        self.histograms_watched = False
        # The next run starts from a recorded run's weights (the Runs dock's Fork and Rewind): recorded as its
        # parent and epoch. Taken by the next start(), dropped by a reset.
        self.next_run_origin: RunOrigin | None = None
        self.seconds_relaying = 0.0  # main-thread time in the slots of the relayed updates (benchmarks)
        self.cpu_seconds_relaying = 0.0  # the same in CPU time (not counting waits for the GIL)
        self.document_predictor = DocumentPredictor(self)  # the prediction of weights that come from no run
        self.document_predictor.ready.connect(self._on_document_prediction)
        # studio.startup's kernel warm-up: kernels_ready(dtype) is False while they still compile in the child
        # process; the document's prediction then waits for `kernels_became_ready()` (None: always ready).
        self.kernels_ready: Callable[[str], bool] | None = None
        self._prediction_waits_for_kernels = False
        self._build_actions()
        document.spec_changed.connect(self._on_spec_changed)
        document.data_changed.connect(self._update_actions)
        document.weights_changed.connect(self._update_actions)
        document.weights_changed.connect(self._on_weights_changed)
        self._update_actions()

    # --- actions -------------------------------------------------------------------------------------------------
    def _build_actions(self) -> None:
        style = QApplication.style()
        icon = lambda name: style.standardIcon(getattr(QStyle.StandardPixmap, name))  # noqa: E731

        def action(text: str, icon_name: str, slot, shortcut: str | None, tip: str) -> QAction:
            act = QAction(icon(icon_name), text, self)
            act.setToolTip(tip)
            act.setStatusTip(tip)
            if shortcut:
                act.setShortcut(QKeySequence(shortcut))
            act.triggered.connect(slot)
            return act

        self.action_play_pause = action("Train", "SP_MediaPlay", self.play_pause, "Space",
                                        "Train the network (Space pauses and resumes)")
        self.action_step_batch = action("Step batch", "SP_MediaSeekForward", self.step_batch, "Ctrl+Right",
                                        "Train exactly one batch, then pause")
        self.action_step_epoch = action("Step epoch", "SP_MediaSkipForward", self.step_epoch, "Ctrl+Shift+Right",
                                        "Train one whole epoch, then pause")
        self.action_stop = action("Stop", "SP_MediaStop", self.stop, "Ctrl+.",
                                  "End the run and keep the weights trained so far")
        self.action_reset = action("Reset weights", "SP_BrowserReload", self.reset, "Ctrl+R",
                                   "Forget the trained weights and start again from fresh initial weights")
        self.actions = [self.action_play_pause, self.action_step_batch, self.action_step_epoch, self.action_stop,
                        self.action_reset]

    def blockers(self) -> list[str]:
        return list(self.document.training_blockers())

    def _update_actions(self) -> None:
        active = self.state in (RUNNING, PAUSED)
        blockers = [] if self.state != IDLE else self.blockers()
        can_start = self.state == IDLE and not blockers
        reason = " ".join(blockers)
        play = self.action_play_pause
        play.setEnabled(can_start or active)
        if self.state == RUNNING:
            play.setText("Pause")
            play.setIcon(QApplication.style().standardIcon(QStyle.StandardPixmap.SP_MediaPause))
        else:
            play.setText("Resume" if self.state == PAUSED else "Train")
            play.setIcon(QApplication.style().standardIcon(QStyle.StandardPixmap.SP_MediaPlay))
        play.setToolTip(reason or ("Pause training (Space)" if self.state == RUNNING else
                                   "Train the network (Space pauses and resumes)"))
        for act in (self.action_step_batch, self.action_step_epoch):
            act.setEnabled(can_start or active)
            act.setToolTip(reason or act.statusTip())
        self.action_stop.setEnabled(active)
        self.action_reset.setEnabled(active or (self.state == IDLE and self.document.weights is not None))

    def _set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self._update_actions()
            self.state_changed.emit(state)

    # --- commands ------------------------------------------------------------------------------------------------
    def play_pause(self) -> None:
        if self.state == IDLE and self._held_back(self.play_pause):
            return
        if self.state == IDLE:
            self.start()
        elif self.state == RUNNING:
            self._worker.pause()
            self._set_state(PAUSED)
        elif self.state == PAUSED:
            self._worker.play()
            self._set_state(RUNNING)

    def step_batch(self) -> None:
        self._step("batch")

    def step_epoch(self) -> None:
        self._step("epoch")

    def _step(self, kind: str) -> None:
        if self.state == IDLE and self._held_back(lambda: self._step(kind)):
            return
        if self.state == IDLE and not self.start(paused=True):
            return
        if self.state in (RUNNING, PAUSED):
            self._worker.step_batch() if kind == "batch" else self._worker.step_epoch()
            self._set_state(PAUSED)

    def _held_back(self, command: Callable[[], None]) -> bool:
        return self.start_gate is not None and not self.blockers() and self.start_gate(self.document.spec, command)

    def stop(self) -> None:
        if self.state in (RUNNING, PAUSED):
            self._worker.stop()
            self._set_state(STOPPING)

    def set_speed(self, epochs_per_second: float | None) -> None:
        """The training speed (epochs a second, None: maximum), for this run and the next ones."""
        self.epochs_per_second = check_rate(epochs_per_second)
        if self._worker is not None:
            self._worker.set_speed(epochs_per_second)

    def watch_histograms(self) -> None:
        """A weight-histogram plot now shows the runs: this run (from its next epoch) and the next ones take
        their histograms as often as the plot draws them."""
        self.histograms_watched = True
        if self._worker is not None:
            self._worker.watch_histograms()

    def reset(self) -> None:
        """Back to untrained weights (stopping a run first)."""
        if self.state in (RUNNING, PAUSED, STOPPING):
            self._reset_after_stop = True
            self.stop()
            return
        self._reset_weights()

    def _reset_weights(self) -> None:
        self._reset_after_stop = False
        self.next_run_origin = None
        self.epoch_records.clear()
        self.findings = []
        self.latest, self.latest_prediction = None, None
        self.document.set_weights(None, [])
        self.weights_reset.emit()
        self._update_actions()

    def start(self, paused: bool = False) -> bool:
        """Start a run from the document's current weights (fresh ones when untrained). False if blocked."""
        if self.state != IDLE or self.blockers():
            return False
        document = self.document
        spec, data = document.spec, document.prepared()
        job = TrainingJob(spec, data, weights=document.weights, start_paused=paused,
                          epochs_per_second=self.epochs_per_second, histograms_watched=self.histograms_watched,
                          record_after_shown=True)
        job.grid = prediction_grid(document)
        job.preprocess = data.preprocess if job.grid is not None else None
        origin, self.next_run_origin = self.next_run_origin, None
        if self.record_runs:
            job.recording = recording_plan(document.path, spec, document.data_config, data.dataset_hash,
                                           origin=origin)
        self.document_predictor.cancel()  # the run predicts from now on
        self._epochs_planned = max(1, spec.training.epochs)
        self._live_sent, self._live_paths = spec, frozenset(live_paths(spec))
        self.epoch_records.clear()
        self.findings = []
        self.latest, self.last_result = None, None
        self._launch(job)
        document.set_training(True)
        self._set_state(PAUSED if paused else RUNNING)
        self.run_started.emit()
        return True

    def _launch(self, job: TrainingJob) -> None:
        thread = QThread(self)
        thread.setObjectName("TrainingThread")
        worker = TrainingWorker(job)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.update.connect(self._on_update)
        worker.finished.connect(self._on_finished)
        worker.failed.connect(self._on_failed)
        worker.recorded.connect(self._on_recorded)
        worker.recording_opened.connect(self._on_recording_opened)
        worker.done.connect(thread.quit)
        thread.finished.connect(self._on_thread_finished)
        self._thread, self._worker = thread, worker
        begin_run()  # one BLAS thread and quick GIL hand-backs while it trains; set here, on the GUI thread
        thread.start()

    def shutdown(self) -> None:
        """Stop any run and wait for its thread (for the window's closeEvent): returns within about a second."""
        if self._stop_and_wait():
            self._on_thread_finished()

    def finish_now(self) -> bool:
        """End an active run and wait for it, its weights and history written to the document (Save during a
        run saves them, not the untrained project). False when no run was active."""
        if not self._stop_and_wait():
            return False
        QCoreApplication.sendPostedEvents(self, QEvent.Type.MetaCall)  # the worker's last update and result
        if self._thread is not None:
            self._on_thread_finished()
        return True

    def _stop_and_wait(self) -> bool:
        thread, worker = self._thread, self._worker
        if thread is None or worker is None:
            return False
        worker.stop()
        worker.play()
        worker.end_shown()  # the record commits at once: this thread is about to wait for the worker's
        thread.quit()
        if not thread.wait(SHUTDOWN_TIMEOUT_MS):
            thread.wait()  # a kernel mid-batch always returns; never destroy a running QThread
        return True

    @property
    def is_active(self) -> bool:
        return self.state != IDLE

    @property
    def fraction_done(self) -> float:
        return fraction_done(self.latest, self._epochs_planned)

    @property
    def epochs_planned(self) -> int:
        return self._epochs_planned

    # --- worker signals (main thread) ------------------------------------------------------------------------------
    def _on_update(self, update: WorkerUpdate) -> None:
        if self.sender() is not self._worker:
            return  # a stale update from a run that has already been replaced
        started, cpu_started = time.perf_counter(), time.thread_time()
        self._relay(update)
        self.seconds_relaying += time.perf_counter() - started
        self.cpu_seconds_relaying += time.thread_time() - cpu_started

    def _relay(self, update: WorkerUpdate) -> None:
        self.epoch_records.extend(s for s in update.epochs if s.kind == "epoch")
        self.findings.extend(update.findings)
        if update.latest is not None:
            self.latest = update.latest
        if update.prediction is not None:
            self.latest_prediction = update.prediction
        if update.epochs or update.latest is not None or update.prediction is not None or update.findings:
            self.updated.emit(update)

    def _on_finished(self, result: TrainingResult) -> None:
        try:
            self._show_finished(result)
        finally:  # every view has taken the end in: the run's record may commit now
            if self._worker is not None:
                self._worker.end_shown()

    def _show_finished(self, result: TrainingResult) -> None:
        self.last_result = result
        self.latest = result.snapshot
        self.document.set_training(False)
        if not self._reset_after_stop:
            self.document.set_weights(result.weights, with_confusion(result.history, result.snapshot.confusion))
        self.finished.emit(result.snapshot)
        if self._reset_after_stop:  # after `finished`, so the views end on "untrained", not "Finished: stopped"
            self._reset_weights()
            return
        if result.snapshot.diverged:
            self.diverged.emit(result.snapshot)
            if self.show_dialogs:
                self.last_dialog = show_divergence(self._dialog_parent(), result.snapshot)

    def _on_recorded(self, recorded: tuple[Path, int] | None) -> None:
        if self.sender() is not self._worker:
            return  # a stale signal from a run that has already been replaced
        self.last_recorded = recorded or self.last_recorded
        self.run_recorded.emit(recorded)

    def _on_recording_opened(self, opened: tuple[Path, int]) -> None:
        if self.sender() is not self._worker:
            return  # a stale signal from a run that has already been replaced
        self.run_opened.emit(opened)

    def _on_failed(self, message: str, details: str) -> None:
        self.document.set_training(False)
        self.failed.emit(message, details)
        if self.show_dialogs:
            self.last_dialog = show_exception(self._dialog_parent(), message, details)

    def _on_thread_finished(self) -> None:
        thread, self._thread, self._worker = self._thread, None, None
        if thread is not None:
            thread.deleteLater()
            end_run()
        self.document.set_training(False)
        if self._reset_after_stop:
            self._reset_weights()
        self._set_state(IDLE)

    def _dialog_parent(self) -> QWidget | None:
        return self.dialog_parent or QApplication.activeWindow()

    def _on_weights_changed(self) -> None:
        """Weights that did not come from a run of ours (a project opened, New, an undo, an edit that drops
        them): the plots show the document's saved history, or nothing."""
        if self.state != IDLE:
            return  # a run's own weights: its plots are already drawn
        self.epoch_records.clear()
        self.findings = []
        self.latest, self.latest_prediction = None, None
        self.weights_reset.emit()
        document = self.document
        if document.weights is not None and document.history:
            task = document.dataset.task if document.dataset is not None else "classification"
            self.epoch_records = history_snapshots(document.history, document.spec,
                                                   "r2" if task == "regression" else "accuracy")
            if self.epoch_records:
                self.updated.emit(WorkerUpdate(None, list(self.epoch_records)))
        self.show_prediction_of_document()

    def show_prediction_of_document(self) -> bool:
        """Ask for one grid prediction from the document's weights, when idle with trained weights and 1-D or
        2-D data; it arrives (off the GUI thread) as an update carrying only a prediction. False when none is
        asked for (and any pending one is dropped)."""
        self.document_predictor.cancel()
        self._prediction_waits_for_kernels = False
        document = self.document
        grid = prediction_grid(document)
        if self.state != IDLE or document.weights is None or grid is None or self.blockers():
            return False
        dtype = str(document.spec.training.dtype)
        if self.kernels_ready is not None and not self.kernels_ready(dtype):
            self._prediction_waits_for_kernels = True  # compiling here would freeze the window (Numba holds the GIL)
            return False
        # Step 0: these are the document's weights, not a step of a run (a reopened project keeps no step count).
        self.document_predictor.request(document.spec, document.weights, grid, document.prepared().preprocess, 0)
        return True

    def kernels_became_ready(self) -> None:
        """The warm-up cached (some) kernels: ask for the document's prediction if it was waiting for them."""
        if self._prediction_waits_for_kernels:
            self.show_prediction_of_document()

    def _on_document_prediction(self, prediction: GridPrediction, request: int) -> None:
        if self.state == IDLE and self.document_predictor.is_current(request):  # else stale: newer weights or a run
            self._relay(WorkerUpdate(None, prediction=prediction))

    # --- live edits ----------------------------------------------------------------------------------------------
    def _on_spec_changed(self) -> None:
        if self._worker is not None and self.state in (RUNNING, PAUSED):
            spec = self.document.spec
            changes = {path: new for path, (_, new) in changed_paths(self._live_sent, spec).items()
                       if path in self._live_paths}
            if changes:
                self._worker.set_live(changes)
            self._live_sent = spec
        self._update_actions()


def prediction_grid(document: Document) -> GridSpec | None:
    """The plane (2-D data) or line (1-D data) the plots draw the network's output over; None for other data."""
    dataset = document.dataset
    if dataset is not None and dataset.num_features in (1, 2):
        return GridSpec.around(dataset.x)
    return None
